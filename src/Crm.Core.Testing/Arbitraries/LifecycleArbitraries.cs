using Crm.Core.Lifecycle;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing;

/// <summary>What one step of a generated <see cref="LifecycleScript"/> does to a <see cref="CustomerLifecycle"/>.</summary>
public enum LifecycleStepKind
{
    /// <summary>Call <see cref="CustomerLifecycle.Advance"/> to the step's stage (may be illegal: then it throws).</summary>
    Advance = 0,

    /// <summary>Call <see cref="CustomerLifecycle.Regress"/> to the step's stage (may be illegal: then it throws).</summary>
    Regress = 1,

    /// <summary>Call <see cref="CustomerLifecycle.ApplyRules"/> with the step's facts.</summary>
    ApplyRules = 2,
}

/// <summary>One generated step; the stage is given by rank so that it fits any model.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="StageRank">The target stage's rank for Advance and Regress (taken modulo the model's stage count).</param>
/// <param name="Facts">The facts for ApplyRules.</param>
/// <param name="MinutesLater">How long after the previous step it happens.</param>
public sealed record LifecycleStep(LifecycleStepKind Kind, int StageRank, LifecycleFacts Facts, int MinutesLater)
{
    /// <summary>Runs the step; illegal transitions throw <see cref="IllegalLifecycleTransitionException"/>, as they should.</summary>
    /// <param name="lifecycle">The lifecycle to change.</param>
    /// <param name="rules">The rules for ApplyRules.</param>
    /// <param name="at">When the step happens.</param>
    public void Run(CustomerLifecycle lifecycle, TransitionRuleSet rules, Instant at)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(rules);
        var stage = lifecycle.Model.Stages[StageRank % lifecycle.Model.Stages.Count].Id;
        switch (Kind)
        {
            case LifecycleStepKind.Advance:
                lifecycle.Advance(stage, at, "fscheck");
                break;
            case LifecycleStepKind.Regress:
                lifecycle.Regress(stage, "generated regression", at, "fscheck");
                break;
            default:
                lifecycle.ApplyRules(rules, Facts, at);
                break;
        }
    }
}

/// <summary>A generated sequence of lifecycle operations, legal and illegal.</summary>
/// <param name="Steps">The steps, in order.</param>
public sealed record LifecycleScript(IReadOnlyList<LifecycleStep> Steps)
{
    /// <summary>A short description for failure reports.</summary>
    public override string ToString() => string.Join("; ", Steps.Select(s => s.Kind == LifecycleStepKind.ApplyRules ? $"rules{s.Facts}" : $"{s.Kind} {s.StageRank}"));
}

/// <summary>A generated purchase history: purchase days as offsets from an origin day, and an evaluation day after the last.</summary>
/// <param name="DayOffsets">Purchase days (unordered, duplicates possible), as days after <see cref="Origin"/>.</param>
/// <param name="DaysAfterLast">The evaluation day, as days after the last purchase (or after the origin without purchases).</param>
public sealed record PurchaseHistory(IReadOnlyList<int> DayOffsets, int DaysAfterLast)
{
    /// <summary>The day offsets count from.</summary>
    public static LocalDate Origin { get; } = new(2024, 1, 1);

    /// <summary>The purchase days.</summary>
    public IEnumerable<LocalDate> Dates => DayOffsets.Select(d => Origin.PlusDays(d));

    /// <summary>The evaluation day.</summary>
    public LocalDate AsOf => Origin.PlusDays((DayOffsets.Count == 0 ? 0 : DayOffsets.Max()) + DaysAfterLast);

    /// <summary>A short description for failure reports.</summary>
    public override string ToString() => $"days [{string.Join(",", DayOffsets)}] asOf +{DaysAfterLast}";
}

/// <summary>
/// FsCheck arbitraries for the lifecycle: operation scripts and purchase histories. Register together with the
/// shared ones: <c>[Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(LifecycleArbitraries) })]</c>.
/// </summary>
public static class LifecycleArbitraries
{
    /// <summary>Facts with small counts, so that default rule thresholds are crossed often.</summary>
    public static Arbitrary<LifecycleFacts> Facts() => FactsGen().ToArbitrary();

    /// <summary>Scripts of up to 30 steps mixing advances, regressions and rule applications.</summary>
    public static Arbitrary<LifecycleScript> Script() =>
        (from steps in StepGen().ArrayOf()
         select new LifecycleScript(steps.Take(30).ToArray())).ToArbitrary();

    /// <summary>
    /// Purchase histories with one of several rhythms (weekly, monthly, yearly, irregular), 0 to 20 purchases, and an
    /// evaluation day up to two years after the last purchase.
    /// </summary>
    public static Arbitrary<PurchaseHistory> Purchases() =>
        (from rhythm in Gen.Elements(1, 7, 30, 365)
         from count in Gen.Choose(0, 20)
         from jitter in Gen.Choose(0, 3).ArrayOf(count)
         from duplicate in Gen.Elements(true, false)
         from after in Gen.Choose(0, 730)
         let offsets = jitter.Select((j, i) => (i * rhythm) + (j * rhythm / 4)).ToList()
         select new PurchaseHistory(duplicate && offsets.Count > 0 ? [.. offsets, offsets[0]] : offsets, after)).ToArbitrary();

    private static Gen<LifecycleFacts> FactsGen() =>
        from purchases in Gen.Choose(0, 12)
        from products in Gen.Choose(0, 4)
        from categories in Gen.Choose(0, 4)
        from service in Gen.Choose(0, 2)
        select new LifecycleFacts(purchases, products, Math.Min(categories, products), service);

    private static Gen<LifecycleStep> StepGen() =>
        from kind in Gen.Elements(LifecycleStepKind.Advance, LifecycleStepKind.Regress, LifecycleStepKind.ApplyRules)
        from rank in Gen.Choose(0, 10)
        from facts in FactsGen()
        from minutes in Gen.Choose(0, 60 * 24 * 30)
        select new LifecycleStep(kind, rank, facts, minutes);
}
