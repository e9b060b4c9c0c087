using System.Globalization;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>What a member's tier is qualified on.</summary>
public enum TierMetric
{
    /// <summary>Points earned from purchases and events (net of reversals), not adjustments or transfers.</summary>
    PointsEarned = 0,

    /// <summary>Money spent (net of returns), in the programme currency.</summary>
    Spend = 1,

    /// <summary>Number of purchases (a purchase returned in full no longer counts).</summary>
    PurchaseCount = 2,
}

/// <summary>The shape of a qualification window.</summary>
public enum QualificationWindowKind
{
    /// <summary>The last N days up to the evaluation instant.</summary>
    RollingDays = 0,

    /// <summary>The calendar month containing the evaluation instant.</summary>
    CalendarMonth = 1,

    /// <summary>The calendar year containing the evaluation instant.</summary>
    CalendarYear = 2,
}

/// <summary>When a member whose metric fell below their tier's threshold is moved down.</summary>
public enum DowngradeMode
{
    /// <summary>Members are never moved down.</summary>
    Never = 0,

    /// <summary>Members keep a tier until the end of the qualification period after the one they reached it in.</summary>
    AtPeriodEnd = 1,

    /// <summary>Members keep a tier for a grace period after they last qualified for it.</summary>
    AfterGracePeriod = 2,
}

/// <summary>A tier: a code and the metric value that qualifies for it.</summary>
/// <param name="Code">The tier's code (e.g. <c>GOLD</c>).</param>
/// <param name="Threshold">The metric value from which a member qualifies (inclusive).</param>
public sealed record TierDefinition(string Code, decimal Threshold);

/// <summary>How members qualify for tiers and when they lose them.</summary>
/// <remarks>
/// Tiers are ordered by threshold; the lowest must have threshold 0 and is every member's starting tier.
/// Upgrades happen immediately (on the earning that crosses a threshold); downgrades only in
/// <see cref="LoyaltyAccount.EvaluateTier"/>, according to <see cref="Downgrade"/>. Immutable and thread-safe.
/// </remarks>
public sealed record TierPolicy
{
    // Every tier change quotes the window in its evidence: described once, not per change.
    private readonly string _windowText;

    /// <summary>Creates a policy.</summary>
    /// <param name="tiers">At least one tier; codes unique, thresholds strictly increasing from 0.</param>
    /// <param name="metric">What qualifies.</param>
    /// <param name="window">The window shape.</param>
    /// <param name="windowDays">For <see cref="QualificationWindowKind.RollingDays"/>: its length in days (1–3660).</param>
    /// <param name="downgrade">When members move down.</param>
    /// <param name="gracePeriod">For <see cref="DowngradeMode.AfterGracePeriod"/>: how long a tier is kept after last qualifying.</param>
    /// <param name="maxTiersDroppedPerEvaluation">How many tiers one evaluation may drop (1 by default).</param>
    /// <exception cref="ArgumentException">The tiers break the rules above, or an enum value is undefined.</exception>
    public TierPolicy(IEnumerable<TierDefinition> tiers, TierMetric metric = TierMetric.PointsEarned,
        QualificationWindowKind window = QualificationWindowKind.RollingDays, int windowDays = 365,
        DowngradeMode downgrade = DowngradeMode.AtPeriodEnd, Duration gracePeriod = default, int maxTiersDroppedPerEvaluation = 1)
    {
        Preconditions.CheckNotNull(tiers);
        var list = tiers.ToArray();
        Preconditions.CheckArgument(list.Length > 0, nameof(tiers), "A tier policy needs at least one tier.");
        Preconditions.CheckArgument(Array.TrueForAll(list, t => t is not null), nameof(tiers), "Tiers must not contain null.");
        Preconditions.CheckArgument(list[0].Threshold == 0m, nameof(tiers), "The lowest tier must have threshold 0: it is where every member starts.");
        for (var i = 0; i < list.Length; i++)
        {
            Identifier.Validate(list[i].Code, nameof(tiers), "tier code");
            Preconditions.CheckArgument(i == 0 || list[i].Threshold > list[i - 1].Threshold, nameof(tiers),
                "Tier thresholds must increase strictly, lowest tier first.");
        }
        Preconditions.CheckArgument(list.Select(t => t.Code).Distinct(StringComparer.Ordinal).Count() == list.Length, nameof(tiers), "Tier codes must be unique.");
        Tiers = list;
        Metric = Preconditions.CheckDefined(metric);
        Window = Preconditions.CheckDefined(window);
        WindowDays = window == QualificationWindowKind.RollingDays ? Preconditions.CheckArgumentRange(nameof(windowDays), windowDays, 1, 3660) : 0;
        Downgrade = Preconditions.CheckDefined(downgrade);
        Preconditions.CheckArgument(downgrade != DowngradeMode.AfterGracePeriod || gracePeriod > Duration.Zero, nameof(gracePeriod),
            "AfterGracePeriod needs a positive grace period, e.g. Duration.FromDays(90).");
        Preconditions.CheckArgument(gracePeriod >= Duration.Zero, nameof(gracePeriod), "The grace period must not be negative.");
        GracePeriod = gracePeriod;
        MaxTiersDroppedPerEvaluation = Preconditions.CheckArgumentRange(nameof(maxTiersDroppedPerEvaluation), maxTiersDroppedPerEvaluation, 1, list.Length);
        _windowText = window == QualificationWindowKind.RollingDays
            ? string.Create(CultureInfo.InvariantCulture, $"rolling {WindowDays} days")
            : window.ToString();
    }

    /// <summary>The tiers, lowest first.</summary>
    public IReadOnlyList<TierDefinition> Tiers { get; }

    /// <summary>What qualifies.</summary>
    public TierMetric Metric { get; }

    /// <summary>The window shape.</summary>
    public QualificationWindowKind Window { get; }

    /// <summary>The rolling window's length in days (0 for calendar windows).</summary>
    public int WindowDays { get; }

    /// <summary>When members move down.</summary>
    public DowngradeMode Downgrade { get; }

    /// <summary>The grace period for <see cref="DowngradeMode.AfterGracePeriod"/>.</summary>
    public Duration GracePeriod { get; }

    /// <summary>How many tiers one evaluation may drop.</summary>
    public int MaxTiersDroppedPerEvaluation { get; }

    /// <summary>The evidence a tier change records: the metric's value and the window it was measured over, e.g. <c>PointsEarned 2400 over rolling 365 days</c>.</summary>
    internal string Evidence(decimal metricValue) =>
        string.Create(CultureInfo.InvariantCulture, $"{Metric} {metricValue} over {_windowText}");

    /// <summary>The index of the tier with <paramref name="code"/>, or -1.</summary>
    public int IndexOf(string? code)
    {
        for (var i = 0; i < Tiers.Count; i++)
        {
            if (string.Equals(Tiers[i].Code, code, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The highest tier whose threshold <paramref name="metricValue"/> reaches.</summary>
    public int QualifyingIndex(decimal metricValue)
    {
        var index = 0;
        for (var i = 1; i < Tiers.Count && Tiers[i].Threshold <= metricValue; i++)
        {
            index = i;
        }
        return index;
    }

    /// <summary>The qualification window [start, end) that contains <paramref name="at"/>.</summary>
    public (Instant Start, Instant End) WindowAt(Instant at, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(zone);
        switch (Window)
        {
            case QualificationWindowKind.CalendarMonth:
            {
                var date = TimeEdges.DateOf(at, zone);
                return (TimeEdges.StartOfMonth(zone, date.Year, date.Month, 0), TimeEdges.StartOfMonth(zone, date.Year, date.Month, 1));
            }
            case QualificationWindowKind.CalendarYear:
            {
                var year = TimeEdges.DateOf(at, zone).Year;
                return (TimeEdges.StartOfMonth(zone, year, 1, 0), TimeEdges.StartOfMonth(zone, year, 1, 12));
            }
            default:
                // Rolling: the window ends just after 'at' so that an earning at 'at' counts.
                return (TimeEdges.Plus(at, -Duration.FromDays(WindowDays)), TimeEdges.Plus(at, Duration.Epsilon));
        }
    }

    /// <summary>When a tier reached or confirmed at <paramref name="at"/> may be lost under <see cref="DowngradeMode.AtPeriodEnd"/>: the end of the following period.</summary>
    public Instant HeldUntil(Instant at, DateTimeZone zone)
    {
        if (Window == QualificationWindowKind.RollingDays)
        {
            return TimeEdges.Plus(at, Duration.FromDays(WindowDays));
        }
        var (_, end) = WindowAt(at, zone);
        return end == Instant.MaxValue ? end : WindowAt(end, zone).End;
    }
}

/// <summary>Why a member's tier changed.</summary>
public enum TierChangeReason
{
    /// <summary>The member's metric reached a higher threshold.</summary>
    Upgrade = 0,

    /// <summary>The member no longer qualified and the downgrade mode allowed moving down.</summary>
    Downgrade = 1,

    /// <summary>Staff set a tier by hand.</summary>
    OverrideSet = 2,

    /// <summary>A manual override ran out and the earned tier applies again.</summary>
    OverrideExpired = 3,
}

/// <summary>One change of a member's effective tier, with why and the evidence (metric, window, threshold or actor).</summary>
/// <param name="At">When it changed.</param>
/// <param name="From">The tier before.</param>
/// <param name="To">The tier after.</param>
/// <param name="Reason">Why.</param>
/// <param name="Evidence">The figures or the actor and reason behind it; never personal data.</param>
public sealed record TierChange(Instant At, string From, string To, TierChangeReason Reason, string Evidence)
{
    /// <summary>The tiers, instant and reason, e.g. <c>base → gold at 2026-01-01T00:00:00Z (Upgrade)</c>; never the evidence, which may quote an override's free-text reason.</summary>
    public override string ToString() => $"{From} → {To} at {At} ({Reason})";
}

/// <summary>Raised by <see cref="LoyaltyAccount"/> when a member's effective tier changes.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Change">What changed, why and the evidence.</param>
public sealed record TierChanged(LoyaltyAccountId AccountId, TierChange Change) : IDomainEvent
{
    /// <inheritdoc/>
    public Instant OccurredAt => Change.At;
}
