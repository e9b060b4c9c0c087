namespace Crm.Core.Specifications;

/// <summary>
/// Turns a <see cref="Specification{T}"/> into an <see cref="IQueryable{T}"/>. Every store uses this one evaluator
/// (the in-memory store over <c>AsQueryable()</c>, a database adapter over its own queryable), which is what makes a
/// specification mean the same thing in memory and in a database.
/// </summary>
/// <remarks>Order of application: filters, order, skip, take, projection. Stateless and thread-safe.</remarks>
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
        Preconditions.CheckNotNull(source);
        Preconditions.CheckNotNull(specification);
        var query = GetFilterQuery(source, specification);
        if (specification.OrderExpressions.Count > 0)
        {
            var ordered = specification.OrderExpressions[0].ApplyFirst(query);
            for (var i = 1; i < specification.OrderExpressions.Count; i++)
            {
                ordered = specification.OrderExpressions[i].ApplyThen(ordered);
            }
            query = ordered;
        }
        else if (specification.IsPaged)
        {
            // Unordered pages differ between stores and even between runs of one database: reject them.
            throw new InvalidSpecificationException(specification.GetType().Name,
                "it uses Skip/Take without an order; add OrderBy (and ThenBy on a unique key) so that pages are stable.");
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
        var selector = specification.Selector
            ?? throw new InvalidSpecificationException(specification.GetType().Name, "it has no projection; call Query.Select(...) in its constructor.");
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
}
