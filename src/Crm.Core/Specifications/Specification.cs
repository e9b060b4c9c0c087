using System.Linq.Expressions;

namespace Crm.Core.Specifications;

/// <summary>
/// A named, reusable query over <typeparamref name="T"/>: filters, an order and a page. Derive from it and describe
/// the query in the constructor through <see cref="Query"/>:
/// <code>
/// public sealed class BigSpendersSince : Specification&lt;Purchase&gt;
/// {
///     public BigSpendersSince(Instant since, decimal minimum)
///     {
///         Query.Where(p =&gt; p.OccurredAt &gt;= since)
///              .Where(p =&gt; p.Total.Amount &gt;= minimum)
///              .OrderByDescending(p =&gt; p.OccurredAt).ThenBy(p =&gt; p.Id)
///              .Take(50);
///     }
/// }
/// </code>
/// </summary>
/// <typeparam name="T">The type queried, usually an aggregate root.</typeparam>
/// <remarks>
/// <para>
/// A specification is plain expression trees, so every store evaluates it through the one
/// <see cref="SpecificationEvaluator"/>: a database adapter composes it onto its <see cref="IQueryable{T}"/> (SQL),
/// the in-memory store applies the same steps with compiled delegates. It therefore means the same thing
/// everywhere, with one documented exception: string comparison. In memory,
/// <c>==</c> on strings is ordinal and case-sensitive and ordering uses <see cref="Comparer{T}.Default"/>
/// (culture-aware unless the host runs with invariant globalization); a database compares by its column collation
/// (often case-insensitive). Filter and order on identifiers, numbers, instants and normalised text to avoid surprises.
/// </para>
/// <para>
/// Several <c>Where</c> calls combine with AND. Composition with OR/NOT belongs to segment criteria, not here.
/// Paging (<c>Skip</c>/<c>Take</c>) requires an order, because pages of an unordered query are not stable;
/// evaluating a paged specification without <c>OrderBy</c> throws <see cref="InvalidSpecificationException"/>.
/// </para>
/// <para>
/// Counting and existence (<c>CountAsync</c>, <c>AnyAsync</c> on repositories, <see cref="SpecificationEvaluator.GetFilterQuery{T}"/>)
/// use the filters only and ignore order and paging, so that one specification gives both a page and the total
/// number of matches. <see cref="IsSatisfiedBy"/> likewise tests the filters only.
/// </para>
/// <para>
/// Build the specification in its constructor and do not change it afterwards; once built it is immutable in
/// practice and safe to share between threads (the compiled predicate is cached).
/// </para>
/// </remarks>
public abstract class Specification<T>
    where T : class
{
    private readonly List<Expression<Func<T, bool>>> _where = new();
    private readonly List<OrderExpression<T>> _order = new();
    private Func<T, bool>? _compiled;

    /// <summary>Creates an empty specification (matches everything) ready to be described through <see cref="Query"/>.</summary>
    protected Specification() => Query = new SpecificationBuilder<T>(this);

    /// <summary>The builder that describes this specification; use it in the derived constructor.</summary>
    protected SpecificationBuilder<T> Query { get; }

    /// <summary>The filters, combined with AND; empty when every item matches.</summary>
    public IReadOnlyList<Expression<Func<T, bool>>> WhereExpressions => _where;

    /// <summary>The order: the first entry is the primary key (<c>OrderBy</c>), the rest are <c>ThenBy</c> keys.</summary>
    public IReadOnlyList<OrderExpression<T>> OrderExpressions => _order;

    /// <summary>How many ordered matches to skip, or null.</summary>
    public int? Skip { get; private set; }

    /// <summary>How many ordered matches to return at most, or null for all.</summary>
    public int? Take { get; private set; }

    /// <summary>Whether the specification pages its results (has <see cref="Skip"/> or <see cref="Take"/>).</summary>
    public bool IsPaged => Skip is not null || Take is not null;

    /// <summary>Whether <paramref name="candidate"/> passes every filter (order and paging do not apply to one item).</summary>
    /// <param name="candidate">The item to test.</param>
    /// <returns>True when all <see cref="WhereExpressions"/> hold (always true when there are none).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidate"/> is null.</exception>
    /// <remarks>The filters are compiled once, on first use, and the delegate is reused.</remarks>
    public bool IsSatisfiedBy(T candidate)
    {
        Preconditions.CheckNotNull(candidate);
        return Predicate(candidate);
    }

    /// <summary>The filters compiled into one delegate, cached (a benign race: two threads may compile, both results are equal).</summary>
    internal Func<T, bool> Predicate => _compiled ??= CompilePredicate();

    /// <summary>The specification's type name, e.g. for logs (never its parameter values, which may be personal data).</summary>
    public override string ToString() => GetType().Name;

    internal void AddWhere(Expression<Func<T, bool>> criteria)
    {
        _where.Add(criteria);
        _compiled = null;
    }

    internal void AddOrder(OrderExpression<T> order, bool primary)
    {
        if (primary && _order.Count > 0)
        {
            throw new InvalidSpecificationException(GetType().Name, "it already has a primary order; use ThenBy/ThenByDescending for further keys.");
        }
        _order.Add(order);
    }

    internal void SetSkip(int count)
    {
        if (Skip is not null)
        {
            throw new InvalidSpecificationException(GetType().Name, "Skip was already set; call it once.");
        }
        Skip = count;
    }

    internal void SetTake(int count)
    {
        if (Take is not null)
        {
            throw new InvalidSpecificationException(GetType().Name, "Take was already set; call it once.");
        }
        Take = count;
    }

    private Func<T, bool> CompilePredicate()
    {
        switch (_where.Count)
        {
            case 0:
                return static _ => true;
            case 1:
                return _where[0].Compile();
            default:
                var compiled = _where.Select(w => w.Compile()).ToArray();
                return candidate => Array.TrueForAll(compiled, p => p(candidate));
        }
    }
}

/// <summary>
/// A <see cref="Specification{T}"/> that also projects each match to <typeparamref name="TResult"/>
/// (e.g. only the ids and totals), so that a database adapter reads only the columns it needs.
/// Describe the projection with <c>Query.Select(...)</c> in the constructor.
/// </summary>
/// <typeparam name="T">The type queried.</typeparam>
/// <typeparam name="TResult">The projected type.</typeparam>
/// <remarks>
/// Project to values (ids, numbers, records), not to an aggregate's mutable collections: the in-memory store hands
/// out copies of aggregates, but a projection returns what the selector returns.
/// </remarks>
public abstract class Specification<T, TResult> : Specification<T>
    where T : class
{
    /// <summary>Creates an empty projecting specification; it must call <c>Query.Select(...)</c> before it is evaluated.</summary>
    protected Specification() => Query = new ProjectionSpecificationBuilder<T, TResult>(this);

    /// <summary>The builder that describes this specification, including its projection.</summary>
    protected new ProjectionSpecificationBuilder<T, TResult> Query { get; }

    private Func<T, TResult>? _compiledSelector;

    /// <summary>The projection, or null until <c>Query.Select</c> is called.</summary>
    public Expression<Func<T, TResult>>? Selector { get; private set; }

    /// <summary>The projection compiled once and cached, or null when there is none.</summary>
    internal Func<T, TResult>? CompiledSelector => Selector is null ? null : _compiledSelector ??= Selector.Compile();

    internal void SetSelector(Expression<Func<T, TResult>> selector)
    {
        if (Selector is not null)
        {
            throw new InvalidSpecificationException(GetType().Name, "Select was already set; call it once.");
        }
        Selector = selector;
    }
}

/// <summary>Builds specifications inline, for one-off queries where a named class would be noise.</summary>
public static class Specification
{
    /// <summary>Creates a specification described by <paramref name="describe"/>.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <param name="describe">Describes the query, e.g. <c>q =&gt; q.Where(p =&gt; p.Total.Amount &gt; 100).OrderBy(p =&gt; p.Id)</c>.</param>
    /// <returns>The specification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="describe"/> is null.</exception>
    /// <remarks>Prefer a named derived class for queries used in more than one place: the name documents the intent.</remarks>
    public static Specification<T> Create<T>(Action<SpecificationBuilder<T>> describe)
        where T : class
    {
        Preconditions.CheckNotNull(describe);
        return new InlineSpecification<T>(describe);
    }

    /// <summary>A specification that matches every item, unordered and unpaged.</summary>
    /// <typeparam name="T">The type queried.</typeparam>
    /// <returns>The specification (a shared instance).</returns>
    public static Specification<T> All<T>()
        where T : class => AllSpecification<T>.Instance;

    private sealed class InlineSpecification<T> : Specification<T>
        where T : class
    {
        public InlineSpecification(Action<SpecificationBuilder<T>> describe) => describe(Query);
    }

    private sealed class AllSpecification<T> : Specification<T>
        where T : class
    {
        public static readonly AllSpecification<T> Instance = new();
    }
}
