using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Specifications;

public class SpecificationEvaluatorTest
{
    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(SpecificationArbitraries) }, MaxTest = 100)]
    public bool Evaluation_equals_the_plain_linq_query(Purchase[] purchases, QueryShape shape)
    {
        var specification = shape.ToSpecification();
        if (shape.IsPaged && shape.Orders.Length == 0)
        {
            // Paging without an order has no single meaning: rejected, never silently evaluated.
            return Throws<InvalidSpecificationException>(() => SpecificationEvaluator.GetQuery(purchases.AsQueryable(), specification))
                && Throws<InvalidSpecificationException>(() => SpecificationEvaluator.Evaluate(purchases, specification));
        }
        var expected = shape.ApplyLinq(purchases).Select(p => p.Id).ToArray();
        var queryable = SpecificationEvaluator.GetQuery(purchases.AsQueryable(), specification).Select(p => p.Id).ToArray();
        var inMemory = SpecificationEvaluator.Evaluate(purchases, specification).Select(p => p.Id).ToArray();
        var filtered = shape.Filtered(purchases).ToHashSet();
        return expected.SequenceEqual(queryable)
            && expected.SequenceEqual(inMemory)
            && SpecificationEvaluator.GetFilterQuery(purchases.AsQueryable(), specification).Count() == filtered.Count
            && SpecificationEvaluator.Filter(purchases, specification).Count() == filtered.Count
            && purchases.All(p => specification.IsSatisfiedBy(p) == filtered.Contains(p));
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries), typeof(SpecificationArbitraries) }, MaxTest = 40)]
    public bool The_in_memory_store_returns_what_linq_returns(Purchase[] purchases, QueryShape shape)
    {
        var store = new InMemoryStore();
        var uow = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        var repository = new InMemoryRepository<Purchase, TransactionId>(uow);
        foreach (var purchase in purchases)
        {
            repository.AddAsync(purchase).GetAwaiter().GetResult();
        }
        uow.CommitAsync().GetAwaiter().GetResult();

        // The store's iteration order is not the array's, so a unique last key makes the expected order total.
        var specification = shape.ToSpecification(uniqueTieBreak: true);
        var expected = shape.ApplyLinq(purchases, uniqueTieBreak: true).Select(p => p.Id).ToArray();
        var listed = repository.ListAsync(specification).GetAwaiter().GetResult().Select(p => p.Id).ToArray();
        var count = repository.CountAsync(specification).GetAwaiter().GetResult();
        var any = repository.AnyAsync(specification).GetAwaiter().GetResult();
        var filteredCount = shape.Filtered(purchases).Count();
        return expected.SequenceEqual(listed) && count == filteredCount && any == filteredCount > 0;
    }

    [Fact]
    public void Paging_without_an_order_is_rejected_with_a_message_that_says_how_to_fix_it()
    {
        var source = Array.Empty<Purchase>().AsQueryable();
        var ex = Assert.Throws<InvalidSpecificationException>(() => SpecificationEvaluator.GetQuery(source, Specification.Create<Purchase>(q => q.Take(10))));
        Assert.Contains("OrderBy", ex.Message);
        Assert.Throws<InvalidSpecificationException>(() => SpecificationEvaluator.GetQuery(source, Specification.Create<Purchase>(q => q.Skip(1))));
        // Counting needs no order, so a paged specification can still be counted.
        Assert.Empty(SpecificationEvaluator.GetFilterQuery(source, Specification.Create<Purchase>(q => q.Take(10))));
        Assert.Throws<InvalidSpecificationException>(() => SpecificationEvaluator.Evaluate(Array.Empty<Purchase>(), Specification.Create<Purchase>(q => q.Take(10))));
    }

    [Fact]
    public void A_projection_without_Select_is_rejected()
    {
        var ex = Assert.Throws<InvalidSpecificationException>(() => SpecificationEvaluator.GetQuery(Array.Empty<Purchase>().AsQueryable(), new NoSelect()));
        Assert.Equal(nameof(NoSelect), ex.SpecificationName);
        Assert.Contains("Select", ex.Message);
        Assert.Throws<InvalidSpecificationException>(() => SpecificationEvaluator.Evaluate(Array.Empty<Purchase>(), new NoSelect()));
    }

    [Fact]
    public void Projection_applies_after_filters_order_and_paging()
    {
        var rows = Enumerable.Range(1, 10).Select(i => new Row(i, i % 3)).ToArray();
        Assert.Equal(["5", "2", "9"], SpecificationEvaluator.GetQuery(rows.AsQueryable(), new RowKeys()).ToArray());
        Assert.Equal(["5", "2", "9"], SpecificationEvaluator.Evaluate(rows, new RowKeys()).ToArray());
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_the_parameter()
    {
        var source = Array.Empty<Purchase>().AsQueryable();
        var all = Specification.All<Purchase>();
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetQuery(null!, all)).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetQuery(source, (Specification<Purchase>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetQuery(null!, new RowKeys())).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetQuery(Array.Empty<Row>().AsQueryable(), (Specification<Row, string>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetFilterQuery(null!, all)).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.GetFilterQuery(source, null!)).ParamName);
        var items = Array.Empty<Purchase>();
        var rows = Array.Empty<Row>();
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Evaluate(null!, all)).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Evaluate(items, (Specification<Purchase>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Evaluate(null!, new RowKeys())).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Evaluate(rows, (Specification<Row, string>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Filter(null!, all)).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => SpecificationEvaluator.Filter(items, null!)).ParamName);
    }

    private static bool Throws<TException>(Action action)
        where TException : Exception
    {
        try
        {
            action();
            return false;
        }
        catch (TException)
        {
            return true;
        }
    }

    public sealed record Row(int Id, int Group);

    private sealed class RowKeys : Specification<Row, string>
    {
        public RowKeys()
        {
            Query.Where(r => r.Group != 1).OrderByDescending(r => r.Group).ThenByDescending(r => r.Id).Skip(1).Take(3);
            Query.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed class NoSelect : Specification<Purchase, decimal>
    {
        public NoSelect() => Query.Where(p => p.Total.Amount > 0);
    }
}
