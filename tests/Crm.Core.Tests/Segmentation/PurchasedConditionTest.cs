using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

/// <summary>"Bought a SKU / category / through a channel within a period": open, since-only, until-only and closed periods.</summary>
public class PurchasedConditionTest
{
    private static readonly LocalDate Today = new(2024, 6, 15);

    /// <summary>Bought shoes on 10 January and 10 June only: the aggregates span March, the days do not.</summary>
    private static CustomerProfile JanuaryAndJune() => new(new CustomerId("c"))
    {
        PurchaseCount = 2,
        PurchaseStats = [new ProfilePurchaseStat { Dimension = PurchaseDimension.Category, Key = "shoes", Count = 2, Total = 90m, FirstDate = new(2024, 1, 10), LastDate = new(2024, 6, 10) }],
        PurchaseDays =
        [
            new ProfilePurchaseDay { Dimension = PurchaseDimension.Category, Key = "shoes", Date = new(2024, 1, 10) },
            new ProfilePurchaseDay { Dimension = PurchaseDimension.Category, Key = "shoes", Date = new(2024, 6, 10) },
        ],
    };

    private static bool Matches(PurchasedCondition condition)
    {
        var profile = JanuaryAndJune();
        var compiled = RuleCompiler.Default.Compile(condition, Today).IsSatisfiedBy(profile);
        // The tree walker (reference semantics) and the explanation must say the same.
        Assert.Equal(compiled, RuleCompiler.Default.Interpret(condition, profile, Today));
        Assert.Equal(compiled, RuleCompiler.Default.Explain(condition, profile, Today).Matched);
        return compiled;
    }

    [Fact]
    public void A_closed_period_between_two_purchases_does_not_match()
    {
        // March and April of this year: after the first purchase, before the last one, but no purchase inside.
        Assert.False(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.StartOf(CalendarUnit.Month, -3), RuleValue.EndOf(CalendarUnit.Month, -2))));
    }

    [Fact]
    public void A_closed_period_containing_a_purchase_day_matches_including_its_bounds()
    {
        Assert.True(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.DaysAgo(10), RuleValue.Today)));
        Assert.True(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.DaysAgo(5), RuleValue.DaysAgo(5)))); // 10 June only
        Assert.True(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.StartOf(CalendarUnit.Year), RuleValue.EndOf(CalendarUnit.Month, -5)))); // January
        Assert.False(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.DaysAgo(4), RuleValue.Today)));
        Assert.False(Matches(new(PurchaseDimension.Category, "bags", RuleValue.DaysAgo(10), RuleValue.Today)));
    }

    [Fact]
    public void A_period_that_ends_before_it_starts_matches_nobody()
    {
        Assert.False(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.Today, RuleValue.DaysAgo(400))));
    }

    [Fact]
    public void Until_alone_asks_whether_the_first_purchase_was_on_or_before_it()
    {
        Assert.True(Matches(new(PurchaseDimension.Category, "shoes", Until: RuleValue.Of(new LocalDate(2024, 1, 10)))));
        Assert.False(Matches(new(PurchaseDimension.Category, "shoes", Until: RuleValue.Of(new LocalDate(2024, 1, 9)))));
    }

    [Fact]
    public void Since_alone_keeps_its_meaning()
    {
        Assert.True(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.Of(new LocalDate(2024, 6, 10)))));
        Assert.False(Matches(new(PurchaseDimension.Category, "shoes", RuleValue.Of(new LocalDate(2024, 6, 11)))));
    }

    [Fact]
    public void Until_round_trips_through_json_and_is_validated()
    {
        const string json = """{"schema":1,"rule":{"purchased":"category","key":"shoes","since":{"startOf":"month","offset":-1},"until":{"endOf":"month","offset":-1}}}""";
        var rule = Assert.IsType<PurchasedCondition>(SegmentDefinitionJson.Parse(json));
        Assert.NotNull(rule.Until);
        Assert.Equal(json, SegmentDefinitionJson.Serialize(rule));
        var errors = RuleCompiler.Default.Validate(new PurchasedCondition(PurchaseDimension.Sku, "SKU-1", Until: RuleValue.Of(true)));
        Assert.Equal("$.rule.until", Assert.Single(errors).Path);
    }
}
