namespace Crm.Core.Specifications;

/// <summary>
/// The one place that defines what a <see cref="Specification{T}"/> means: filters, then order, then skip, then take,
/// then projection. <see cref="GetQuery{T}(IQueryable{T}, Specification{T})"/> composes it onto a store's
/// <see cref="IQueryable{T}"/> (what database adapters use, so it runs as SQL); <see cref="Evaluate{T}(IEnumerable{T}, Specification{T})"/>
/// applies exactly the same steps to an in-memory sequence with the specification's cached compiled delegates
/// (what the in-memory store uses).
/// </summary>
/// <remarks>
/// <para>
/// Why two entry points: LINQ to Objects over <c>AsQueryable()</c> rewrites and compiles the whole query on every
/// call, which costs milliseconds per query even over ten items (see docs/benchmarks.md); the in-memory path compiles
/// each expression once per specification instance and gives the same results, which the property tests check
/// against both <c>AsQueryable()</c> and hand-written LINQ.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class SpecificationEvaluator
{
    /// <summary>Applies the filters, order and paging of <paramref name="specification"/> to <paramref name="source"/>.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <param name="source">The store's queryable.</param>
    /// <param name="specification">The query.</param>
    /// <returns>The composed query (not yet executed).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification pages without an order.</exception>
    public static IQueryable<T> GetQuery<T>(IQueryable<T> source, Specification<T> specification)
        where T : class
    {
        var query = GetFilterQuery(source, specification);
        CheckPagingIsOrdered(specification);
        var orders = specification.OrderExpressions;
        if (orders.Count > 0)
        {
            var ordered = orders[0].ApplyFirst(query);
            for (var i = 1; i < orders.Count; i++)
            {
                ordered = orders[i].ApplyThen(ordered);
            }
            query = ordered;
        }
        if (specification.Skip is { } skip)
        {
            query = query.Skip(skip);
        }
        if (specification.Take is { } take)
        {
            query = query.Take(take);
        }
        return query;
    }

    /// <summary>Applies <paramref name="specification"/> and its projection to <paramref name="source"/>.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <typeparam name="TResult">The projected type.</typeparam>
    /// <param name="source">The store's queryable.</param>
    /// <param name="specification">The query with its projection.</param>
    /// <returns>The composed, projected query (not yet executed).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification has no <c>Select</c>, or pages without an order.</exception>
    public static IQueryable<TResult> GetQuery<T, TResult>(IQueryable<T> source, Specification<T, TResult> specification)
        where T : class
    {
        Preconditions.CheckNotNull(source);
        Preconditions.CheckNotNull(specification);
        var selector = specification.Selector ?? throw NoProjection(specification);
        return GetQuery<T>(source, specification).Select(selector);
    }

    /// <summary>
    /// Applies only the filters of <paramref name="specification"/>, ignoring order and paging: what repositories
    /// count and test for existence, so that one specification gives both a page and the total number of matches.
    /// </summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <param name="source">The store's queryable.</param>
    /// <param name="specification">The query.</param>
    /// <returns>The filtered query (not yet executed).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IQueryable<T> GetFilterQuery<T>(IQueryable<T> source, Specification<T> specification)
        where T : class
    {
        Preconditions.CheckNotNull(source);
        Preconditions.CheckNotNull(specification);
        var query = source;
        foreach (var criteria in specification.WhereExpressions)
        {
            query = query.Where(criteria);
        }
        return query;
    }

    /// <summary>Applies the filters, order and paging of <paramref name="specification"/> to an in-memory sequence.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="specification">The query.</param>
    /// <returns>The matches, lazily, in the specification's order and page.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification pages without an order.</exception>
    public static IEnumerable<T> Evaluate<T>(IEnumerable<T> source, Specification<T> specification)
        where T : class
    {
        var items = Filter(source, specification);
        CheckPagingIsOrdered(specification);
        var orders = specification.OrderExpressions;
        if (orders.Count > 0)
        {
            var ordered = orders[0].ApplyFirst(items);
            for (var i = 1; i < orders.Count; i++)
            {
                ordered = orders[i].ApplyThen(ordered);
            }
            items = ordered;
        }
        if (specification.Skip is { } skip)
        {
            items = items.Skip(skip);
        }
        if (specification.Take is { } take)
        {
            items = items.Take(take);
        }
        return items;
    }

    /// <summary>Applies <paramref name="specification"/> and its projection to an in-memory sequence.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <typeparam name="TResult">The projected type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="specification">The query with its projection.</param>
    /// <returns>The projected matches, lazily.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification has no <c>Select</c>, or pages without an order.</exception>
    public static IEnumerable<TResult> Evaluate<T, TResult>(IEnumerable<T> source, Specification<T, TResult> specification)
        where T : class
    {
        Preconditions.CheckNotNull(source);
        Preconditions.CheckNotNull(specification);
        var selector = specification.CompiledSelector ?? throw NoProjection(specification);
        return Evaluate<T>(source, specification).Select(selector);
    }

    /// <summary>Applies only the filters of <paramref name="specification"/> to an in-memory sequence, ignoring order and paging.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="specification">The query.</param>
    /// <returns>The items that pass every filter, lazily, in source order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IEnumerable<T> Filter<T>(IEnumerable<T> source, Specification<T> specification)
        where T : class
    {
        Preconditions.CheckNotNull(source);
        Preconditions.CheckNotNull(specification);
        return specification.WhereExpressions.Count == 0 ? source : source.Where(specification.Predicate);
    }

    private static void CheckPagingIsOrdered<T>(Specification<T> specification)
        where T : class
    {
        if (specification.IsPaged && specification.OrderExpressions.Count == 0)
        {
            // Unordered pages differ between stores and even between runs of one database: reject them.
            throw new InvalidSpecificationException(specification.GetType().Name,
                "it uses Skip/Take without an order; add OrderBy (and ThenBy on a unique key) so that pages are stable.");
        }
    }

    private static InvalidSpecificationException NoProjection<T>(Specification<T> specification)
        where T : class =>
        new(specification.GetType().Name, "it has no projection; call Query.Select(...) in its constructor.");
}
