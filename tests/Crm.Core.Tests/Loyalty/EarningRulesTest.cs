using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public class EarningRulesTest
{
    [Fact]
    public void SpendRule_ExcludesDeliverySkusAndCategories_AndHonoursMinimumOrderValue()
    {
        var programme = Create([new SpendRule("base", 1m, minimumOrderValue: 20m, excludedSkus: ["GIFTCARD"], excludedCategories: ["tobacco"])]);
        var account = Open(programme);

        var entry = account.Accrue(programme, BuyLines("T1", T0,
            Line("A", 40m), Line("GIFTCARD", 50m), Line("CIG", 10m, "tobacco"), Line("SHIP", 5m, kind: PurchaseLineKind.Delivery)), T0).Entry;
        var small = account.Accrue(programme, Buy("T2", 19.99m, T0), T0).Entry;

        Assert.Equal(40, entry.Points);
        Assert.Equal(0, small.Points);
        Assert.Equal("no rule applied", small.Explain());
    }

    [Fact]
    public void Multipliers_AndTierBonus_MultiplyTheBasePoints_InPriorityOrder()
    {
        var tiers = new TierPolicy([new TierDefinition("BASE", 0m), new TierDefinition("GOLD", 100m)]);
        var programme = Create(
            [
                new TierBonusRule("gold", "GOLD", 1.5m, priority: 20),
                new MultiplierRule("shoes-x3", 3m, categories: ["shoes"], priority: 10),
                new SpendRule("base", 1m, priority: 0),
            ],
            tiers: tiers);
        var account = Open(programme);
        account.Accrue(programme, Buy("T0", 100m, T0), T0); // reaches GOLD

        var entry = account.Accrue(programme, BuyLines("T1", T0, Line("S", 10m, "shoes"), Line("B", 20m, "books")), T0).Entry;

        Assert.Equal(["base", "shoes-x3", "gold"], entry.Contributions.Select(c => c.RuleId));
        Assert.Equal([30L, 20L, 15L], entry.Contributions.Select(c => c.Points)); // 30 base; shoes 10 × (3-1); 30 × 0.5
        Assert.Equal(65, entry.Points);
    }

    [Fact]
    public void StopFurtherRules_EndsEvaluationWhenTheRuleAwards()
    {
        var programme = Create([new SpendRule("vip", 5m, conditions: new RuleConditions(segments: ["vip"]), stopFurtherRules: true), new SpendRule("base", 1m, priority: 1)]);
        var account = Open(programme);

        var vip = account.Accrue(programme, Buy("T1", 10m, T0), T0, new EarningContext(new HashSet<string> { "vip" })).Entry;
        var normal = account.Accrue(programme, Buy("T2", 10m, T0), T0).Entry;

        Assert.Equal(("vip", 50L), (Assert.Single(vip.Contributions).RuleId, vip.Points));
        Assert.Equal(("base", 10L), (Assert.Single(normal.Contributions).RuleId, normal.Points));
    }

    [Fact]
    public void Campaign_AppliesOnlyInsideItsWindow_AndChannelCondition()
    {
        var programme = Create(
        [
            new SpendRule("base", 1m),
            new MultiplierRule("weekend", 2m, validFrom: Day(1), validUntil: Day(3), conditions: new RuleConditions(channels: [Channel.MobileApp])),
        ]);
        var account = Open(programme);

        Assert.Equal(10, account.Accrue(programme, Buy("T1", 10m, T0, channel: Channel.MobileApp), Day(5)).Entry.Points);
        Assert.Equal(20, account.Accrue(programme, Buy("T2", 10m, Day(2), channel: Channel.MobileApp), Day(5)).Entry.Points);
        Assert.Equal(10, account.Accrue(programme, Buy("T3", 10m, Day(2), channel: Channel.Web), Day(5)).Entry.Points);
        Assert.Equal(10, account.Accrue(programme, Buy("T4", 10m, Day(3), channel: Channel.MobileApp), Day(5)).Entry.Points);
    }

    [Fact]
    public void Cap_LimitsPointsPerPeriod()
    {
        var programme = Create([new SpendRule("base", 1m, cap: new RuleCap(CapPeriod.Day, 100))]);
        var account = Open(programme);

        var first = account.Accrue(programme, Buy("T1", 80m, T0), T0).Entry;
        var second = account.Accrue(programme, Buy("T2", 80m, T0), T0).Entry;
        var third = account.Accrue(programme, Buy("T3", 80m, T0), T0).Entry;
        var nextDay = account.Accrue(programme, Buy("T4", 80m, Day(1)), Day(1)).Entry;

        Assert.Equal([80L, 20L, 0L, 80L], new[] { first.Points, second.Points, third.Points, nextDay.Points });
        Assert.True(second.Contributions[0].Capped);
    }

    [Fact]
    public void EventRules_AwardRegistrationBirthdayReferralAndCustomEvents_AndFirstPurchaseOnce()
    {
        var programme = Create(
        [
            new SpendRule("base", 1m),
            new EventRule("welcome", LoyaltyEventType.Registration, 100),
            new EventRule("bday", LoyaltyEventType.Birthday, 50),
            new EventRule("first", LoyaltyEventType.FirstPurchase, 25),
            new EventRule("ref", LoyaltyEventType.Referral, 30, referralBeneficiary: ReferralBeneficiary.Referrer),
            new EventRule("app", LoyaltyEventType.Custom, 10, customEventName: "app-installed"),
        ]);
        var account = Open(programme);

        Assert.Equal(100, account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Registration, "reg", T0), T0).Entry.Points);
        Assert.Equal(50, account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Birthday, "birthday:2026", T0), T0).Entry.Points);
        Assert.True(account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Birthday, "birthday:2026", T0), T0).AlreadyApplied);
        Assert.Equal(30, account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Referral, "ref:C-9", T0, referralRole: ReferralBeneficiary.Referrer), T0).Entry.Points);
        Assert.Equal(0, account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Referral, "ref:C-8", T0, referralRole: ReferralBeneficiary.Referred), T0).Entry.Points);
        Assert.Equal(10, account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Custom, "app", T0, customName: "app-installed"), T0).Entry.Points);
        Assert.Equal(35, account.Accrue(programme, Buy("T1", 10m, T0), T0).Entry.Points);
        Assert.Equal(10, account.Accrue(programme, Buy("T2", 10m, T0), T0).Entry.Points);
    }

    [Fact]
    public void Rounding_IsExplicit()
    {
        var rules = new EarningRuleSet([new SpendRule("base", 1m)]);
        var down = new LoyaltyProgramme(Programme, Currency.EUR, DateTimeZone.Utc, rules);
        var up = new LoyaltyProgramme(Programme, Currency.EUR, DateTimeZone.Utc, rules, rounding: MidpointRounding.ToPositiveInfinity);

        Assert.Equal(9, Open(down).Accrue(down, Buy("T1", 9.01m, T0), T0).Entry.Points);
        Assert.Equal(10, Open(up).Accrue(up, Buy("T1", 9.01m, T0), T0).Entry.Points);
    }

    [Fact]
    public void Rules_AreValidatedOnConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendRule("base", 0m));
        Assert.Throws<ArgumentException>(() => new MultiplierRule("m", 1m));
        Assert.Throws<ArgumentException>(() => new SpendRule("base", 1m, validFrom: T0, validUntil: T0));
        Assert.Throws<ArgumentException>(() => new EventRule("e", LoyaltyEventType.Custom, 10));
        Assert.Throws<ArgumentException>(() => new SpendRule(" x", 1m));
        Assert.Throws<ArgumentException>(() => new EarningRuleSet([new SpendRule("a", 1m), new SpendRule("a", 2m)]));
        Assert.Throws<ArgumentException>(() => Create([new TierBonusRule("t", "PLATINUM", 2m)]));
    }

    [Fact]
    public void Rules_RoundTripThroughJson_AndAreValidatedWhenRead()
    {
        var rules = new EarningRuleSet(
        [
            new SpendRule("base", 1.5m, minimumOrderValue: 10m, excludedSkus: ["GC"], cap: new RuleCap(CapPeriod.Month, 1000)),
            new MultiplierRule("shoes", 2m, categories: ["shoes"], validFrom: T0, validUntil: Day(7), conditions: new RuleConditions([Channel.Web], ["GOLD"], ["vip"])),
            new TierBonusRule("gold", "GOLD", 1.25m),
            new EventRule("bday", LoyaltyEventType.Birthday, 50, stopFurtherRules: true),
        ]);

        var json = rules.ToJson();
        var back = EarningRuleSet.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"type\":\"multiplier\"", json, StringComparison.Ordinal);
        Assert.Contains("2026-03-10T12:00:00Z", json, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => EarningRuleSet.FromJson(json.Replace("\"pointsPerUnit\":1.5", "\"pointsPerUnit\":-1", StringComparison.Ordinal)));
        Assert.Throws<ArgumentException>(() => EarningRuleSet.FromJson("{not json"));
    }
}
