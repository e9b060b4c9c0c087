using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

// Inputs at the edges of the types (huge amounts, the end of time, programmes that changed): refused with argument
// exceptions before anything changes, or computed with saturating dates — never an overflow after half an operation.
public partial class LoyaltyAccountTest
{
    private static readonly TierPolicy ThreeTiers = new([new("BASE", 0m), new("SILVER", 100m), new("GOLD", 200m)]);

    [Fact]
    public void An_account_in_a_tier_the_programme_no_longer_has_counts_as_in_its_highest_tier()
    {
        var before = Create(tiers: ThreeTiers);
        var account = Open(before);
        account.Accrue(before, Buy("T1", 250m, T0), T0);
        Assert.Equal("GOLD", account.Tier);
        var after = Create(tiers: new TierPolicy([new("BASE", 0m), new("SILVER", 100m)]));

        Assert.Equal("SILVER", account.EarnedTier(after));
        var earned = account.Accrue(after, Buy("T2", 10m, Day(1)), Day(1));
        var removed = account.EvaluateTier(after, Day(2)); // still qualifies for the highest tier there is
        var change = account.EvaluateTier(after, Day(400)); // the year's points fell out of the window

        Assert.Equal(10, earned.Entry.Credited);
        Assert.Equal(("GOLD", "SILVER", TierChangeReason.Downgrade), (removed!.From, removed.To, removed.Reason));
        Assert.Contains("no longer in the programme", removed.Evidence, StringComparison.Ordinal);
        Assert.Equal("BASE", account.EarnedTier(after));
        Assert.Equal(("SILVER", "BASE"), (change!.From, change.To));
        Assert.Equal("BASE", account.Tier);
    }

    [Fact]
    public void An_accrual_too_large_to_count_changes_nothing_not_even_an_override_that_ran_out()
    {
        var programme = Create(tiers: ThreeTiers);
        var account = Open(programme);
        account.SetTierOverride(programme, "GOLD", Day(1), "goodwill", "staff-1", T0);
        var history = account.TierHistory.Count;

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => account.Accrue(programme, Buy("T1", 10_000_000_000_000_000_000m, Day(2)), Day(2)));

        Assert.Equal("purchase", refused.ParamName);
        Assert.Empty(account.Entries);
        Assert.Equal(history, account.TierHistory.Count);
        Assert.NotNull(account.TierOverride);
        Assert.Equal("GOLD", account.Tier);
    }

    [Fact]
    public void Adjustments_cannot_wrap_a_balance_around()
    {
        var programme = Create();
        var account = Open(programme);

        Assert.Equal("points", Assert.Throws<ArgumentException>(() => account.Adjust(programme, long.MinValue, "fix", "staff-1", "A0", T0)).ParamName);
        account.Adjust(programme, long.MaxValue - 5, "fix", "staff-1", "A1", T0);
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => account.Adjust(programme, 10, "fix", "staff-1", "A2", T0));
        var purchase = Assert.Throws<ArgumentOutOfRangeException>(() => account.Accrue(programme, Buy("T1", 10m, T0), T0));

        Assert.Equal("points", refused.ParamName);
        Assert.Equal("purchase", purchase.ParamName);
        Assert.Equal(long.MaxValue - 5, account.BalanceAt(T0).Available);
        Assert.Single(account.Entries);
    }

    [Fact]
    public void Pro_rata_shares_of_awards_near_longs_range_divide_first_and_a_full_refund_takes_everything()
    {
        var programme = Create([new SpendRule("base", 1_000_000_000m)]);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 9_000_000_000m, T0), T0); // 9 × 10^18 points

        var most = account.Reverse(programme, "T1", 8_999_999_999m, "R1", Day(1)).Entry; // beyond decimal's range multiplied first
        var rest = account.Reverse(programme, "T1", 1m, "R2", Day(2)).Entry;

        Assert.InRange(most.PointsReversed, 8_999_999_998_000_000_000L, 8_999_999_999_000_000_000L);
        Assert.Equal(9_000_000_000_000_000_000L, most.PointsReversed + rest.PointsReversed);
        Assert.Equal(0, account.BalanceAt(Day(2)).Available);
    }

    [Fact]
    public void Refunds_far_beyond_the_purchase_total_take_back_the_award_once_and_never_overflow()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 40m, T0), T0);

        var first = account.Reverse(programme, "T1", decimal.MaxValue, "R1", Day(1)).Entry;
        var second = account.Reverse(programme, "T1", 1m, "R2", Day(2)).Entry;
        var third = account.Reverse(programme, "T1", decimal.MaxValue, "R3", Day(3)).Entry;

        Assert.Equal([40, 0, 0], new[] { first.PointsReversed, second.PointsReversed, third.PointsReversed });
        Assert.Equal(0, account.BalanceAt(Day(3)).Available);
    }

    [Fact]
    public void Tiers_and_expiry_at_the_end_of_time_saturate_instead_of_throwing()
    {
        var rolling = Create(tiers: ThreeTiers, expiry: ExpiryPolicy.EndOfYear(1));
        var account = Open(rolling);
        var late = Instant.MaxValue - Duration.FromDays(1);
        account.Accrue(rolling, Buy("T1", 250m, late), late);
        var calendar = Create(tiers: new TierPolicy([new("BASE", 0m), new("GOLD", 100m)], window: QualificationWindowKind.CalendarYear),
            expiry: ExpiryPolicy.EndOfMonth());
        var other = Open(calendar);
        other.Accrue(calendar, Buy("T1", 150m, late), late);

        Assert.Equal("GOLD", account.Tier);
        Assert.Null(account.EvaluateTier(rolling, Instant.MaxValue));
        Assert.Equal("GOLD", other.Tier);
        Assert.Null(other.EvaluateTier(calendar, Instant.MaxValue));
        Assert.Null(Assert.Single(account.Lots).ExpiresAt); // the end of the next year is past the end of time: never
        Assert.Equal(Instant.MaxValue, ExpiryPolicy.EndOfYear().ExpiresAt(Instant.FromUtc(9999, 6, 1, 0, 0), DateTimeZone.Utc));
        Assert.Equal(Instant.FromUtc(9999, 12, 1, 0, 0), ExpiryPolicy.EndOfMonth().ExpiresAt(Instant.FromUtc(9999, 11, 15, 0, 0), DateTimeZone.Utc));
        Assert.Equal(Instant.MaxValue, ExpiryPolicy.EndOfMonth().ExpiresAt(Instant.FromUtc(9999, 12, 15, 0, 0), DateTimeZone.Utc));
        Assert.Equal(Instant.FromUtc(2027, 1, 1, 0, 0), ExpiryPolicy.EndOfYear().ExpiresAt(Instant.FromUtc(2026, 6, 1, 0, 0), DateTimeZone.Utc));
    }

    [Fact]
    public void Reminders_for_everything_that_expires_take_the_longest_window()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 25m, T0), T0);

        Assert.Equal(25, Assert.Single(account.ExpiringWithin(T0, Duration.MaxValue)).Points);
        Assert.Equal("within", Assert.Throws<ArgumentOutOfRangeException>(() => account.ExpiringWithin(T0, -Duration.Epsilon)).ParamName);
    }

    [Fact]
    public void Rules_json_without_a_rule_type_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => EarningRuleSet.FromJson("[{\"id\":\"x\",\"pointsPerUnit\":1}]"));

        Assert.Equal("json", error.ParamName);
    }

    [Fact]
    public void Purchases_beyond_decimals_range_are_argument_errors()
    {
        var huge = new Money(decimal.MaxValue / 2 + 1m, Currency.EUR);

        Assert.Equal("quantity", Assert.Throws<ArgumentException>(() => new PurchaseLine(new Sku("S"), 3m, huge)).ParamName);
        Assert.Equal("lines", Assert.Throws<ArgumentException>(() => Purchase.Create(new TransactionId("T1"), Alice, T0, Channel.Web,
            [new PurchaseLine(new Sku("S"), 1m, huge), new PurchaseLine(new Sku("S"), 1m, huge)])).ParamName);
    }
}
