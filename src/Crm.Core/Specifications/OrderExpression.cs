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
    private readonly Func<IEnumerable<T>, IOrderedEnumerable<T>> _firstInMemory;
    private readonly Func<IOrderedEnumerable<T>, IOrderedEnumerable<T>> _thenInMemory;

    private OrderExpression(
        LambdaExpression keySelector,
        bool descending,
        Func<IQueryable<T>, IOrderedQueryable<T>> first,
        Func<IOrderedQueryable<T>, IOrderedQueryable<T>> then,
        Func<IEnumerable<T>, IOrderedEnumerable<T>> firstInMemory,
        Func<IOrderedEnumerable<T>, IOrderedEnumerable<T>> thenInMemory)
    {
        KeySelector = keySelector;
        Descending = descending;
        _first = first;
        _then = then;
        _firstInMemory = firstInMemory;
        _thenInMemory = thenInMemory;
    }

    /// <summary>The key selector, an <c>Expression&lt;Func&lt;T, TKey&gt;&gt;</c>.</summary>
    public LambdaExpression KeySelector { get; }

    /// <summary>Whether the key orders descending.</summary>
    public bool Descending { get; }

    internal static OrderExpression<T> Create<TKey>(Expression<Func<T, TKey>> keySelector, bool descending)
    {
        // The in-memory key delegate is compiled on first use and reused (a benign race: both compilations are equal).
        Func<T, TKey>? compiled = null;
        Func<T, TKey> Key() => compiled ??= keySelector.Compile();
        return descending
            ? new(keySelector, true, q => q.OrderByDescending(keySelector), q => q.ThenByDescending(keySelector), e => e.OrderByDescending(Key()), e => e.ThenByDescending(Key()))
            : new(keySelector, false, q => q.OrderBy(keySelector), q => q.ThenBy(keySelector), e => e.OrderBy(Key()), e => e.ThenBy(Key()));
    }

    internal IOrderedQueryable<T> ApplyFirst(IQueryable<T> source) => _first(source);

    internal IOrderedQueryable<T> ApplyThen(IOrderedQueryable<T> source) => _then(source);

    internal IOrderedEnumerable<T> ApplyFirst(IEnumerable<T> source) => _firstInMemory(source);

    internal IOrderedEnumerable<T> ApplyThen(IOrderedEnumerable<T> source) => _thenInMemory(source);
}
