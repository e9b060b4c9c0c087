using Crm.Core.Loyalty;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public partial class LoyaltyAccountTest
{
    [Fact]
    public void ExpiryPolicies_ComputeTheirInstants()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var earned = Instant.FromUtc(2026, 3, 10, 12, 0);
        Assert.Equal(earned + Duration.FromDays(30), ExpiryPolicy.AfterDays(30).ExpiresAt(earned, zone));
        Assert.Equal(Instant.FromUtc(2026, 3, 31, 22, 0), ExpiryPolicy.EndOfMonth().ExpiresAt(earned, zone)); // 1 April 00:00 CEST
        Assert.Equal(Instant.FromUtc(2027, 12, 31, 23, 0), ExpiryPolicy.EndOfYear(1).ExpiresAt(earned, zone));
        Assert.Equal(Instant.MaxValue, ExpiryPolicy.Never.ExpiresAt(earned, zone));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpiryPolicy.AfterDays(0));
    }

    [Fact]
    public void ExpireDue_ExpiresOnlyRemainingPointsAndIsIdempotent()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 100m, T0), T0);
        account.Redeem(programme, 30, "R1", Day(1));

        Assert.Equal(70, account.BalanceAt(Day(30)).Expired); // due, even before ExpireDue runs
        Assert.Equal(0, account.BalanceAt(Day(30)).Available);
        var expired = account.ExpireDue(programme, Day(30));
        Assert.Equal(70, expired!.Allocated);
        Assert.Null(account.ExpireDue(programme, Day(30)));
        Assert.Null(account.ExpireDue(programme, Day(40)));
        Assert.Equal(new LoyaltyBalance(0, 0, 70, 30, 100, 0, 0), account.BalanceAt(Day(40)));
    }

    [Fact]
    public void ExpiringWithin_ListsLotsForReminders()
    {
        var programme = Create(expiry: ExpiryPolicy.AfterDays(30));
        var account = Open(programme);
        var first = account.Accrue(programme, Buy("T1", 100m, T0), T0).Entry;
        account.Accrue(programme, Buy("T2", 50m, Day(10)), Day(10));

        var soon = account.ExpiringWithin(Day(20), Duration.FromDays(15));

        Assert.Equal([new ExpiringPoints(first.Sequence, 100, Day(30))], soon);
        Assert.Equal(2, account.ExpiringWithin(Day(20), Duration.FromDays(30)).Count);
    }
}
