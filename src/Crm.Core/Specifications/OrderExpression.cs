using System.Linq.Expressions;

namespace Crm.Core.Specifications;

/// <summary>One key of a specification's order: the key selector and its direction.</summary>
/// <typeparam name="T">The type ordered.</typeparam>
/// <remarks>
/// The key is kept with its static type (not boxed to <see cref="object"/>), so stores order by the key's own
/// comparison and a database adapter translates it without a cast. Immutable and thread-safe.
/// </remarks>
public sealed class OrderExpression<T>
    where T : class
{
    private readonly Func<IQueryable<T>, IOrderedQueryable<T>> _first;
    private readonly Func<IOrderedQueryable<T>, IOrderedQueryable<T>> _then;

    private OrderExpression(LambdaExpression keySelector, bool descending, Func<IQueryable<T>, IOrderedQueryable<T>> first, Func<IOrderedQueryable<T>, IOrderedQueryable<T>> then)
    {
        KeySelector = keySelector;
        Descending = descending;
        _first = first;
        _then = then;
    }

    /// <summary>The key selector, an <c>Expression&lt;Func&lt;T, TKey&gt;&gt;</c>.</summary>
    public LambdaExpression KeySelector { get; }

    /// <summary>Whether the key orders descending.</summary>
    public bool Descending { get; }

    internal static OrderExpression<T> Create<TKey>(Expression<Func<T, TKey>> keySelector, bool descending) =>
        descending
            ? new(keySelector, true, q => q.OrderByDescending(keySelector), q => q.ThenByDescending(keySelector))
            : new(keySelector, false, q => q.OrderBy(keySelector), q => q.ThenBy(keySelector));

    internal IOrderedQueryable<T> ApplyFirst(IQueryable<T> source) => _first(source);

    internal IOrderedQueryable<T> ApplyThen(IOrderedQueryable<T> source) => _then(source);
}
