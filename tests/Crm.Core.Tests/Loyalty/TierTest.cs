using Crm.Core.Loyalty;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public class TierTest
{
    private static readonly TierDefinition[] Ladder =
        [new("BRONZE", 0m), new("SILVER", 100m), new("GOLD", 500m), new("PLATINUM", 1000m)];

    [Fact]
    public void Accrue_UpgradesImmediately_WithEvidenceAndEvent()
    {
        var programme = Create(tiers: new TierPolicy(Ladder));
        var account = Open(programme);

        account.Accrue(programme, Buy("T1", 600m, T0), T0);

        Assert.Equal("GOLD", account.Tier);
        var change = Assert.Single(account.TierHistory);
        Assert.Equal(("BRONZE", "GOLD", TierChangeReason.Upgrade), (change.From, change.To, change.Reason));
        Assert.Contains("PointsEarned 600", change.Evidence, StringComparison.Ordinal);
        Assert.Equal(change, Assert.IsType<TierChanged>(Assert.Single(account.DomainEvents)).Change);
    }

    [Fact]
    public void Downgrade_AtPeriodEnd_DropsAtMostOneTierPerEvaluation()
    {
        var programme = Create(tiers: new TierPolicy(Ladder, window: QualificationWindowKind.CalendarYear));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 1200m, T0), T0); // PLATINUM in 2026

        Assert.Null(account.EvaluateTier(programme, Instant.FromUtc(2026, 12, 31, 0, 0)));
        Assert.Null(account.EvaluateTier(programme, Instant.FromUtc(2027, 6, 1, 0, 0))); // held until the end of 2027
        var change = account.EvaluateTier(programme, Instant.FromUtc(2028, 1, 1, 0, 0));

        Assert.Equal(("PLATINUM", "GOLD", TierChangeReason.Downgrade), (change!.From, change.To, change.Reason));
        Assert.Null(account.EvaluateTier(programme, Instant.FromUtc(2028, 1, 2, 0, 0))); // held again until the end of 2029
    }

    [Fact]
    public void Downgrade_AfterGracePeriod_AndConfigurableDrop()
    {
        var policy = new TierPolicy(Ladder, windowDays: 30, downgrade: DowngradeMode.AfterGracePeriod, gracePeriod: Duration.FromDays(10), maxTiersDroppedPerEvaluation: 3);
        var programme = Create(tiers: policy);
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 1200m, T0), T0);

        Assert.Null(account.EvaluateTier(programme, Day(29))); // still qualifies: last qualified at Day 29
        Assert.Null(account.EvaluateTier(programme, Day(35))); // below since Day 30, but within 10 days of Day 29
        var change = account.EvaluateTier(programme, Day(40));

        Assert.Equal(("PLATINUM", "BRONZE", TierChangeReason.Downgrade), (change!.From, change.To, change.Reason));
        Assert.Equal("BRONZE", account.Tier);
    }

    [Fact]
    public void Downgrade_Never_KeepsTheTier()
    {
        var programme = Create(tiers: new TierPolicy(Ladder, windowDays: 30, downgrade: DowngradeMode.Never));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 150m, T0), T0);

        Assert.Null(account.EvaluateTier(programme, Day(400)));
        Assert.Equal("SILVER", account.Tier);
    }

    [Fact]
    public void Override_AppliesUntilItEnds_ThenTheEarnedTierReturns()
    {
        var programme = Create(tiers: new TierPolicy(Ladder));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 150m, T0), T0);

        var set = account.SetTierOverride(programme, "PLATINUM", Day(30), "complaint-goodwill", "agent-7", Day(1));
        Assert.Equal(("SILVER", "PLATINUM", TierChangeReason.OverrideSet), (set!.From, set.To, set.Reason));

        var ended = account.EvaluateTier(programme, Day(31));
        Assert.Equal(("PLATINUM", "SILVER", TierChangeReason.OverrideExpired), (ended!.From, ended.To, ended.Reason));
        Assert.Null(account.TierOverride);
        Assert.Throws<ArgumentException>(() => account.SetTierOverride(programme, "DIAMOND", Day(60), "x", "y", Day(31)));
    }

    [Fact]
    public void Metrics_SpendAndPurchaseCount_NetOfReturns()
    {
        var spend = Create(tiers: new TierPolicy(Ladder, metric: TierMetric.Spend));
        var count = Create(tiers: new TierPolicy([new("BRONZE", 0m), new("REGULAR", 3m)], metric: TierMetric.PurchaseCount));
        var a = Open(spend);
        var b = Open(count);
        a.Accrue(spend, Buy("T1", 99m, T0), T0);
        a.Accrue(spend, Buy("T2", 1m, T0), T0);
        b.Accrue(count, Buy("T1", 5m, T0), T0);
        b.Accrue(count, Buy("T2", 5m, T0), T0);
        b.Reverse(count, "T1", 5m, "R1", T0);
        b.Accrue(count, Buy("T3", 5m, T0), T0);

        Assert.Equal("SILVER", a.Tier);
        Assert.Equal("BRONZE", b.Tier); // T1 was returned in full: two purchases count
        b.Accrue(count, Buy("T4", 5m, T0), T0);
        Assert.Equal("REGULAR", b.Tier);
    }

    [Fact]
    public void TierPolicy_IsValidated()
    {
        Assert.Throws<ArgumentException>(() => new TierPolicy([new("A", 10m)]));
        Assert.Throws<ArgumentException>(() => new TierPolicy([new("A", 0m), new("B", 0m)]));
        Assert.Throws<ArgumentException>(() => new TierPolicy([new("A", 0m), new("A", 5m)]));
        Assert.Throws<ArgumentException>(() => new TierPolicy([new("A", 0m)], downgrade: DowngradeMode.AfterGracePeriod));
    }
}
