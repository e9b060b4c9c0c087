using Crm.Core.Loyalty;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public partial class LoyaltyAccountTest
{
    [Fact]
    public void Reverse_PartialReturnsArePro_rata_AndNeverExceedWhatWasAwarded()
    {
        var programme = Create([new SpendRule("base", 1m), new MultiplierRule("double", 2m)]);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0); // 200 points

        var first = account.Reverse(programme, Refund("R1", "T1", 30m, Day(1)), Day(1)).Entry;
        var second = account.Reverse(programme, Refund("R2", "T1", 30m, Day(2)), Day(2)).Entry;
        var third = account.Reverse(programme, Refund("R3", "T1", 80m, Day(3)), Day(3)).Entry; // more money than is left

        Assert.Equal([60, 60, 80], new[] { first.PointsReversed, second.PointsReversed, third.PointsReversed });
        Assert.Equal(0, account.BalanceAt(Day(3)).Available);
        Assert.Equal(200, account.BalanceAt(Day(3)).Reversed);
    }

    [Theory]
    [InlineData(30, 10, 10)] // a third of 30 points: 10, not 9 (30 × (10 ÷ 30) is 9.999…)
    [InlineData(7, 1, 1)]
    [InlineData(99, 33, 33)]
    [InlineData(100, 1, 1)]
    [InlineData(10, 3, 3)] // 10 × 3 ÷ 10 = 3 exactly (0.3 of a 10 EUR purchase at 1 point per EUR)
    public void Reverse_ProRataIsExactWhenTheShareIsAWholeNumberOfPoints(int amount, int refunded, long expected)
    {
        var programme = Create([new SpendRule("base", 1m)]);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", amount, T0), T0);

        Assert.Equal(expected, account.Reverse(programme, "T1", refunded, "R1", Day(1)).Entry.PointsReversed);
        Assert.Equal(amount, account.Reverse(programme, "T1", amount - refunded, "R2", Day(2)).Entry.PointsReversed + expected);
    }

    [Fact]
    public void Reverse_ProRataOfHugeAwardsDoesNotOverflow()
    {
        var programme = Create([new SpendRule("base", 1_000_000_000m)]);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 9_000_000_000m, T0), T0); // 9 × 10^18 points, near long.MaxValue

        var entry = account.Reverse(programme, "T1", 3_000_000_000m, "R1", Day(1)).Entry;

        Assert.InRange(entry.PointsReversed, 2_999_999_999_999_999_000L, 3_000_000_000_000_000_000L);
    }

    [Fact]
    public void Reverse_TakesWhatWasAwardedThen_NotWhatTodaysRulesWouldGive()
    {
        var old = Create([new SpendRule("base", 2m)]);
        var account = Open(old);
        account.Accrue(old, Buy("T1", 100m, T0), T0);
        var changed = Create([new SpendRule("base", 10m)]);

        Assert.Equal(100, account.Reverse(changed, "T1", 50m, "R1", Day(1)).Entry.PointsReversed);
    }

    [Fact]
    public void Reverse_SameKeyTwice_TakesPointsOnce()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        var refund = Refund("R1", "T1", 50m, Day(1));

        account.Reverse(programme, refund, Day(1));
        Assert.True(account.Reverse(programme, refund, Day(2)).AlreadyApplied);
        Assert.Equal(50, account.BalanceAt(Day(2)).Available);
    }

    [Fact]
    public void Reverse_SpentPoints_AllowNegative_OwesTheShortfallAndLaterEarningsPayIt()
    {
        var programme = Create(negative: NegativeBalancePolicy.AllowNegative);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Redeem(programme, 90, "R1", T0);

        var reverse = account.Reverse(programme, "T1", 100m, "RF1", Day(1)).Entry;

        Assert.Equal((10L, 90L), (reverse.Allocated, reverse.DeficitAdded));
        Assert.Equal(-90, account.BalanceAt(Day(1)).Available);
        Assert.Equal(90, account.Deficit);
        account.Accrue(programme, Buy("T2", 200m, Day(2)), Day(2));
        Assert.Equal(110, account.BalanceAt(Day(2)).Available);
        Assert.Equal(0, account.Deficit);
    }

    [Fact]
    public void Reverse_SpentPoints_ClampAtZero_RecordsTheShortfall()
    {
        var programme = Create(negative: NegativeBalancePolicy.ClampAtZero);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Accrue(programme, Buy("T2", 20m, T0), T0);
        account.Redeem(programme, 110, "R1", T0);

        var reverse = account.Reverse(programme, "T1", 100m, "RF1", Day(1)).Entry;

        Assert.Equal(10, reverse.Allocated); // the 10 left, taken from the other purchase's lot
        Assert.Equal(90, reverse.Shortfall);
        Assert.Equal(0, account.BalanceAt(Day(1)).Available);
    }

    [Fact]
    public void Reverse_SpentPoints_Block_ThrowsAndChangesNothing()
    {
        var programme = Create(negative: NegativeBalancePolicy.Block);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Redeem(programme, 90, "R1", T0);

        var e = Assert.Throws<ReversalBlockedException>(() => account.Reverse(programme, "T1", 100m, "RF1", Day(1)));
        Assert.Equal(90, e.Shortfall);
        Assert.Equal(2, account.Entries.Count);
    }

    [Fact]
    public void Reverse_ExpiredPointsAreNotTakenAgain()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Accrue(programme, Buy("T2", 100m, Day(20)), Day(20));
        account.ExpireDue(programme, Day(31));

        var reverse = account.Reverse(programme, "T1", 100m, "RF1", Day(32)).Entry;

        Assert.Equal((0L, 100L), (reverse.Allocated, reverse.ForgivenExpired));
        Assert.Equal(100, account.BalanceAt(Day(32)).Available);
    }

    [Fact]
    public void Reverse_UnknownPurchase_Throws()
    {
        var programme = Create();
        var account = Open(programme);
        Assert.Throws<LedgerEntryNotFoundException>(() => account.Reverse(programme, "T9", 10m, "RF1", T0));
    }
}
