using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Testing;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Lifecycle;

public class LifecyclePropertiesTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 1, 1, 0, 0);
    private static readonly EngagementEvaluator Evaluator = new(EngagementRules.Default, DateTimeZone.Utc);

    /// <summary>Runs the script, skipping illegal steps (which must throw and change nothing), and records rank after each step.</summary>
    private static (CustomerLifecycle Lifecycle, List<(int Current, int Highest)> Ranks) Run(LifecycleScript script)
    {
        var lifecycle = CustomerLifecycle.Start(new CustomerId("p-1"), LifecycleModel.B2C, T0, "fscheck");
        var ranks = new List<(int, int)> { (lifecycle.CurrentRank, lifecycle.HighestRank) };
        var at = T0;
        foreach (var step in script.Steps)
        {
            at += Duration.FromMinutes(step.MinutesLater);
            var before = lifecycle.History.Count;
            try
            {
                step.Run(lifecycle, TransitionRuleSet.DefaultB2C, at);
            }
            catch (IllegalLifecycleTransitionException)
            {
                if (lifecycle.History.Count != before)
                {
                    throw new InvalidOperationException("An illegal transition changed the history.");
                }
            }
            ranks.Add((lifecycle.CurrentRank, lifecycle.HighestRank));
        }
        return (lifecycle, ranks);
    }

    private static int Rank(string stageId) => LifecycleModel.B2C.RankOf(stageId);

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Stage_never_moves_backward_without_Regress(LifecycleScript script)
    {
        var (lifecycle, _) = Run(script);
        return lifecycle.History.Skip(1).All(t =>
            t.Kind == StageTransitionKind.Regress
                ? Rank(t.To) < Rank(t.From!) && t.Reason is not null
                : Rank(t.To) > Rank(t.From!));
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool History_replays_to_the_current_state(LifecycleScript script)
    {
        var (lifecycle, _) = Run(script);
        var replayed = CustomerLifecycle.Replay(lifecycle.CustomerId, lifecycle.Model, lifecycle.History, lifecycle.Touchpoints);
        return replayed.CurrentStage == lifecycle.CurrentStage
            && replayed.HighestStage == lifecycle.HighestStage
            && replayed.StageEntries.OrderBy(e => e.Key).SequenceEqual(lifecycle.StageEntries.OrderBy(e => e.Key))
            && replayed.History.SequenceEqual(lifecycle.History);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Highest_stage_reached_is_monotone_and_never_below_the_current(LifecycleScript script)
    {
        var (_, ranks) = Run(script);
        return ranks.Zip(ranks.Skip(1)).All(p => p.Second.Highest >= p.First.Highest)
            && ranks.All(r => r.Highest >= r.Current);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Applying_the_same_facts_twice_is_idempotent(LifecycleScript script, LifecycleFacts facts)
    {
        var (lifecycle, _) = Run(script);
        var at = lifecycle.History[^1].At;
        lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, facts, at);
        var events = lifecycle.DomainEvents.Count;
        return lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, facts, at).Count == 0 && lifecycle.DomainEvents.Count == events;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Engagement_status_is_a_function_of_purchases_and_asOf(PurchaseHistory history)
    {
        // Same purchases in another order, without duplicates, through another evaluator instance: same status.
        var a = PurchaseSummary.FromPurchaseDates(history.Dates);
        var b = PurchaseSummary.FromPurchaseDates(history.Dates.Reverse().Distinct());
        var other = new EngagementEvaluator(EngagementRules.Default with { }, DateTimeZone.Utc);
        return a == b && Evaluator.StatusOf(a, history.AsOf) == other.StatusOf(b, history.AsOf);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Evaluation_is_idempotent(PurchaseHistory history, EngagementStatus previous)
    {
        var lifecycle = CustomerLifecycle.Start(new CustomerId("p-2"), LifecycleModel.B2C, T0, "fscheck");
        foreach (var day in history.Dates)
        {
            lifecycle.RecordPurchase(day);
        }
        var asOf = history.AsOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var first = lifecycle.Evaluate(Evaluator, asOf);
        var events = lifecycle.DomainEvents.Count;
        var second = lifecycle.Evaluate(Evaluator, asOf);

        var batch = new[] { new CustomerEngagement(lifecycle.CustomerId, lifecycle.Purchases, previous) };
        var changes = new List<EngagementStatusChanged>();
        Evaluator.EvaluateBatch(batch, asOf, changes);
        var again = new List<EngagementStatusChanged>();
        Evaluator.EvaluateBatch(batch, asOf, again);

        return first == second && lifecycle.DomainEvents.Count == events
            && batch[0].Status == first && again.Count == 0 && changes.Count == (previous == first ? 0 : 1);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]
    public bool Status_is_None_exactly_when_there_are_no_purchases(PurchaseHistory history)
    {
        var summary = PurchaseSummary.FromPurchaseDates(history.Dates);
        return (Evaluator.StatusOf(summary, history.AsOf) == EngagementStatus.None) == (history.DayOffsets.Count == 0);
    }
}
