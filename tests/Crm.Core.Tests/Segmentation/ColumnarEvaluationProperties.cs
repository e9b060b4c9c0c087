using Crm.Core.Customers;
using Crm.Core.Segmentation;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

/// <summary>
/// The columnar batch evaluation (what <see cref="InMemoryCustomerProfileStore"/> runs for refreshes and previews)
/// selects exactly the profiles the compiled expression selects: on random rules, on compositions of criteria, and
/// after the table has been changed with upserts and removals since its columns were built.
/// </summary>
public class ColumnarEvaluationProperties
{
    private static readonly RuleCompiler Compiler = RuleCompiler.Default;

    private static ProfileTable TableOf(IEnumerable<CustomerProfile> profiles)
    {
        var table = new ProfileTable();
        foreach (var profile in profiles)
        {
            table.Upsert(profile);
        }
        return table;
    }

    private static Property Agrees(ProfileTable table, Criterion<CustomerProfile> criterion, string what)
    {
        var expected = table.Rows.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
        var actual = table.Match(criterion).Select(c => c.Value).Order(StringComparer.Ordinal).ToList();
        var count = table.CountMatching(criterion);
        return (expected.SequenceEqual(actual) && count == expected.Count)
            .Label($"{what}: expression [{string.Join(",", expected)}] vs columns [{string.Join(",", actual)}] (count {count}); plan {BatchPlanOf(criterion)}");
    }

    private static string BatchPlanOf(Criterion<CustomerProfile> criterion) => BatchPlan.For(criterion).ToString();

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) }, MaxTest = 200)]
    public Property Columns_select_exactly_the_members_of_the_expression(RandomRule rule, ProfileSet set, EvaluationDate date) =>
        Agrees(TableOf(set.Profiles), Compiler.Compile(rule.Rule, date.Date), rule.ToString());

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public Property Columns_agree_for_composed_criteria(RandomRule a, RandomRule b, ProfileSet set, EvaluationDate date)
    {
        var x = Compiler.Compile(a.Rule, date.Date);
        var y = Compiler.Compile(b.Rule, date.Date);
        var table = TableOf(set.Profiles);
        return Agrees(table, (x & !y) | (!x & y), "xor")
            .And(Agrees(table, !(x | Criterion<CustomerProfile>.False), "not or false"));
    }

    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public Property Columns_stay_exact_after_upserts_and_removals(RandomRule rule, ProfileSet before, ProfileSet after, EvaluationDate date)
    {
        var criterion = Compiler.Compile(rule.Rule, date.Date);
        var table = TableOf(before.Profiles);
        table.Evaluate(criterion); // builds the columns the rule reads, so the changes below must maintain them
        // "after" reuses ids c00, c01, ...: overlapping ids replace rows, the others are new rows.
        foreach (var profile in after.Profiles)
        {
            table.Upsert(profile);
        }
        foreach (var profile in before.Profiles.Where((_, i) => i % 3 == 1))
        {
            table.Remove(profile.CustomerId);
        }
        return Agrees(table, criterion, rule.ToString());
    }

    [Fact]
    public void A_typical_rule_is_planned_as_column_look_ups_only()
    {
        var rule = new AllOf(
            new FieldCondition("rfm.r", RuleOperator.Gte, 2),
            new FieldCondition("country", RuleOperator.In, "DE", "AT"),
            new FieldCondition("tags", RuleOperator.NotContains, "staff"),
            new AnyOf(new ConsentCondition("marketing", Channel.Email), new FieldCondition("rfm.segment", RuleOperator.Eq, "Champions")),
            new NotOf(new FieldCondition("city", RuleOperator.IsEmpty)));
        var plan = BatchPlanOf(Compiler.Compile(rule, new LocalDate(2024, 6, 15)));
        // Cheapest first: the single look-ups before the OR group, which costs two.
        Assert.Equal("and(column RecencyScore, column Country, column Tags, column City, or(column Consents, column RfmSegment))", plan);
    }

    [Fact]
    public void A_condition_reading_two_fields_is_evaluated_per_row_and_last()
    {
        var criterion = Criterion<CustomerProfile>.Where(p => p.PurchaseCount > p.ActiveHoldingCount)
            & Criterion<CustomerProfile>.Where(p => p.HasEmail);
        var table = TableOf(
        [
            new CustomerProfile(new CustomerId("a")) { PurchaseCount = 3, ActiveHoldingCount = 1, HasEmail = true },
            new CustomerProfile(new CustomerId("b")) { PurchaseCount = 1, ActiveHoldingCount = 1, HasEmail = true },
            new CustomerProfile(new CustomerId("c")) { PurchaseCount = 3, ActiveHoldingCount = 1, HasEmail = false },
        ]);
        Assert.Equal("and(column HasEmail, row)", BatchPlanOf(criterion));
        Assert.Equal(["a"], table.Match(criterion).Select(c => c.Value));
    }

    [Fact]
    public void A_guard_on_another_field_is_honoured_and_errors_surface_as_in_the_expression()
    {
        // City is read only where HasEmail holds; the city column alone would throw for the null city.
        var guarded = Criterion<CustomerProfile>.Where(p => p.HasEmail && p.City!.Length > 3);
        var table = TableOf(
        [
            new CustomerProfile(new CustomerId("a")) { HasEmail = true, City = "Berlin" },
            new CustomerProfile(new CustomerId("b")) { HasEmail = false, City = null },
            new CustomerProfile(new CustomerId("c")) { HasEmail = true, City = "Ulm" },
        ]);
        Assert.Equal(["a"], table.Match(guarded).Select(c => c.Value));
        var unguarded = Criterion<CustomerProfile>.Where(p => p.City!.Length > 3);
        Assert.Throws<NullReferenceException>(() => table.Rows.Count(unguarded.Compiled));
        Assert.Throws<NullReferenceException>(() => table.Match(unguarded));
    }

    [Fact]
    public void Decimals_equal_in_value_but_not_in_scale_are_kept_apart()
    {
        // A computed condition can see the scale; the column must not merge 1.0 and 1.00 into one code.
        var criterion = Criterion<CustomerProfile>.Where(p => p.TotalSpent.ToString(System.Globalization.CultureInfo.InvariantCulture) == "1.0");
        var table = TableOf(
        [
            new CustomerProfile(new CustomerId("a")) { TotalSpent = 1.00m },
            new CustomerProfile(new CustomerId("b")) { TotalSpent = 1.0m },
        ]);
        Assert.Equal(["b"], table.Match(criterion).Select(c => c.Value));
    }

    [Fact]
    public void Many_updates_re_encode_the_column_and_stay_exact()
    {
        var criterion = Compiler.Compile(new FieldCondition("purchases.total", RuleOperator.Gt, 2500m), new LocalDate(2024, 6, 15));
        var table = TableOf([new CustomerProfile(new CustomerId("a")), new CustomerProfile(new CustomerId("b")) { TotalSpent = 9999m }]);
        Assert.Equal(1, table.CountMatching(criterion));
        // Each update adds a distinct value no row keeps: far more than the rows, so the column is rebuilt.
        for (var i = 0; i < 3000; i++)
        {
            table.Upsert(new CustomerProfile(new CustomerId("a")) { TotalSpent = i });
        }
        Assert.Equal(["a", "b"], table.Match(criterion).Select(c => c.Value).Order(StringComparer.Ordinal));
        table.Remove(new CustomerId("b"));
        Assert.Equal(["a"], table.Match(criterion).Select(c => c.Value));
    }

    [Fact]
    public async Task The_in_memory_store_counts_and_streams_through_the_columns()
    {
        var store = new InMemoryCustomerProfileStore();
        for (var i = 0; i < 5000; i++)
        {
            await store.UpsertAsync(new CustomerProfile(new CustomerId($"c{i:0000}")) { PurchaseCount = i % 10, Country = i % 2 == 0 ? "DE" : "FR" });
        }
        var criterion = Compiler.Compile(new AllOf(new FieldCondition("purchases.count", RuleOperator.Gte, 5), new FieldCondition("country", RuleOperator.Eq, "DE")), new LocalDate(2024, 6, 15));
        var streamed = new List<CustomerId>();
        await foreach (var batch in store.StreamMatchingAsync(criterion, 300))
        {
            Assert.InRange(batch.Count, 1, 300);
            streamed.AddRange(batch);
        }
        var expected = Enumerable.Range(0, 5000).Where(i => i % 10 >= 5 && i % 2 == 0).Select(i => $"c{i:0000}").ToList();
        Assert.Equal(expected, streamed.Select(c => c.Value).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, await store.CountAsync(criterion));
    }
}
