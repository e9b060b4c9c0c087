using Crm.Core.Purchases;
using Crm.Core.Specifications;

namespace Crm.Core.Tests.Specifications;

public class SpecificationTest
{
    private sealed record Item(int Number, string Text);

    private sealed class Between : Specification<Item>
    {
        public Between(int min, int max, string? text = null)
        {
            Query.Where(i => i.Number >= min)
                 .Where(i => i.Number <= max)
                 .Where(i => i.Text == text, text is not null)
                 .OrderBy(i => i.Number).ThenByDescending(i => i.Text)
                 .Skip(0).Take(10);
        }
    }

    private sealed class Probe : Specification<Item>
    {
        public SpecificationBuilder<Item> Builder => Query;
    }

    private sealed class ProjectionProbe : Specification<Item, int>
    {
        public ProjectionSpecificationBuilder<Item, int> Builder => Query;
    }

    [Fact]
    public void Builder_records_filters_order_and_paging()
    {
        var spec = new Between(1, 5);
        Assert.Equal(2, spec.WhereExpressions.Count);
        Assert.Equal(2, spec.OrderExpressions.Count);
        Assert.False(spec.OrderExpressions[0].Descending);
        Assert.True(spec.OrderExpressions[1].Descending);
        Assert.Equal(typeof(int), spec.OrderExpressions[0].KeySelector.ReturnType);
        Assert.Equal(0, spec.Skip);
        Assert.Equal(10, spec.Take);
        Assert.True(spec.IsPaged);
        Assert.Equal(3, new Between(1, 5, "x").WhereExpressions.Count);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public void IsSatisfiedBy_tests_every_filter(int number, bool expected)
    {
        var spec = new Between(1, 5);
        Assert.Equal(expected, spec.IsSatisfiedBy(new Item(number, "a")));
        Assert.Equal(expected, spec.IsSatisfiedBy(new Item(number, "b"))); // cached delegate, same answer
    }

    [Fact]
    public void Conditional_filter_applies_only_when_the_condition_holds()
    {
        Assert.True(new Between(1, 5).IsSatisfiedBy(new Item(3, "anything")));
        Assert.False(new Between(1, 5, "x").IsSatisfiedBy(new Item(3, "y")));
        Assert.True(new Between(1, 5, "x").IsSatisfiedBy(new Item(3, "x")));
    }

    [Fact]
    public void All_matches_everything_and_is_shared()
    {
        Assert.True(Specification.All<Item>().IsSatisfiedBy(new Item(-1, "")));
        Assert.Same(Specification.All<Item>(), Specification.All<Item>());
        Assert.Empty(Specification.All<Item>().WhereExpressions);
        Assert.False(Specification.All<Item>().IsPaged);
    }

    [Fact]
    public void Adding_a_filter_after_use_invalidates_the_cached_predicate()
    {
        var probe = new Probe();
        Assert.True(probe.IsSatisfiedBy(new Item(1, "a")));
        probe.Builder.Where(i => i.Number > 1);
        Assert.False(probe.IsSatisfiedBy(new Item(1, "a")));
    }

    [Fact]
    public void IsSatisfiedBy_is_safe_from_many_threads()
    {
        var spec = new Between(0, 500);
        var results = Enumerable.Range(0, 1000).AsParallel().Select(i => spec.IsSatisfiedBy(new Item(i, "t"))).ToArray();
        Assert.Equal(501, results.Count(r => r));
    }

    [Fact]
    public void ToString_names_the_type_without_parameter_values()
    {
        Assert.Equal(nameof(Between), new Between(1, 5, "secret@example.com").ToString());
    }

    [Fact]
    public void Misuse_of_the_builder_is_rejected_with_specific_exceptions()
    {
        var probe = new Probe();
        probe.Builder.OrderBy(i => i.Number);
        Assert.Contains("ThenBy", Assert.Throws<InvalidSpecificationException>(() => probe.Builder.OrderByDescending(i => i.Text)).Message);
        probe.Builder.Skip(1).Take(1);
        Assert.Throws<InvalidSpecificationException>(() => probe.Builder.Skip(2));
        Assert.Throws<InvalidSpecificationException>(() => probe.Builder.Take(2));
        var projection = new ProjectionProbe();
        projection.Builder.Select(i => i.Number);
        Assert.Throws<InvalidSpecificationException>(() => projection.Builder.Select(i => i.Number + 1));
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        var b = new Probe().Builder;
        Assert.Equal("criteria", Assert.Throws<ArgumentNullException>(() => b.Where(null!)).ParamName);
        Assert.Equal("criteria", Assert.Throws<ArgumentNullException>(() => b.Where(null!, false)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => b.OrderBy<int>(null!)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => b.OrderByDescending<int>(null!)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => b.Skip(-1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => b.Take(-1)).ParamName);
        var ordered = b.OrderBy(i => i.Number);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => ordered.ThenBy<int>(null!)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => ordered.ThenByDescending<int>(null!)).ParamName);
        Assert.Equal("selector", Assert.Throws<ArgumentNullException>(() => new ProjectionProbe().Builder.Select(null!)).ParamName);
        Assert.Equal("candidate", Assert.Throws<ArgumentNullException>(() => new Probe().IsSatisfiedBy(null!)).ParamName);
        Assert.Equal("describe", Assert.Throws<ArgumentNullException>(() => Specification.Create<Purchase>(null!)).ParamName);
    }

    [Fact]
    public void Failed_builder_calls_leave_the_specification_unchanged()
    {
        var probe = new Probe();
        Assert.Throws<ArgumentOutOfRangeException>(() => probe.Builder.Take(-5));
        Assert.Null(probe.Take);
        Assert.Throws<ArgumentNullException>(() => probe.Builder.Where(null!));
        Assert.Empty(probe.WhereExpressions);
    }
}
