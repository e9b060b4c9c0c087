using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Edges;

/// <summary>Inputs a caller can build by hand (null lists or elements, dates before year 1): clear argument errors or defined results, never a crash inside.</summary>
public class NullAndRangeInputTest
{
    private static readonly LocalDate Today = new(2026, 12, 8);

    [Fact]
    public void Cross_sell_reads_null_holdings_and_null_entries_as_nothing_held()
    {
        var family = new CategoryFamily("banking", "current", "savings");
        var profiles = new[]
        {
            new CustomerProfile(new CustomerId("a")) { Holdings = null! },
            new CustomerProfile(new CustomerId("b")) { Holdings = [null!, new ProfileHolding { ProductId = "p1", Category = "current", IsActive = true, OpenedOn = Today.PlusDays(-10) }] },
        };

        var candidate = Assert.Single(HoldingsAnalysis.CrossSellCandidates(profiles, family, Today));

        Assert.Equal(new CustomerId("b"), candidate.CustomerId);
        Assert.Equal(["savings"], candidate.MissingCategories);
    }

    [Fact]
    public async Task A_profile_with_a_null_element_is_refused_naming_the_profile()
    {
        var store = new InMemoryCustomerProfileStore();
        var profile = new CustomerProfile(new CustomerId("a")) { Attributes = [null!] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(profile));

        Assert.Equal("profile", error.ParamName);
        Assert.Contains("Attributes", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.FindAsync(new CustomerId("a")));
    }

    [Fact]
    public void A_condition_with_null_values_reads_as_one_without_values()
    {
        var condition = new FieldCondition("city", RuleOperator.IsEmpty, (IReadOnlyList<RuleValue>)null!);
        var profile = new CustomerProfile(new CustomerId("a"));

        var explanation = RuleCompiler.Default.Explain(condition, profile, Today);
        var json = SegmentDefinitionJson.Serialize(condition);

        Assert.Equal(RuleCompiler.Default.Compile(condition, Today).IsSatisfiedBy(profile), explanation.Matched);
        Assert.DoesNotContain("value", json, StringComparison.Ordinal);
        Assert.Equal("rule", Assert.Throws<ArgumentException>(() => SegmentDefinitionJson.Serialize(new AllOf([condition, null!]))).ParamName);
    }

    [Fact]
    public void Merge_options_refuse_null_rules()
    {
        Assert.Equal("Survivorship", Assert.Throws<ArgumentNullException>(() => new CustomerMergeOptions { Survivorship = null! }).ParamName);
        Assert.Equal("Name", Assert.Throws<ArgumentNullException>(() => SurvivorshipRules.Default with { Name = null! }).ParamName);
    }

    [Fact]
    public void Purchase_days_before_year_one_are_refused_before_they_are_recorded()
    {
        var lifecycle = CustomerLifecycle.Start(new CustomerId("a"), LifecycleModel.B2C, Instant.FromUtc(2026, 1, 1, 0, 0), "crm");

        Assert.Equal("day", Assert.Throws<ArgumentOutOfRangeException>(() => lifecycle.RecordPurchase(new LocalDate(0, 1, 1))).ParamName);
        Assert.True(lifecycle.RecordPurchase(new LocalDate(1, 1, 1)));
        Assert.Equal(1, lifecycle.Purchases.PurchaseDays);
    }
}
