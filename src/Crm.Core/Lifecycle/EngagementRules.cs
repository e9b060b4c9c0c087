namespace Crm.Core.Lifecycle;

/// <summary>
/// How the <see cref="EngagementStatus"/> is derived from purchase activity. Every figure is configurable;
/// the defaults are the ones most retail programmes start with.
/// </summary>
/// <remarks>
/// <para>
/// <b>Cadence rule</b> (the default). With at least <see cref="MinimumPurchaseDaysForCadence"/> (3) purchase days,
/// the customer's typical interval I is the median gap between their purchase days, and with d days since the
/// last purchase the customer is At risk when d &gt; <see cref="AtRiskMultiplier"/>·I (2×), Lapsed when
/// d &gt; <see cref="LapsedMultiplier"/>·I (3×) and Churned when d &gt; min(<see cref="ChurnedMultiplier"/>·I,
/// <see cref="ChurnedAfterDaysAtMost"/>) (4× or 365 days, whichever is sooner). With fewer purchase days the
/// programme defaults apply: At risk after <see cref="DefaultAtRiskAfterDays"/> (90), Lapsed after
/// <see cref="DefaultLapsedAfterDays"/> (180), Churned after <see cref="DefaultChurnedAfterDays"/> (365).
/// So 60 days of silence is alarming for a weekly buyer (I = 7: churned after 28) and normal for a yearly one.
/// </para>
/// <para>
/// <b>Churn-risk model</b>. When <see cref="ChurnRiskModel"/> is set, its probability alive, mapped through
/// <see cref="ChurnRiskThresholds"/>, replaces the cadence rule.
/// </para>
/// <para>
/// <b>Reactivation</b>. A purchase by a customer who, judged on the purchases before it, was Lapsed or Churned
/// on that day brings them back: they are Reactivated for <see cref="ReactivationDays"/> (90) days from that
/// purchase, then Active (further purchases in between do not end it early). Reactivated only replaces Active: a
/// reactivated customer who goes silent again becomes At risk as usual. Because reactivation is judged from the
/// history itself (<see cref="PurchaseSummary.ReactivatedOn"/>), the status is a pure function of the purchases
/// and the evaluation day.
/// </para>
/// <para>Immutable and thread-safe; each property checks its own range, <see cref="Validate"/> the combination.</para>
/// </remarks>
public sealed record EngagementRules
{
    private readonly int _minimumPurchaseDaysForCadence = 3;
    private readonly double _atRiskMultiplier = 2.0;
    private readonly double _lapsedMultiplier = 3.0;
    private readonly double _churnedMultiplier = 4.0;
    private readonly int _churnedAfterDaysAtMost = 365;
    private readonly int _defaultAtRiskAfterDays = 90;
    private readonly int _defaultLapsedAfterDays = 180;
    private readonly int _defaultChurnedAfterDays = 365;
    private readonly int _reactivationDays = 90;
    private readonly ChurnRiskThresholds _churnRiskThresholds = ChurnRiskThresholds.Default;

    /// <summary>The defaults described in the remarks.</summary>
    public static EngagementRules Default { get; } = new();

    /// <summary>Purchase days needed before the customer's own cadence is trusted (default 3; at least 2, since a gap needs two days).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2 or above 1000.</exception>
    public int MinimumPurchaseDaysForCadence
    {
        get => _minimumPurchaseDaysForCadence;
        init => _minimumPurchaseDaysForCadence = Preconditions.CheckArgumentRange(nameof(MinimumPurchaseDaysForCadence), value, 2, 1000);
    }

    /// <summary>At risk beyond this many typical intervals of silence (default 2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 100].</exception>
    public double AtRiskMultiplier
    {
        get => _atRiskMultiplier;
        init => _atRiskMultiplier = Preconditions.CheckArgumentRange(nameof(AtRiskMultiplier), value, 1.0, 100.0);
    }

    /// <summary>Lapsed beyond this many typical intervals of silence (default 3).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 100].</exception>
    public double LapsedMultiplier
    {
        get => _lapsedMultiplier;
        init => _lapsedMultiplier = Preconditions.CheckArgumentRange(nameof(LapsedMultiplier), value, 1.0, 100.0);
    }

    /// <summary>Churned beyond this many typical intervals of silence (default 4), or <see cref="ChurnedAfterDaysAtMost"/> if sooner.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 100].</exception>
    public double ChurnedMultiplier
    {
        get => _churnedMultiplier;
        init => _churnedMultiplier = Preconditions.CheckArgumentRange(nameof(ChurnedMultiplier), value, 1.0, 100.0);
    }

    /// <summary>The longest silence, in days, before a cadence customer counts as churned whatever their interval (default 365).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 36500].</exception>
    public int ChurnedAfterDaysAtMost
    {
        get => _churnedAfterDaysAtMost;
        init => _churnedAfterDaysAtMost = Preconditions.CheckArgumentRange(nameof(ChurnedAfterDaysAtMost), value, 1, 36500);
    }

    /// <summary>With too few purchases for a cadence: at risk after this many days of silence (default 90).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 36500].</exception>
    public int DefaultAtRiskAfterDays
    {
        get => _defaultAtRiskAfterDays;
        init => _defaultAtRiskAfterDays = Preconditions.CheckArgumentRange(nameof(DefaultAtRiskAfterDays), value, 1, 36500);
    }

    /// <summary>With too few purchases for a cadence: lapsed after this many days of silence (default 180).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 36500].</exception>
    public int DefaultLapsedAfterDays
    {
        get => _defaultLapsedAfterDays;
        init => _defaultLapsedAfterDays = Preconditions.CheckArgumentRange(nameof(DefaultLapsedAfterDays), value, 1, 36500);
    }

    /// <summary>With too few purchases for a cadence: churned after this many days of silence (default 365).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [1, 36500].</exception>
    public int DefaultChurnedAfterDays
    {
        get => _defaultChurnedAfterDays;
        init => _defaultChurnedAfterDays = Preconditions.CheckArgumentRange(nameof(DefaultChurnedAfterDays), value, 1, 36500);
    }

    /// <summary>How many days a returning lapsed or churned customer stays Reactivated (default 90; 0 turns the status off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 36500].</exception>
    public int ReactivationDays
    {
        get => _reactivationDays;
        init => _reactivationDays = Preconditions.CheckArgumentRange(nameof(ReactivationDays), value, 0, 36500);
    }

    /// <summary>A model whose probability alive replaces the cadence rule; null (the default) uses the cadence rule.</summary>
    public IChurnRiskModel? ChurnRiskModel { get; init; }

    /// <summary>Maps <see cref="ChurnRiskModel"/>'s probability to a status.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public ChurnRiskThresholds ChurnRiskThresholds
    {
        get => _churnRiskThresholds;
        init => _churnRiskThresholds = Preconditions.CheckNotNull(value, nameof(ChurnRiskThresholds));
    }

    /// <summary>
    /// Checks that the figures make sense together: at risk before lapsed before churned, both for the
    /// multipliers and for the programme defaults. Called by <see cref="EngagementEvaluator"/>'s constructor.
    /// </summary>
    /// <exception cref="ArgumentException">The figures are out of order; the message names the pair.</exception>
    public void Validate()
    {
        Preconditions.CheckArgument(AtRiskMultiplier <= LapsedMultiplier && LapsedMultiplier <= ChurnedMultiplier, nameof(LapsedMultiplier),
            "Multipliers must be ordered: AtRiskMultiplier ≤ LapsedMultiplier ≤ ChurnedMultiplier.");
        Preconditions.CheckArgument(DefaultAtRiskAfterDays <= DefaultLapsedAfterDays && DefaultLapsedAfterDays <= DefaultChurnedAfterDays, nameof(DefaultLapsedAfterDays),
            "Programme defaults must be ordered: DefaultAtRiskAfterDays ≤ DefaultLapsedAfterDays ≤ DefaultChurnedAfterDays.");
    }
}
