using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Lifecycle;

// Merging duplicate customers (Crm.Core.Duplicates.CustomerMergeService): the survivor's lifecycle takes the higher
// stage and the other lifecycle's touchpoints, stage entries and purchase days. The merged customer's lifecycle is
// kept under its own id with its full history (reachable through the survivor's merge history).
public sealed partial class CustomerLifecycle
{
    /// <summary>The survivor's lifecycle when the survivor had none: this one, replayed under <paramref name="survivorId"/>.</summary>
    internal CustomerLifecycle CopyFor(CustomerId survivorId) =>
        Replay(survivorId, Model, _history, _touchpoints, _purchaseDays, EngagementStatus, EvaluatedOn, TenantId);

    /// <summary>
    /// Takes over <paramref name="merged"/>'s facts: when its current stage (looked up by id in this model) is above
    /// this one's, this lifecycle advances to it (the highest stage wins), recorded as a transition by
    /// <paramref name="actor"/>; touchpoints, first entries of stages and purchase days are added where missing.
    /// </summary>
    internal void Absorb(CustomerLifecycle merged, Instant at, string actor, CustomerId mergedId)
    {
        var stamp = at >= _history[^1].At ? at : _history[^1].At;
        var target = Model.Stages.FirstOrDefault(s => s.Id == merged.CurrentStage.Id);
        if (target is not null && Model.RankOf(target.Id) > CurrentRank)
        {
            Apply(new StageTransition(CurrentStage.Id, target.Id, stamp, StageTransitionKind.Advance,
                $"merged with customer {mergedId}", actor, null));
        }
        foreach (var (stage, entered) in merged._entries)
        {
            if (Model.Stages.Any(s => s.Id == stage))
            {
                _entries.TryAdd(stage, entered);
            }
        }
        foreach (var touchpoint in merged._touchpoints)
        {
            if (!HasTouchpoint(touchpoint.Name))
            {
                _touchpoints.Add(touchpoint);
            }
        }
        foreach (var day in merged._purchaseDays)
        {
            RecordPurchase(day);
        }
    }
}
