using System.Linq.Expressions;

namespace Crm.Core.Specifications;

/// <summary>Describes a <see cref="Specification{T}"/>: filters, order and paging. Obtained from <c>Query</c> in a specification's constructor.</summary>
/// <typeparam name="T">The type queried.</typeparam>
public class SpecificationBuilder<T>
    where T : class
{
    internal SpecificationBuilder(Specification<T> specification) => Specification = specification;

    private protected Specification<T> Specification { get; }

    /// <summary>Adds a filter; several filters combine with AND.</summary>
    /// <param name="criteria">The filter, as an expression a database can translate.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> is null.</exception>
    public SpecificationBuilder<T> Where(Expression<Func<T, bool>> criteria)
    {
        Preconditions.CheckNotNull(criteria);
        Specification.AddWhere(criteria);
        return this;
    }

    /// <summary>Adds a filter only when <paramref name="condition"/> holds, e.g. for optional search parameters.</summary>
    /// <param name="criteria">The filter.</param>
    /// <param name="condition">Whether to add it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> is null (also when <paramref name="condition"/> is false).</exception>
    public SpecificationBuilder<T> Where(Expression<Func<T, bool>> criteria, bool condition)
    {
        Preconditions.CheckNotNull(criteria);
        if (condition)
        {
            Specification.AddWhere(criteria);
        }
        return this;
    }

    /// <summary>Orders the matches by <paramref name="keySelector"/>, ascending; add further keys with <c>ThenBy</c>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The key.</param>
    /// <returns>A builder that accepts <c>ThenBy</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification already has a primary order.</exception>
    public OrderedSpecificationBuilder<T> OrderBy<TKey>(Expression<Func<T, TKey>> keySelector) => AddOrder(keySelector, descending: false, primary: true);

    /// <summary>Orders the matches by <paramref name="keySelector"/>, descending; add further keys with <c>ThenBy</c>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The key.</param>
    /// <returns>A builder that accepts <c>ThenBy</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification already has a primary order.</exception>
    public OrderedSpecificationBuilder<T> OrderByDescending<TKey>(Expression<Func<T, TKey>> keySelector) => AddOrder(keySelector, descending: true, primary: true);

    /// <summary>Skips the first <paramref name="count"/> ordered matches. Requires an order.</summary>
    /// <param name="count">Zero or more.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidSpecificationException">Skip was already set.</exception>
    public SpecificationBuilder<T> Skip(int count)
    {
        Preconditions.CheckNotNegative(count);
        Specification.SetSkip(count);
        return this;
    }

    /// <summary>Returns at most <paramref name="count"/> ordered matches. Requires an order.</summary>
    /// <param name="count">Zero or more.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidSpecificationException">Take was already set.</exception>
    public SpecificationBuilder<T> Take(int count)
    {
        Preconditions.CheckNotNegative(count);
        Specification.SetTake(count);
        return this;
    }

    private protected OrderedSpecificationBuilder<T> AddOrder<TKey>(Expression<Func<T, TKey>> keySelector, bool descending, bool primary)
    {
        Preconditions.CheckNotNull(keySelector);
        Specification.AddOrder(OrderExpression<T>.Create(keySelector, descending), primary);
        return this as OrderedSpecificationBuilder<T> ?? new OrderedSpecificationBuilder<T>(Specification);
    }
}

/// <summary>A <see cref="SpecificationBuilder{T}"/> after <c>OrderBy</c>: accepts secondary keys.</summary>
/// <typeparam name="T">The type queried.</typeparam>
public sealed class OrderedSpecificationBuilder<T> : SpecificationBuilder<T>
    where T : class
{
    internal OrderedSpecificationBuilder(Specification<T> specification)
        : base(specification)
    {
    }

    /// <summary>Breaks ties of the previous keys by <paramref name="keySelector"/>, ascending.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The key.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    public OrderedSpecificationBuilder<T> ThenBy<TKey>(Expression<Func<T, TKey>> keySelector) => AddOrder(keySelector, descending: false, primary: false);

    /// <summary>Breaks ties of the previous keys by <paramref name="keySelector"/>, descending.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The key.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    public OrderedSpecificationBuilder<T> ThenByDescending<TKey>(Expression<Func<T, TKey>> keySelector) => AddOrder(keySelector, descending: true, primary: false);
}

/// <summary>The builder of a <see cref="Specification{T, TResult}"/>: everything a <see cref="SpecificationBuilder{T}"/> does, plus the projection.</summary>
/// <typeparam name="T">The type queried.</typeparam>
/// <typeparam name="TResult">The projected type.</typeparam>
public sealed class ProjectionSpecificationBuilder<T, TResult> : SpecificationBuilder<T>
    where T : class
{
    private readonly Specification<T, TResult> _projection;

    internal ProjectionSpecificationBuilder(Specification<T, TResult> specification)
        : base(specification) => _projection = specification;

    /// <summary>Projects each match (after filters, order and paging) to <typeparamref name="TResult"/>.</summary>
    /// <param name="selector">The projection, as an expression a database can translate.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">Select was already set.</exception>
    public ProjectionSpecificationBuilder<T, TResult> Select(Expression<Func<T, TResult>> selector)
    {
        Preconditions.CheckNotNull(selector);
        _projection.SetSelector(selector);
        return this;
    }
}
