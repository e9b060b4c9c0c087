using System.Linq.Expressions;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Tests.Specifications;

public enum FilterKind { MinTotal, ChannelIs, CustomerIs, Before, ConditionalMinTotal }

public enum KeyKind { OccurredAt, TotalAmount, CustomerText, Channel, TransactionText }

public sealed record Filter(FilterKind Kind, decimal Amount, Channel Channel, string Customer, int Minute, bool Condition);

public sealed record OrderKey(KeyKind Kind, bool Descending);

/// <summary>A random query shape, applied both as a specification and as plain LINQ.</summary>
public sealed record QueryShape(Filter[] Filters, OrderKey[] Orders, int? Skip, int? Take)
{
    public bool IsPaged => Skip is not null || Take is not null;

    public Specification<Purchase> ToSpecification(bool uniqueTieBreak = false) => Specification.Create<Purchase>(q =>
    {
        foreach (var f in Filters)
        {
            if (f.Kind == FilterKind.ConditionalMinTotal)
            {
                q.Where(PredicateOf(f), f.Condition);
            }
            else
            {
                q.Where(PredicateOf(f));
            }
        }
        OrderedSpecificationBuilder<Purchase>? ordered = null;
        foreach (var key in Orders)
        {
            ordered = ordered is null ? First(q, key) : Then(ordered, key);
        }
        if (uniqueTieBreak)
        {
            _ = ordered is null ? q.OrderBy(p => p.Id.Value) : ordered.ThenBy(p => p.Id.Value);
        }
        if (Skip is { } skip)
        {
            q.Skip(skip);
        }
        if (Take is { } take)
        {
            q.Take(take);
        }
    });

    /// <summary>The same query written directly with LINQ to Objects.</summary>
    public IEnumerable<Purchase> ApplyLinq(IEnumerable<Purchase> source, bool uniqueTieBreak = false)
    {
        var query = Filtered(source);
        IOrderedEnumerable<Purchase>? ordered = null;
        foreach (var key in Orders)
        {
            ordered = Order(ordered ?? query, key, first: ordered is null);
        }
        if (uniqueTieBreak)
        {
            ordered = ordered is null ? query.OrderBy(p => p.Id.Value) : ordered.ThenBy(p => p.Id.Value);
        }
        query = ordered ?? query;
        if (Skip is { } skip)
        {
            query = query.Skip(skip);
        }
        if (Take is { } take)
        {
            query = query.Take(take);
        }
        return query;
    }

    public IEnumerable<Purchase> Filtered(IEnumerable<Purchase> source)
    {
        foreach (var f in Filters)
        {
            if (f.Kind != FilterKind.ConditionalMinTotal || f.Condition)
            {
                var predicate = PredicateOf(f).Compile();
                source = source.Where(predicate);
            }
        }
        return source;
    }

    private static Expression<Func<Purchase, bool>> PredicateOf(Filter f)
    {
        var customer = new CustomerId(f.Customer);
        var before = Start + Duration.FromMinutes(f.Minute);
        var amount = f.Amount;
        var channel = f.Channel;
        return f.Kind switch
        {
            FilterKind.MinTotal or FilterKind.ConditionalMinTotal => p => p.Total.Amount >= amount,
            FilterKind.ChannelIs => p => p.Channel == channel,
            FilterKind.CustomerIs => p => p.CustomerId == customer,
            _ => p => p.OccurredAt < before,
        };
    }

    private static OrderedSpecificationBuilder<Purchase> First(SpecificationBuilder<Purchase> q, OrderKey key) => (key.Kind, key.Descending) switch
    {
        (KeyKind.OccurredAt, false) => q.OrderBy(p => p.OccurredAt),
        (KeyKind.OccurredAt, true) => q.OrderByDescending(p => p.OccurredAt),
        (KeyKind.TotalAmount, false) => q.OrderBy(p => p.Total.Amount),
        (KeyKind.TotalAmount, true) => q.OrderByDescending(p => p.Total.Amount),
        (KeyKind.CustomerText, false) => q.OrderBy(p => p.CustomerId.Value),
        (KeyKind.CustomerText, true) => q.OrderByDescending(p => p.CustomerId.Value),
        (KeyKind.Channel, false) => q.OrderBy(p => p.Channel),
        (KeyKind.Channel, true) => q.OrderByDescending(p => p.Channel),
        (_, false) => q.OrderBy(p => p.Id.Value),
        (_, true) => q.OrderByDescending(p => p.Id.Value),
    };

    private static OrderedSpecificationBuilder<Purchase> Then(OrderedSpecificationBuilder<Purchase> q, OrderKey key) => (key.Kind, key.Descending) switch
    {
        (KeyKind.OccurredAt, false) => q.ThenBy(p => p.OccurredAt),
        (KeyKind.OccurredAt, true) => q.ThenByDescending(p => p.OccurredAt),
        (KeyKind.TotalAmount, false) => q.ThenBy(p => p.Total.Amount),
        (KeyKind.TotalAmount, true) => q.ThenByDescending(p => p.Total.Amount),
        (KeyKind.CustomerText, false) => q.ThenBy(p => p.CustomerId.Value),
        (KeyKind.CustomerText, true) => q.ThenByDescending(p => p.CustomerId.Value),
        (KeyKind.Channel, false) => q.ThenBy(p => p.Channel),
        (KeyKind.Channel, true) => q.ThenByDescending(p => p.Channel),
        (_, false) => q.ThenBy(p => p.Id.Value),
        (_, true) => q.ThenByDescending(p => p.Id.Value),
    };

    private static IOrderedEnumerable<Purchase> Order(IEnumerable<Purchase> source, OrderKey key, bool first)
    {
        Func<Purchase, object> boxed = key.Kind switch
        {
            KeyKind.OccurredAt => p => p.OccurredAt,
            KeyKind.TotalAmount => p => p.Total.Amount,
            KeyKind.CustomerText => p => p.CustomerId.Value,
            KeyKind.Channel => p => p.Channel,
            _ => p => p.Id.Value,
        };
        // Comparer<object>.Default compares through IComparable, the same as the typed keys of the specification.
        return (first, key.Descending) switch
        {
            (true, false) => source.OrderBy(boxed),
            (true, true) => source.OrderByDescending(boxed),
            (false, false) => ((IOrderedEnumerable<Purchase>)source).ThenBy(boxed),
            _ => ((IOrderedEnumerable<Purchase>)source).ThenByDescending(boxed),
        };
    }

    public static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);
}

/// <summary>Purchases and query shapes for the specification properties.</summary>
public static class SpecificationArbitraries
{
    private static readonly string[] Customers = ["C1", "C2", "C3", "c1", "00042"];

    public static Arbitrary<Purchase[]> Purchases() =>
        (from rows in Row().ArrayOf()
         select rows.Select((r, i) => Purchase.Create(
             new TransactionId("T" + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture)),
             new CustomerId(r.Customer),
             Tests.Specifications.QueryShape.Start + Duration.FromMinutes(r.Minute),
             r.Channel,
             new Money(r.Cents / 100m, Currency.EUR))).ToArray()).ToArbitrary();

    public static Arbitrary<QueryShape> QueryShape() =>
        (from filters in FilterGen().ArrayOf().Select(a => a.Take(4).ToArray())
         from orders in OrderGen().ArrayOf().Select(a => a.Take(3).ToArray())
         from skip in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 12).Select(i => (int?)i)))
         from take in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 12).Select(i => (int?)i)))
         select new QueryShape(filters, orders, skip, take)).ToArbitrary();

    private static Gen<(string Customer, int Minute, Channel Channel, int Cents)> Row() =>
        from customer in Gen.Elements(Customers)
        from minute in Gen.Choose(0, 60) // few distinct values: plenty of ties to exercise ThenBy
        from channel in Gen.Elements(Channel.Web, Channel.Phone, Channel.Branch)
        from cents in Gen.Choose(-500, 2000).Select(c => c * 5)
        select (customer, minute, channel, cents);

    private static Gen<Filter> FilterGen() =>
        from kind in Gen.Elements(Enum.GetValues<FilterKind>())
        from amount in Gen.Choose(-20, 100).Select(a => (decimal)a)
        from channel in Gen.Elements(Channel.Web, Channel.Phone, Channel.Branch)
        from customer in Gen.Elements(Customers)
        from minute in Gen.Choose(0, 60)
        from condition in Gen.Elements(true, false)
        select new Filter(kind, amount, channel, customer, minute, condition);

    private static Gen<OrderKey> OrderGen() =>
        from kind in Gen.Elements(Enum.GetValues<KeyKind>())
        from isDescending in Gen.Elements(true, false)
        select new OrderKey(kind, isDescending);
}
