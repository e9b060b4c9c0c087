using Crm.Core.Loyalty;
using Crm.Core.Segmentation;
using NodaTime;
using static Crm.Core.Tests.Loyalty.LoyaltyTestData;

namespace Crm.Core.Tests.Loyalty;

public class LoyaltySegmentationTest
{
    [Fact]
    public void CustomerCondition_UsesTheSegmentationRuleLanguageOnTheProfile()
    {
        var germans = new RuleConditions(customer: new FieldCondition("country", RuleOperator.Eq, RuleValue.Of("DE")));
        var programme = Create([new SpendRule("base", 1m), new MultiplierRule("de-bonus", 2m, conditions: germans)]);
        var account = Open(programme);
        var german = new CustomerProfile(Alice) { Country = "DE" };
        var french = new CustomerProfile(Alice) { Country = "FR" };

        Assert.Equal(20, account.Accrue(programme, Buy("T1", 10m, T0), T0, new EarningContext(Customer: german)).Entry.Points);
        Assert.Equal(10, account.Accrue(programme, Buy("T2", 10m, T0), T0, new EarningContext(Customer: french)).Entry.Points);
        Assert.Equal(10, account.Accrue(programme, Buy("T3", 10m, T0), T0).Entry.Points); // no profile: the condition cannot hold
    }

    [Fact]
    public void BirthdayRule_WithAnniversaryCondition_AwardsInTheBirthdayWeekOnly()
    {
        var birthdayWeek = new RuleConditions(customer: new AnniversaryCondition(AnniversaryKind.Birthday, 7));
        var programme = Create([new EventRule("bday", LoyaltyEventType.Custom, 100, customEventName: "login", conditions: birthdayWeek)]);
        var account = Open(programme);
        var profile = new CustomerProfile(Alice) { BirthDate = new LocalDate(1990, 3, 14) }; // T0 is 10 March

        var inWeek = account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Custom, "login-1", T0, customName: "login"), T0, new EarningContext(Customer: profile));
        var later = account.AwardEvent(programme, new LoyaltyEvent(LoyaltyEventType.Custom, "login-2", Day(10), customName: "login"), Day(10), new EarningContext(Customer: profile));

        Assert.Equal((100L, 0L), (inWeek.Entry.Points, later.Entry.Points));
    }

    [Fact]
    public void CustomerCondition_IsValidatedAndSerialisedWithTheRules()
    {
        Assert.Throws<ArgumentException>(() => new RuleConditions(customer: new FieldCondition("no.such.field", RuleOperator.Eq, RuleValue.Of("x"))));
        var rules = new EarningRuleSet([new SpendRule("de", 2m, conditions: new RuleConditions(customer: new FieldCondition("loyalty.tier", RuleOperator.Eq, RuleValue.Of("GOLD"))))]);

        var json = rules.ToJson();
        var back = EarningRuleSet.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.IsType<FieldCondition>(back.Rules[0].Conditions!.Customer);
    }

    [Fact]
    public void ProjectTo_WritesTierAndBalancesIntoTheProfile()
    {
        var programme = Create(tiers: new TierPolicy([new("BASE", 0m), new("GOLD", 100m)]), pending: Duration.FromDays(7));
        var account = Open(programme);
        account.Accrue(programme, Buy("T1", 150m, T0), T0);
        account.Accrue(programme, Buy("T2", 20m, Day(10)), Day(10));
        var profile = new CustomerProfile(Alice);

        account.ProjectTo(profile, programme, Day(10));

        Assert.Equal(("club", "GOLD", 1), (profile.LoyaltyProgramme, profile.LoyaltyTier, profile.LoyaltyTierRank));
        Assert.Equal((150L, 20L, 170L), (profile.LoyaltyPoints!.Value, profile.LoyaltyPendingPoints!.Value, profile.LoyaltyLifetimePoints!.Value));
        Assert.True(RuleCompiler.Default.Compile(new FieldCondition("loyalty.points", RuleOperator.Gte, RuleValue.Of(100m)), new LocalDate(2026, 3, 20)).IsSatisfiedBy(profile));
        Assert.Throws<ArgumentException>(() => account.ProjectTo(new CustomerProfile(Bob), programme, Day(10)));
    }
}
