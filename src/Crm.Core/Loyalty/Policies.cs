using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>Which lots a debit (redemption, transfer, negative adjustment, reversal shortfall) consumes first.</summary>
public enum SpendingOrder
{
    /// <summary>The lot that expires soonest first (ties: the oldest lot), so members lose as little as possible to expiry. The default.</summary>
    SoonestExpiringFirst = 0,

    /// <summary>The oldest lot first (first in, first out).</summary>
    OldestFirst = 1,
}

/// <summary>What happens when a return takes back points that the member has already spent.</summary>
public enum NegativeBalancePolicy
{
    /// <summary>The account goes below zero: the uncovered points become a deficit that later credits pay off first.</summary>
    AllowNegative = 0,

    /// <summary>Take what is there and stop at zero; the uncovered points are recorded on the reversal as a shortfall.</summary>
    ClampAtZero = 1,

    /// <summary>Refuse the reversal with <see cref="ReversalBlockedException"/>; nothing is changed.</summary>
    Block = 2,
}

/// <summary>How an <see cref="ExpiryPolicy"/> computes the expiry instant of a lot.</summary>
public enum ExpiryKind
{
    /// <summary>Points never expire.</summary>
    Never = 0,

    /// <summary>Points expire a fixed number of days after they were earned.</summary>
    AfterDays = 1,

    /// <summary>Points expire at the end of the month they were earned in (plus a number of months).</summary>
    EndOfMonth = 2,

    /// <summary>Points expire at the end of the year they were earned in (plus a number of years).</summary>
    EndOfYear = 3,
}

/// <summary>When points expire. Create with <see cref="Never"/>, <see cref="AfterDays"/>, <see cref="EndOfMonth"/> or <see cref="EndOfYear"/>.</summary>
/// <remarks>
/// Month and year ends are taken in the programme's time zone; a lot expires at the first instant of the following
/// month/year (the expiry instant is exclusive: the points are usable strictly before it). Immutable and thread-safe.
/// </remarks>
public sealed record ExpiryPolicy
{
    private ExpiryPolicy(ExpiryKind kind, int amount)
    {
        Kind = kind;
        Amount = amount;
    }

    /// <summary>How the expiry is computed.</summary>
    public ExpiryKind Kind { get; }

    /// <summary>Days for <see cref="ExpiryKind.AfterDays"/>; extra months/years for the calendar kinds; 0 for never.</summary>
    public int Amount { get; }

    /// <summary>Points never expire.</summary>
    public static ExpiryPolicy Never { get; } = new(ExpiryKind.Never, 0);

    /// <summary>Points expire <paramref name="days"/> × 24 hours after they were earned.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is not in [1, 36500].</exception>
    public static ExpiryPolicy AfterDays(int days) => new(ExpiryKind.AfterDays, Preconditions.CheckArgumentRange(nameof(days), days, 1, 36_500));

    /// <summary>Points expire at the end of the month they were earned in, or <paramref name="monthsAfter"/> months later.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="monthsAfter"/> is not in [0, 1200].</exception>
    public static ExpiryPolicy EndOfMonth(int monthsAfter = 0) => new(ExpiryKind.EndOfMonth, Preconditions.CheckArgumentRange(nameof(monthsAfter), monthsAfter, 0, 1200));

    /// <summary>Points expire at the end of the year they were earned in, or <paramref name="yearsAfter"/> years later.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="yearsAfter"/> is not in [0, 100].</exception>
    public static ExpiryPolicy EndOfYear(int yearsAfter = 0) => new(ExpiryKind.EndOfYear, Preconditions.CheckArgumentRange(nameof(yearsAfter), yearsAfter, 0, 100));

    /// <summary>The instant a lot earned at <paramref name="earnedAt"/> expires, or <see cref="Instant.MaxValue"/> when it never does.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public Instant ExpiresAt(Instant earnedAt, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(zone);
        switch (Kind)
        {
            case ExpiryKind.AfterDays:
                return TimeEdges.Plus(earnedAt, Duration.FromDays(Amount));
            case ExpiryKind.EndOfMonth:
            {
                var date = TimeEdges.DateOf(earnedAt, zone);
                return TimeEdges.StartOfMonth(zone, date.Year, date.Month, Amount + 1);
            }
            case ExpiryKind.EndOfYear:
                return TimeEdges.StartOfMonth(zone, TimeEdges.DateOf(earnedAt, zone).Year + Amount + 1, 1, 0);
            default:
                return Instant.MaxValue;
        }
    }

    /// <summary>For example <c>AfterDays(365)</c>.</summary>
    public override string ToString() => Kind == ExpiryKind.Never ? "Never" : $"{Kind}({Amount})";
}

/// <summary>A reward in the programme's catalogue.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record Reward
{
    /// <summary>Creates a reward.</summary>
    /// <param name="id">The reward's code.</param>
    /// <param name="cost">What it costs, in points (positive).</param>
    /// <param name="perMemberLimit">How often one member may redeem it (cancelled redemptions do not count); null for no limit.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a valid identifier.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> or <paramref name="perMemberLimit"/> is not positive.</exception>
    public Reward(string id, long cost, int? perMemberLimit = null)
    {
        Id = Identifier.Validate(id, nameof(id), "reward id");
        Cost = Preconditions.CheckPositive(cost);
        if (perMemberLimit is { } limit)
        {
            Preconditions.CheckPositive(limit, nameof(perMemberLimit));
        }
        PerMemberLimit = perMemberLimit;
    }

    /// <summary>The reward's code.</summary>
    public string Id { get; }

    /// <summary>Its cost in points.</summary>
    public long Cost { get; }

    /// <summary>How often one member may redeem it; null for no limit.</summary>
    public int? PerMemberLimit { get; }
}

/// <summary>The programme's redemption rules.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record RedemptionPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="pointValue">What one point is worth when paying for an order.</param>
    /// <param name="minimumBalance">The available balance a member needs before redeeming at all (0 for none).</param>
    /// <param name="maximumOrderShare">The largest share of an order that points may pay, in (0, 1].</param>
    /// <param name="catalogue">The rewards members can redeem; ids must be unique.</param>
    /// <exception cref="ArgumentException">The point value is not positive, or reward ids repeat.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumBalance"/> is negative or <paramref name="maximumOrderShare"/> is outside (0, 1].</exception>
    public RedemptionPolicy(Money pointValue, long minimumBalance = 0, decimal maximumOrderShare = 1m, IEnumerable<Reward>? catalogue = null)
    {
        Preconditions.CheckArgument(pointValue.Amount > 0m, nameof(pointValue), "A point must be worth more than zero.");
        Preconditions.CheckNotNegative(minimumBalance);
        Preconditions.CheckArgument(maximumOrderShare > 0m && maximumOrderShare <= 1m, nameof(maximumOrderShare),
            "The maximum share of an order payable with points must be in (0, 1], e.g. 0.5 for half.");
        var rewards = catalogue?.ToArray() ?? [];
        Preconditions.CheckArgument(Array.TrueForAll(rewards, r => r is not null), nameof(catalogue), "The catalogue must not contain null.");
        Preconditions.CheckArgument(rewards.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() == rewards.Length, nameof(catalogue), "Reward ids must be unique.");
        PointValue = pointValue;
        MinimumBalance = minimumBalance;
        MaximumOrderShare = maximumOrderShare;
        Catalogue = rewards;
    }

    /// <summary>What one point is worth.</summary>
    public Money PointValue { get; }

    /// <summary>The available balance needed before redeeming.</summary>
    public long MinimumBalance { get; }

    /// <summary>The largest share of an order that points may pay.</summary>
    public decimal MaximumOrderShare { get; }

    /// <summary>The rewards.</summary>
    public IReadOnlyList<Reward> Catalogue { get; }

    /// <summary>The reward with <paramref name="id"/>, or null.</summary>
    public Reward? FindReward(string id)
    {
        foreach (var reward in Catalogue)
        {
            if (string.Equals(reward.Id, id, StringComparison.Ordinal))
            {
                return reward;
            }
        }
        return null;
    }
}
