using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>
/// What engagement evaluation needs to know about a customer's purchases: how many distinct purchase days,
/// the first, last and previous one, and the typical interval (median gap) with and without the last one.
/// </summary>
/// <remarks>
/// <para>
/// The unit is the purchase <em>day</em> in the host's time zone: two orders on one day are one visit (a basket
/// split into two orders must not halve the customer's typical interval). Refunds are not purchases.
/// </para>
/// <para>
/// The summary is a small value (no references), so that millions of them evaluate in a tight loop without
/// allocating. Build it with <see cref="FromPurchaseDates"/> or <see cref="FromPurchases"/>, or, when a data
/// warehouse already computes the figures, with <see cref="Create"/>. The "before last" figures make
/// reactivation a pure function of the purchase history: a customer is Reactivated when, on the day of their
/// last purchase, their history up to the previous purchase said Lapsed or Churned.
/// </para>
/// <para>Immutable and thread-safe; equality is by value.</para>
/// </remarks>
public readonly record struct PurchaseSummary
{
    // Days are DateOnly.DayNumber values (days since 0001-01-01): cheap to subtract in the hot loop.
    private readonly int _first;
    private readonly int _last;
    private readonly int _previous;
    private readonly double _interval;     // NaN: fewer than two purchase days
    private readonly int _reactivatedOn;   // NoReactivation: none within the window

    private const int NoReactivation = int.MinValue;

    private PurchaseSummary(int purchaseDays, int first, int last, int previous, double interval, int reactivatedOn)
    {
        PurchaseDays = purchaseDays;
        _first = first;
        _last = last;
        _previous = previous;
        _interval = interval;
        _reactivatedOn = reactivatedOn;
    }

    /// <summary>A customer who has not purchased.</summary>
    public static PurchaseSummary Empty => default;

    /// <summary>The number of distinct days with at least one purchase.</summary>
    public int PurchaseDays { get; }

    /// <summary>Whether there are no purchases.</summary>
    public bool IsEmpty => PurchaseDays == 0;

    /// <summary>The day of the first purchase, or null when there is none.</summary>
    public LocalDate? FirstPurchase => IsEmpty ? null : ToDate(_first);

    /// <summary>The day of the last purchase, or null when there is none.</summary>
    public LocalDate? LastPurchase => IsEmpty ? null : ToDate(_last);

    /// <summary>The purchase day before the last one, or null with fewer than two purchase days.</summary>
    public LocalDate? PreviousPurchase => PurchaseDays < 2 ? null : ToDate(_previous);

    /// <summary>The median gap in days between consecutive purchase days, or null with fewer than two purchase days.</summary>
    public double? TypicalIntervalDays => PurchaseDays < 2 ? null : _interval;

    /// <summary>
    /// The latest purchase day that brought the customer back: on that day, judged on the purchases before it, they
    /// were Lapsed or Churned. Only purchases within <see cref="EngagementRules.ReactivationDays"/> of the last
    /// purchase are looked at (older ones can no longer make anyone Reactivated); null when there is none.
    /// </summary>
    /// <remarks>
    /// This is the one figure that depends on the rules: it is judged with the rules passed when summarising (the
    /// defaults unless given). Evaluate with the same rules.
    /// </remarks>
    public LocalDate? ReactivatedOn => IsEmpty || _reactivatedOn == NoReactivation ? null : ToDate(_reactivatedOn);

    /// <summary>Purchase days after the first one (the "frequency" x of BG/NBD).</summary>
    public int RepeatPurchaseDays => PurchaseDays == 0 ? 0 : PurchaseDays - 1;

    /// <summary>Days from the first to the last purchase (the "recency" t<sub>x</sub> of BG/NBD); 0 without purchases.</summary>
    public int RecencyDays => IsEmpty ? 0 : _last - _first;

    internal int FirstDayNumber => _first;

    internal int LastDayNumber => _last;

    internal int PreviousDayNumber => _previous;

    internal double IntervalRaw => _interval;

    internal bool HasReactivation => _reactivatedOn != NoReactivation && !IsEmpty;

    internal int ReactivatedOnDayNumber => _reactivatedOn;

    /// <summary>Days from the first purchase to <paramref name="asOf"/> (the customer's "age" T of BG/NBD).</summary>
    /// <exception cref="InvalidOperationException">There are no purchases.</exception>
    public int AgeDays(LocalDate asOf) => DayNumber(asOf) - RequirePurchases()._first;

    /// <summary>Days from the last purchase to <paramref name="asOf"/>.</summary>
    /// <exception cref="InvalidOperationException">There are no purchases.</exception>
    public int DaysSinceLastPurchase(LocalDate asOf) => DayNumber(asOf) - RequirePurchases()._last;

    /// <summary>Summarises purchase days (in any order, duplicates allowed).</summary>
    /// <param name="purchaseDates">The days on which the customer purchased.</param>
    /// <param name="rules">The rules <see cref="ReactivatedOn"/> is judged by; <see cref="EngagementRules.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="purchaseDates"/> is null.</exception>
    /// <exception cref="ArgumentException">The rules are inconsistent (see <see cref="EngagementRules.Validate"/>).</exception>
    public static PurchaseSummary FromPurchaseDates(IEnumerable<LocalDate> purchaseDates, EngagementRules? rules = null)
    {
        Preconditions.CheckNotNull(purchaseDates);
        var days = purchaseDates.Select(DayNumber).Distinct().Order().ToArray();
        return FromSortedDistinctDays(days, EngagementEvaluator.ForRules(rules));
    }

    /// <summary>Summarises purchases, taking the purchase day in <paramref name="zone"/> and skipping refunds.</summary>
    /// <param name="purchases">The customer's purchases (other customers' purchases are not filtered out: pass one customer's).</param>
    /// <param name="zone">The time zone whose calendar days count as purchase days (usually the business's zone).</param>
    /// <param name="rules">The rules <see cref="ReactivatedOn"/> is judged by; <see cref="EngagementRules.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null, or <paramref name="purchases"/> contains null.</exception>
    public static PurchaseSummary FromPurchases(IEnumerable<Purchase> purchases, DateTimeZone zone, EngagementRules? rules = null)
    {
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(zone);
        var list = purchases.ToList();
        Preconditions.CheckArgument(list.TrueForAll(p => p is not null), nameof(purchases), "Purchases must not contain null.");
        return FromPurchaseDates(list.Where(p => !p.IsRefund).Select(p => p.OccurredAt.InZone(zone).Date), rules);
    }

    /// <summary>
    /// Creates a summary from figures computed elsewhere (a data warehouse). Prefer <see cref="FromPurchaseDates"/>
    /// when the days are at hand: it cannot get the figures inconsistent.
    /// </summary>
    /// <param name="purchaseDays">Distinct purchase days; at least 1.</param>
    /// <param name="firstPurchase">The first purchase day.</param>
    /// <param name="lastPurchase">The last purchase day; equal to the first when there is one purchase day.</param>
    /// <param name="previousPurchase">The purchase day before the last; required with two or more purchase days.</param>
    /// <param name="typicalIntervalDays">The median gap between consecutive purchase days; required with two or more.</param>
    /// <param name="reactivatedOn">The latest purchase day that ended a lapse or churn, within the reactivation window (see <see cref="ReactivatedOn"/>), if any.</param>
    /// <exception cref="ArgumentException">The figures contradict each other (see the parameters).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purchaseDays"/> is below 1 or an interval is not positive.</exception>
    public static PurchaseSummary Create(int purchaseDays, LocalDate firstPurchase, LocalDate lastPurchase, LocalDate? previousPurchase = null,
        double? typicalIntervalDays = null, LocalDate? reactivatedOn = null)
    {
        Preconditions.CheckPositive(purchaseDays);
        int first = DayNumber(firstPurchase), last = DayNumber(lastPurchase);
        Preconditions.CheckArgument(last - first >= purchaseDays - 1, nameof(lastPurchase),
            "The last purchase day must be at least purchaseDays - 1 days after the first (days are distinct).");
        if (purchaseDays == 1)
        {
            Preconditions.CheckArgument(previousPurchase is null && typicalIntervalDays is null && reactivatedOn is null,
                nameof(previousPurchase), "With one purchase day there is no previous purchase, interval or reactivation: pass null.");
            return new PurchaseSummary(1, first, last, 0, double.NaN, NoReactivation);
        }
        Preconditions.CheckArgument(previousPurchase is not null, nameof(previousPurchase), "With two or more purchase days the previous purchase day is required.");
        var previous = DayNumber(previousPurchase.Value);
        Preconditions.CheckArgument(previous >= first && previous < last, nameof(previousPurchase),
            "The previous purchase day must lie on or after the first and before the last.");
        Preconditions.CheckArgument(purchaseDays != 2 || previous == first, nameof(previousPurchase),
            "With two purchase days the previous purchase is the first.");
        var interval = CheckInterval(typicalIntervalDays, nameof(typicalIntervalDays));
        var reactivation = NoReactivation;
        if (reactivatedOn is { } r)
        {
            reactivation = DayNumber(r);
            Preconditions.CheckArgument(reactivation > first && reactivation <= last, nameof(reactivatedOn),
                "A reactivation is a purchase day after the first and not after the last.");
        }
        return new PurchaseSummary(purchaseDays, first, last, previous, interval, reactivation);
    }

    internal static int DayNumber(LocalDate date)
    {
        CheckSupported(date, nameof(date));
        return date.ToDateOnly().DayNumber;
    }

    /// <summary>Refuses days before 0001-01-01 (day numbers count from it), naming the caller's parameter.</summary>
    internal static void CheckSupported(LocalDate date, string paramName) =>
        Preconditions.CheckInRange(date.Year >= 1, paramName, date, "Purchase and evaluation days before 0001-01-01 are not supported.");

    private static LocalDate ToDate(int dayNumber) => LocalDate.FromDateOnly(DateOnly.FromDayNumber(dayNumber));

    private static PurchaseSummary FromSortedDistinctDays(int[] days, EngagementEvaluator judge)
    {
        var n = days.Length;
        var summary = Prefix(days, n);
        if (n < 2)
        {
            return summary;
        }
        // The latest purchase that ended a lapse: walk back over the purchases that can still count (within the
        // reactivation window of the last purchase) and judge each on the history before it, on its own day.
        var window = judge.Rules.ReactivationDays;
        for (var i = n - 1; i >= 1 && days[n - 1] - days[i] < window; i--)
        {
            var before = Prefix(days, i);
            if (judge.Judge(in before, days[i]) is EngagementStatus.Lapsed or EngagementStatus.Churned)
            {
                return new PurchaseSummary(n, summary._first, summary._last, summary._previous, summary._interval, days[i]);
            }
        }
        return summary;
    }

    /// <summary>The summary of the first <paramref name="count"/> days, without reactivation.</summary>
    private static PurchaseSummary Prefix(int[] days, int count)
    {
        if (count == 0)
        {
            return Empty;
        }
        if (count == 1)
        {
            return new PurchaseSummary(1, days[0], days[0], 0, double.NaN, NoReactivation);
        }
        var gaps = new int[count - 1];
        for (var i = 1; i < count; i++)
        {
            gaps[i - 1] = days[i] - days[i - 1];
        }
        return new PurchaseSummary(count, days[0], days[count - 1], days[count - 2], Median(gaps), NoReactivation);
    }

    private static double Median(int[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    }

    private static double CheckInterval(double? value, string paramName)
    {
        Preconditions.CheckArgument(value is not null, paramName, "The interval is required for this many purchase days.");
        if (!(value.Value >= 1.0))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A typical interval between distinct purchase days is at least 1 day.");
        }
        return value.Value;
    }

    private PurchaseSummary RequirePurchases() =>
        IsEmpty ? throw new InvalidOperationException("The customer has no purchases; check IsEmpty first.") : this;
}
