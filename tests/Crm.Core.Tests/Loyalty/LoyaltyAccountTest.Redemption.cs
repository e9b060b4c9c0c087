using Crm.Core.Loyalty;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public partial class LoyaltyAccountTest
{
    [Fact]
    public void Redeem_TakesSoonestExpiringLotFirstByDefault()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        var late = account.Accrue(programme, Buy("T2", 100m, Day(5)), Day(5)).Entry;
        var early = account.Accrue(programme, Buy("T1", 100m, T0), Day(5)).Entry; // recorded later, expires sooner

        var redeem = account.Redeem(programme, 150, "R1", Day(6)).Entry;

        Assert.Equal([new LotAllocation(early.Sequence, 100), new LotAllocation(late.Sequence, 50)], redeem.Allocations);
    }

    [Fact]
    public void Redeem_OldestFirst_TakesTheLotRecordedFirst()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30), order: SpendingOrder.OldestFirst);
        var account = Open(programme);
        var first = account.Accrue(programme, Buy("T2", 100m, Day(5)), Day(5)).Entry;
        account.Accrue(programme, Buy("T1", 100m, T0), Day(5));

        var redeem = account.Redeem(programme, 60, "R1", Day(6)).Entry;

        Assert.Equal([new LotAllocation(first.Sequence, 60)], redeem.Allocations);
    }

    [Fact]
    public void Redeem_MoreThanAvailable_ThrowsAndChangesNothing()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);

        var e = Assert.Throws<InsufficientPointsException>(() => account.Redeem(programme, 101, "R1", T0));
        Assert.Equal(100, e.Available);
        Assert.Single(account.Entries);
    }

    [Fact]
    public void Redeem_BelowMinimumBalance_IsRefused()
    {
        var programme = Create(redemption: new RedemptionPolicy(new Money(0.01m, Currency.EUR), minimumBalance: 500));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 499m, T0), T0);

        var e = Assert.Throws<RedemptionRefusedException>(() => account.Redeem(programme, 10, "R1", T0));
        Assert.Equal(RedemptionRefusal.BelowMinimumBalance, e.Reason);
    }

    [Fact]
    public void Redeem_MoreThanTheMaximumOrderShare_IsRefused()
    {
        var programme = Create(redemption: new RedemptionPolicy(new Money(0.10m, Currency.EUR), maximumOrderShare: 0.5m));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 1000m, T0), T0);

        var e = Assert.Throws<RedemptionRefusedException>(() => account.Redeem(programme, 101, "R1", T0, new Money(20m, Currency.EUR)));
        Assert.Equal(RedemptionRefusal.ExceedsMaximumOrderShare, e.Reason);
        Assert.Equal(-100, account.Redeem(programme, 100, "R2", T0, new Money(20m, Currency.EUR)).Entry.Points); // 100 × 0.10 = 10 = half of 20
    }

    [Fact]
    public void RedeemReward_RespectsThePerMemberLimit_AndCancellationFreesIt()
    {
        var programme = Create(redemption: new RedemptionPolicy(new Money(0.01m, Currency.EUR), catalogue: [new Reward("MUG", 200, perMemberLimit: 1)]));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 1000m, T0), T0);
        account.RedeemReward(programme, "MUG", "R1", T0);

        var e = Assert.Throws<RedemptionRefusedException>(() => account.RedeemReward(programme, "MUG", "R2", T0));
        Assert.Equal(RedemptionRefusal.RewardLimitReached, e.Reason);
        Assert.Equal(RedemptionRefusal.UnknownReward, Assert.Throws<RedemptionRefusedException>(() => account.RedeemReward(programme, "HAT", "R3", T0)).Reason);

        account.CancelRedemption(programme, "R1", "C1", T0);
        Assert.False(account.RedeemReward(programme, "MUG", "R2", T0).AlreadyApplied);
        Assert.Equal(800, account.BalanceAt(T0).Available);
    }

    [Fact]
    public void CancelRedemption_RestoresTheOriginalLotsWithTheirExpiry()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        var lot = account.Accrue(programme, Buy("T1", 100m, T0), T0).Entry;
        account.Redeem(programme, 80, "R1", Day(1));

        // Cancelled after the lot expired: the points come back to that lot and expire with it.
        var cancelled = account.CancelRedemption(programme, "R1", "C1", Day(31)).Entry;

        Assert.Equal([new LotAllocation(lot.Sequence, 80)], cancelled.RestoredAllocations);
        Assert.Equal(0, account.BalanceAt(Day(31)).Available);
        Assert.Equal(100, account.ExpireDue(programme, Day(31))!.Allocated);
        Assert.True(account.CancelRedemption(programme, "R1", "C1", Day(32)).AlreadyApplied);
        Assert.Equal(RedemptionRefusal.AlreadyCancelled, Assert.Throws<RedemptionRefusedException>(() => account.CancelRedemption(programme, "R1", "C2", Day(32))).Reason);
        Assert.Throws<LedgerEntryNotFoundException>(() => account.CancelRedemption(programme, "nope", "C3", Day(32)));
    }

    [Fact]
    public void Transfer_MovesPointsAndNeverExtendsTheirLife()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var alice = Open(programme);
        var bob = Open(programme, Bob);
        alice.Accrue(programme, Buy("T1", 100m, T0), T0);

        var (outResult, inResult) = LoyaltyAccount.Transfer(programme, alice, bob, 40, "G1", Day(1));

        Assert.Equal(60, alice.BalanceAt(Day(1)).Available);
        Assert.Equal(40, bob.BalanceAt(Day(1)).Available);
        Assert.Equal(T0 + Duration.FromDays(30), inResult.Entry.ExpiresAt);
        Assert.Equal(bob.Id, outResult.Entry.To);
        var again = LoyaltyAccount.Transfer(programme, alice, bob, 40, "G1", Day(2));
        Assert.True(again.Out.AlreadyApplied && again.In.AlreadyApplied);
        Assert.Throws<InsufficientPointsException>(() => LoyaltyAccount.Transfer(programme, alice, bob, 61, "G2", Day(2)));
        Assert.Throws<ArgumentException>(() => LoyaltyAccount.Transfer(programme, alice, alice, 1, "G3", Day(2)));
    }

    [Fact]
    public void Adjust_CreditsWithReasonAndDebitsWithinTheBalance()
    {
        var programme = Create();
        var account = Open(programme);
        var credit = (AdjustmentCreditEntry)account.Adjust(programme, 70, "goodwill", "agent-7", "A1", T0).Entry;
        Assert.Equal(("goodwill", "agent-7"), (credit.Reason, credit.Actor));

        Assert.Throws<InsufficientPointsException>(() => account.Adjust(programme, -71, "fix", "agent-7", "A2", T0));
        Assert.Equal(-20, account.Adjust(programme, -20, "fix", "agent-7", "A3", T0).Entry.Points);
        Assert.Equal(50, account.BalanceAt(T0).Available);
        Assert.Throws<ArgumentException>(() => account.Adjust(programme, 0, "x", "y", "A4", T0));
    }
}
