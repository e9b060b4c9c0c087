using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>
/// One condition of an <see cref="OfferRule"/>, with the <see cref="Reason"/> shown when it matches. Build with the
/// factories: <see cref="Profile"/> (the segmentation rule language over <see cref="CustomerProfile"/>: attributes,
/// holdings, purchases, consents, segment membership, lifecycle stage and engagement fields), <see cref="LifeEventWithin"/>,
/// <see cref="StageAtLeast"/>, <see cref="StageIn"/>, <see cref="EngagementIn"/> and <see cref="HoldsCategory"/>.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public abstract class OfferCondition
{
    private protected OfferCondition(string reason) => Reason = Preconditions.CheckNotBlank(reason).Trim();

    /// <summary>Why the offer fits when this condition matches, e.g. "married in the last 6 months".</summary>
    public string Reason { get; }

    /// <summary>A condition in the segmentation rule language, compiled for the evaluation day (relative dates work).</summary>
    /// <param name="reason">The reason shown when it matches.</param>
    /// <param name="rule">The rule, e.g. <c>new HoldsCondition(null, "current-account")</c> or a field condition on <c>lifecycle.stage</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is blank.</exception>
    public static OfferCondition Profile(string reason, RuleNode rule) => new ProfileCondition(reason, Preconditions.CheckNotNull(rule));

    /// <summary>The customer had a life event of this type within the last <paramref name="days"/> days (and not in the future).</summary>
    /// <param name="type">E.g. <see cref="LifeEventType.Marriage"/>.</param>
    /// <param name="days">The window, 1 to 36,500 days.</param>
    /// <param name="reason">The reason shown; defaults to "&lt;type&gt; within &lt;days&gt; days".</param>
    /// <exception cref="ArgumentException"><paramref name="type"/> is default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is out of range.</exception>
    public static OfferCondition LifeEventWithin(LifeEventType type, int days, string? reason = null)
    {
        Preconditions.CheckArgument(!type.IsDefault, nameof(type), "A life event type is required, e.g. LifeEventType.Marriage.");
        Preconditions.CheckArgumentRange(nameof(days), days, 1, 36_500);
        return new LifeEventCondition(reason ?? $"{type.Code} within {days} days", type, days);
    }

    /// <summary>The customer's current lifecycle stage is <paramref name="stageId"/> or above (needs a lifecycle in the context).</summary>
    /// <exception cref="ArgumentException"><paramref name="stageId"/> is blank.</exception>
    public static OfferCondition StageAtLeast(string stageId, string? reason = null)
    {
        Preconditions.CheckNotBlank(stageId);
        return new StageCondition(reason ?? $"lifecycle stage {stageId} or above", stageId, null);
    }

    /// <summary>The customer's current lifecycle stage is one of <paramref name="stageIds"/> (needs a lifecycle in the context).</summary>
    /// <exception cref="ArgumentException">No stage ids, or a blank one.</exception>
    public static OfferCondition StageIn(params string[] stageIds)
    {
        Preconditions.CheckNotNull(stageIds);
        Preconditions.CheckArgument(stageIds.Length > 0 && Array.TrueForAll(stageIds, s => !string.IsNullOrWhiteSpace(s)), nameof(stageIds), "Give at least one stage id, none blank.");
        return new StageCondition($"lifecycle stage {string.Join(" or ", stageIds)}", null, [.. stageIds]);
    }

    /// <summary>The customer's engagement status is one of <paramref name="statuses"/> (needs a lifecycle in the context).</summary>
    /// <exception cref="ArgumentException">No statuses.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An undefined status.</exception>
    public static OfferCondition EngagementIn(params EngagementStatus[] statuses)
    {
        Preconditions.CheckNotNull(statuses);
        Preconditions.CheckArgument(statuses.Length > 0, nameof(statuses), "Give at least one status.");
        foreach (var s in statuses)
        {
            Preconditions.CheckDefined(s, nameof(statuses));
        }
        return new EngagementCondition($"engagement {string.Join(" or ", statuses)}", [.. statuses]);
    }

    /// <summary>The customer holds an open product of <paramref name="category"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="category"/> is blank.</exception>
    public static OfferCondition HoldsCategory(string category, string? reason = null)
    {
        Preconditions.CheckNotBlank(category);
        return new HoldsCategoryCondition(reason ?? $"holds {category}", category);
    }

    /// <summary>Whether the condition holds for the customer in <paramref name="context"/> on <paramref name="today"/>.</summary>
    internal abstract bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler);

    /// <summary>Checks what can be checked before evaluation (rule validity); throws when invalid.</summary>
    internal virtual void Validate(RuleCompiler compiler)
    {
    }

    /// <summary>The reason.</summary>
    public override string ToString() => Reason;

    private sealed class ProfileCondition(string reason, RuleNode rule) : OfferCondition(reason)
    {
        internal override void Validate(RuleCompiler compiler)
        {
            var errors = compiler.Validate(rule);
            if (errors.Count > 0)
            {
                throw new SegmentDefinitionException(errors);
            }
        }

        internal override bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler)
        {
            var profile = context.Profile ?? throw new ArgumentException(
                "An offer has a profile condition: pass the customer's CustomerProfile in the OfferContext.", nameof(context));
            return compiler.Compile(rule, today).IsSatisfiedBy(profile);
        }
    }

    private sealed class LifeEventCondition(string reason, LifeEventType type, int days) : OfferCondition(reason)
    {
        internal override bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler)
        {
            var earliest = today.PlusDays(-days);
            foreach (var e in context.Customer.LifeEvents)
            {
                if (e.Type == type && e.Date >= earliest && e.Date <= today)
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class StageCondition(string reason, string? atLeast, string[]? oneOf) : OfferCondition(reason)
    {
        internal override bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler)
        {
            var lifecycle = context.RequireLifecycle();
            return atLeast is not null
                ? lifecycle.CurrentRank >= lifecycle.Model.RankOf(atLeast)
                : Array.IndexOf(oneOf!, lifecycle.CurrentStage.Id) >= 0;
        }
    }

    private sealed class EngagementCondition(string reason, EngagementStatus[] statuses) : OfferCondition(reason)
    {
        internal override bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler) =>
            Array.IndexOf(statuses, context.RequireLifecycle().EngagementStatus) >= 0;
    }

    private sealed class HoldsCategoryCondition(string reason, string category) : OfferCondition(reason)
    {
        internal override bool IsMet(OfferContext context, LocalDate today, RuleCompiler compiler) =>
            context.Customer.ProductHoldings.Any(h => h.IsOpen && string.Equals(h.Category, category, StringComparison.Ordinal));
    }
}
