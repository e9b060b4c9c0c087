using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>
/// A pluggable model of whether a customer is still "alive" (will buy again), used instead of the cadence
/// rule to decide the <see cref="EngagementStatus"/>. The analytics package implements it with the BG/NBD
/// probability alive; hosts can plug in their own (a gradient-boosted classifier, say).
/// </summary>
/// <remarks>
/// Set it on <see cref="EngagementRules.ChurnRiskModel"/>; <see cref="EngagementRules.ChurnRiskThresholds"/>
/// maps the probability to a status. Evaluation calls the model once per customer in a tight loop over
/// millions of customers, possibly from several threads: implementations must be thread-safe, must not
/// allocate per call and must be a pure function of their arguments (same summary and date, same answer),
/// otherwise evaluation stops being idempotent.
/// </remarks>
public interface IChurnRiskModel
{
    /// <summary>
    /// The probability, in [0, 1], that the customer is still active on <paramref name="asOf"/> given their
    /// purchase history. Only called for customers with at least one purchase day on or before <paramref name="asOf"/>.
    /// </summary>
    /// <param name="purchases">
    /// The customer's purchase history. In the notation of Fader, Hardie and Lee (2005): frequency
    /// x = <see cref="PurchaseSummary.RepeatPurchaseDays"/>, recency t<sub>x</sub> = <see cref="PurchaseSummary.RecencyDays"/>,
    /// age T = <see cref="PurchaseSummary.AgeDays(LocalDate)"/>, all in days.
    /// </param>
    /// <param name="asOf">The day the status is evaluated for.</param>
    /// <returns>The probability alive; values outside [0, 1] or NaN are rejected by the evaluator.</returns>
    double ProbabilityAlive(in PurchaseSummary purchases, LocalDate asOf);
}

/// <summary>
/// Maps a churn-risk model's probability alive to an <see cref="EngagementStatus"/>: below
/// <see cref="ChurnedBelow"/> is Churned, below <see cref="LapsedBelow"/> Lapsed, below <see cref="AtRiskBelow"/>
/// At risk, otherwise Active.
/// </summary>
/// <remarks>Immutable and thread-safe; equality is by value.</remarks>
public sealed record ChurnRiskThresholds
{
    /// <summary>The defaults: at risk below 0.5, lapsed below 0.3, churned below 0.1.</summary>
    public static ChurnRiskThresholds Default { get; } = new(0.5, 0.3, 0.1);

    /// <summary>Creates thresholds; they must satisfy 0 ≤ churned ≤ lapsed ≤ at risk ≤ 1.</summary>
    /// <param name="atRiskBelow">Probability alive below which the customer is at risk.</param>
    /// <param name="lapsedBelow">Probability alive below which the customer has lapsed.</param>
    /// <param name="churnedBelow">Probability alive below which the customer has churned.</param>
    /// <exception cref="ArgumentOutOfRangeException">A threshold lies outside [0, 1] or is NaN.</exception>
    /// <exception cref="ArgumentException">The thresholds are not ordered churned ≤ lapsed ≤ at risk.</exception>
    public ChurnRiskThresholds(double atRiskBelow, double lapsedBelow, double churnedBelow)
    {
        CheckProbability(atRiskBelow, nameof(atRiskBelow));
        CheckProbability(lapsedBelow, nameof(lapsedBelow));
        CheckProbability(churnedBelow, nameof(churnedBelow));
        Preconditions.CheckArgument(churnedBelow <= lapsedBelow && lapsedBelow <= atRiskBelow, nameof(lapsedBelow),
            "Thresholds must be ordered: churnedBelow ≤ lapsedBelow ≤ atRiskBelow.");
        AtRiskBelow = atRiskBelow;
        LapsedBelow = lapsedBelow;
        ChurnedBelow = churnedBelow;
    }

    /// <summary>Probability alive below which the customer is at risk.</summary>
    public double AtRiskBelow { get; }

    /// <summary>Probability alive below which the customer has lapsed.</summary>
    public double LapsedBelow { get; }

    /// <summary>Probability alive below which the customer has churned.</summary>
    public double ChurnedBelow { get; }

    /// <summary>The status for a probability alive.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probabilityAlive"/> is outside [0, 1] or NaN.</exception>
    public EngagementStatus StatusFor(double probabilityAlive)
    {
        CheckProbability(probabilityAlive, nameof(probabilityAlive));
        return probabilityAlive < ChurnedBelow ? EngagementStatus.Churned
            : probabilityAlive < LapsedBelow ? EngagementStatus.Lapsed
            : probabilityAlive < AtRiskBelow ? EngagementStatus.AtRisk
            : EngagementStatus.Active;
    }

    private static void CheckProbability(double value, string paramName)
    {
        // NaN fails both comparisons, so it is rejected too.
        if (!(value >= 0.0 && value <= 1.0))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A probability must lie in [0, 1].");
        }
    }
}
