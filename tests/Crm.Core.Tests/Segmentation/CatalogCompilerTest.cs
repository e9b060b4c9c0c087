using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class CatalogCompilerTest
{
    private static readonly LocalDate Today = new(2024, 6, 15);

    private static Dictionary<string, Segment> Catalog(int minimumPurchases) => new(StringComparer.Ordinal)
    {
        ["frequent"] = Segment.CreateDynamic(new SegmentId("frequent"), "Frequent", new FieldCondition("purchases.count", RuleOperator.Gte, minimumPurchases)),
        ["frequent-de"] = Segment.CreateDynamic(new SegmentId("frequent-de"), "Frequent in DE", new AllOf(new SegmentCondition("frequent"), new FieldCondition("country", RuleOperator.Eq, "DE"))),
        ["list"] = Segment.CreateStaticList(new SegmentId("list"), "A list"),
    };

    [Fact]
    public void The_same_rules_loaded_again_share_the_compiler_and_the_compiled_criteria()
    {
        // A registry of its own, so other tests' catalogs cannot be in this cache.
        var fields = ProfileFieldRegistry.Default.With(ProfileField.Create("test.catalog", p => p.PurchaseCount));
        var first = Catalog(2);
        var reloaded = Catalog(2); // new rule instances with the same meaning, as a database load returns them
        var a = CatalogCompiler.For(fields, first);
        var b = CatalogCompiler.For(fields, reloaded);
        Assert.Same(a, b);
        Assert.Same(a.RuleOf(first["frequent-de"]), b.RuleOf(reloaded["frequent-de"]));
        Assert.Same(
            a.Compiler.Compile(a.RuleOf(first["frequent-de"])!, Today),
            b.Compiler.Compile(b.RuleOf(reloaded["frequent-de"])!, Today));
        Assert.Null(a.RuleOf(first["list"]));
    }

    [Fact]
    public void Changing_a_referenced_rule_gives_a_new_compiler_and_the_referencing_rule_follows()
    {
        var fields = ProfileFieldRegistry.Default.With(ProfileField.Create("test.catalog2", p => p.PurchaseCount));
        var profile = new CustomerProfile(new CustomerId("c")) { PurchaseCount = 2, Country = "DE" };
        var before = CatalogCompiler.For(fields, Catalog(2));
        var after = CatalogCompiler.For(fields, Catalog(3));
        Assert.NotSame(before, after);
        var referencing = Catalog(3)["frequent-de"];
        Assert.True(before.Compiler.Compile(before.RuleOf(referencing)!, Today).IsSatisfiedBy(profile));
        Assert.False(after.Compiler.Compile(after.RuleOf(referencing)!, Today).IsSatisfiedBy(profile));
    }
}
