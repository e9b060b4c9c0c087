using Crm.Core.Loyalty;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public partial class LoyaltyAccountTest
{
    [Fact]
    public void Accrue_AwardsSpendPointsAsOneLotWithExplanation()
    {
        var programme = Create();
        var account = Open(programme);

        var result = account.Accrue(programme, Buy("T1", 123.99m, T0), T0);

        Assert.False(result.AlreadyApplied);
        Assert.Equal(123, result.Entry.Points); // 123.99 × 1, rounded towards zero
        var contribution = Assert.Single(result.Entry.Contributions);
        Assert.Equal("base", contribution.RuleId);
        Assert.Contains("123.99 eligible spend", result.Entry.Explain(), StringComparison.Ordinal);
        Assert.Equal(123, account.BalanceAt(T0).Available);
        Assert.Equal(123, Assert.Single(account.Lots).Remaining);
    }

    [Fact]
    public void Accrue_SameTransactionTwice_ChangesNothingAndReturnsTheOriginal()
    {
        var programme = Create();
        var account = Open(programme);
        var first = account.Accrue(programme, Buy("T1", 50m, T0), T0);

        var second = account.Accrue(programme, Buy("T1", 999m, T0), Day(1));

        Assert.True(second.AlreadyApplied);
        Assert.Same(first.Entry, second.Entry);
        Assert.Single(account.Entries);
        Assert.Equal(50, account.BalanceAt(Day(1)).Available);
    }

    [Fact]
    public void Accrue_KeyUsedByAnotherKind_Throws()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 50m, T0), T0);
        account.Redeem(programme, 10, "X", T0);

        Assert.Throws<IdempotencyKeyConflictException>(() => account.Accrue(programme, Buy("X", 5m, T0), T0));
        Assert.Equal(2, account.Entries.Count);
    }

    [Fact]
    public void Accrue_RefundOrOtherCurrency_IsRefusedWithoutChange()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 50m, T0), T0);

        Assert.Throws<ArgumentException>(() => account.Accrue(programme, Refund("R1", "T1", 10m, T0), T0));
        var usd = Crm.Core.Purchases.Purchase.Create(new("T2"), Alice, T0, Channel.Web, new Money(10m, Currency.USD));
        Assert.Throws<CurrencyMismatchException>(() => account.Accrue(programme, usd, T0));
        Assert.Single(account.Entries);
    }

    [Fact]
    public void PendingPoints_BecomeAvailableAfterThePendingPeriod()
    {
        var programme = Create(pending: Duration.FromDays(14));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);

        Assert.Equal(new LoyaltyBalance(0, 100, 0, 0, 100, 0, 0), account.BalanceAt(T0));
        Assert.Equal(100, account.BalanceAt(Day(14)).Available);
        Assert.Throws<InsufficientPointsException>(() => account.Redeem(programme, 1, "R", Day(13)));
    }

    [Fact]
    public void BalanceAt_APastInstant_ReplaysOnlyTheEntriesUpToIt()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Accrue(programme, Buy("T2", 50m, Day(2)), Day(2));
        account.Redeem(programme, 30, "R1", Day(3));

        Assert.Equal(100, account.BalanceAt(Day(1)).Available);
        Assert.Equal(150, account.BalanceAt(Day(2)).Available);
        Assert.Equal(new LoyaltyBalance(120, 0, 0, 30, 150, 0, 0), account.BalanceAt(Day(3)));
        Assert.Equal(0, account.BalanceAt(T0 - Duration.FromDays(1)).LifetimeEarned);
    }

    [Fact]
    public void LedgerTime_NeverGoesBackwards()
    {
        var programme = Create();
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), Day(5));
        var late = account.Accrue(programme, Buy("T2", 10m, T0), Day(1)).Entry;

        Assert.Equal(Day(5), late.At);
        Assert.Equal(T0, late.EarnedAt);
    }

    [Fact]
    public void Open_ForAnotherProgramme_Throws()
    {
        var programme = Create();
        var id = new LoyaltyAccountId(new ProgrammeId("other"), Alice);
        Assert.Throws<ArgumentException>(() => LoyaltyAccount.Open(id, programme, T0));
    }

    [Fact]
    public void ToString_ShowsIdentifiersAndPointsOnly()
    {
        var programme = Create();
        var account = Open(programme);
        var entry = account.Accrue(programme, Buy("T1", 100m, T0), T0).Entry;
        Assert.Equal("#1 Earn +100 at 2026-03-10T12:00:00Z", entry.ToString());
        Assert.Equal("club/C-1", account.Id.ToString());
    }
}
