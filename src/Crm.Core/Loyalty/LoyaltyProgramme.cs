using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// A loyalty programme's configuration: currency, time zone, earning rules, expiry, pending period, spending order,
/// negative-balance policy, redemption rules and tiers. Passed to every <see cref="LoyaltyAccount"/> operation.
/// </summary>
/// <remarks>
/// Validated on construction; immutable and thread-safe. Changing the programme (new rules) never changes points
/// already awarded: earn entries record what was awarded and returns take back exactly that.
/// </remarks>
public sealed class LoyaltyProgramme
{
    /// <summary>Creates a programme.</summary>
    /// <param name="id">The programme id.</param>
    /// <param name="currency">The currency purchases are earned in; purchases in another currency are refused.</param>
    /// <param name="zone">The time zone for calendar expiry, tier periods and cap periods.</param>
    /// <param name="rules">The earning rules.</param>
    /// <param name="expiry">When points expire (default: never).</param>
    /// <param name="pendingPeriod">How long purchase points stay pending before they can be spent (default: none), e.g. the return window.</param>
    /// <param name="spendingOrder">Which lots debits consume first.</param>
    /// <param name="negativeBalancePolicy">What returns do when the points were already spent.</param>
    /// <param name="rounding">How money × rate becomes whole points (default: towards zero, so nobody gets a point they did not earn).</param>
    /// <param name="redemption">Redemption rules (default: a point is worth 0.01 of the currency, no minimum, no catalogue).</param>
    /// <param name="tiers">The tier policy, or null for a programme without tiers (every member is then in tier <c>MEMBER</c>).</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is invalid (see the message).</exception>
    public LoyaltyProgramme(ProgrammeId id, Currency currency, DateTimeZone zone, EarningRuleSet rules, ExpiryPolicy? expiry = null,
        Duration pendingPeriod = default, SpendingOrder spendingOrder = SpendingOrder.SoonestExpiringFirst,
        NegativeBalancePolicy negativeBalancePolicy = NegativeBalancePolicy.AllowNegative, MidpointRounding rounding = MidpointRounding.ToZero,
        RedemptionPolicy? redemption = null, TierPolicy? tiers = null)
    {
        Preconditions.CheckArgument(!id.IsDefault, nameof(id), "A programme id is required.");
        Preconditions.CheckArgument(!currency.IsDefault, nameof(currency), "A programme currency is required.");
        Id = id;
        Currency = currency;
        Zone = Preconditions.CheckNotNull(zone);
        Rules = Preconditions.CheckNotNull(rules);
        Expiry = expiry ?? ExpiryPolicy.Never;
        Preconditions.CheckArgument(pendingPeriod >= Duration.Zero, nameof(pendingPeriod), "The pending period must not be negative.");
        PendingPeriod = pendingPeriod;
        SpendingOrder = Preconditions.CheckDefined(spendingOrder);
        NegativeBalancePolicy = Preconditions.CheckDefined(negativeBalancePolicy);
        Rounding = Preconditions.CheckDefined(rounding);
        Redemption = redemption ?? new RedemptionPolicy(new Money(0.01m, currency));
        Preconditions.CheckArgument(Redemption.PointValue.Currency == currency, nameof(redemption), "The point value must be in the programme currency.");
        Tiers = tiers ?? new TierPolicy([new TierDefinition(DefaultTier, 0m)], downgrade: DowngradeMode.Never);
        foreach (var rule in rules.Rules)
        {
            if (rule is TierBonusRule bonus)
            {
                Preconditions.CheckArgument(Tiers.IndexOf(bonus.Tier) >= 0, nameof(rules), $"Rule '{bonus.Id}' names tier '{bonus.Tier}', which the tier policy does not define.");
            }
        }
        _expiry = Expiry.Kind is ExpiryKind.EndOfMonth or ExpiryKind.EndOfYear
            ? new LocalDayMemo<Instant>(zone, earnedAt => Expiry.ExpiresAt(earnedAt, Zone))
            : null;
        Engine = new EarningEngine(this);
    }

    // Calendar expiry depends only on the local date: remembered per day, as every earning needs it.
    private readonly LocalDayMemo<Instant>? _expiry;

    /// <summary>The tier of programmes without a tier policy.</summary>
    public const string DefaultTier = "MEMBER";

    /// <summary>The programme id.</summary>
    public ProgrammeId Id { get; }

    /// <summary>The currency purchases earn in.</summary>
    public Currency Currency { get; }

    /// <summary>The time zone for calendar computations.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The earning rules.</summary>
    public EarningRuleSet Rules { get; }

    /// <summary>When points expire.</summary>
    public ExpiryPolicy Expiry { get; }

    /// <summary>How long purchase points stay pending.</summary>
    public Duration PendingPeriod { get; }

    /// <summary>Which lots debits consume first.</summary>
    public SpendingOrder SpendingOrder { get; }

    /// <summary>What returns do when the points were already spent.</summary>
    public NegativeBalancePolicy NegativeBalancePolicy { get; }

    /// <summary>How money × rate becomes whole points.</summary>
    public MidpointRounding Rounding { get; }

    /// <summary>The redemption rules.</summary>
    public RedemptionPolicy Redemption { get; }

    /// <summary>The tier policy.</summary>
    public TierPolicy Tiers { get; }

    internal EarningEngine Engine { get; }

    /// <summary>When points earned at <paramref name="earnedAt"/> expire: <see cref="ExpiryPolicy.ExpiresAt"/> in the programme's zone.</summary>
    internal Instant ExpiresAt(Instant earnedAt) => _expiry?.Get(earnedAt) ?? Expiry.ExpiresAt(earnedAt, Zone);

    /// <summary>Converts a fractional number of points to whole points with <see cref="Rounding"/>.</summary>
    /// <exception cref="OverflowException">The value does not fit in a <see cref="long"/>.</exception>
    public long ToPoints(decimal points) => (long)Math.Round(points, 0, Rounding);

    /// <summary>The programme id.</summary>
    public override string ToString() => Id.ToString();
}
