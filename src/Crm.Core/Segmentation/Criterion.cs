using System.Linq.Expressions;

namespace Crm.Core.Segmentation;

/// <summary>
/// A yes/no rule over <typeparamref name="T"/> held as an expression tree, composable with
/// <see cref="And"/>, <see cref="Or"/> and <see cref="Not"/> (or <c>&amp;</c>, <c>|</c>, <c>!</c>). The same
/// criterion runs in memory (<see cref="IsSatisfiedBy"/>, compiled once and cached) and in a database
/// (pass <see cref="Expression"/> to <c>IQueryable.Where</c>).
/// </summary>
/// <typeparam name="T">The type the rule is about, e.g. <see cref="CustomerProfile"/>.</typeparam>
/// <remarks>
/// <para>Composition rewrites the parameters of both operands into one shared parameter instead of using
/// <see cref="InvocationExpression"/>, because query providers such as EF Core cannot translate invocations.
/// Composing never adds method calls to the tree, so a criterion built from translatable parts stays translatable.</para>
/// <para><see cref="True"/> and <see cref="False"/> are identities that vanish on composition
/// (<c>True.And(x)</c> is <c>x</c>), so building a rule in a loop starting from them adds no noise to the SQL.</para>
/// <para>Instances are immutable and thread-safe. Equality is reference equality: two criteria with the same
/// meaning are not necessarily equal objects.</para>
/// </remarks>
public sealed class Criterion<T>
{
    private readonly Lazy<Func<T, bool>> _compiled;
    private readonly Kind _kind;

    private Criterion(Expression<Func<T, bool>> expression, Kind kind)
    {
        Expression = expression;
        _kind = kind;
        _compiled = new Lazy<Func<T, bool>>(expression.Compile, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private enum Kind
    {
        General,
        True,
        False,
    }

    /// <summary>The criterion every value satisfies.</summary>
    public static Criterion<T> True { get; } = new(_ => true, Kind.True);

    /// <summary>The criterion no value satisfies.</summary>
    public static Criterion<T> False { get; } = new(_ => false, Kind.False);

    /// <summary>The predicate as an expression tree, for query providers and for inspection.</summary>
    public Expression<Func<T, bool>> Expression { get; }

    /// <summary>Whether this is the <see cref="True"/> identity (after simplification).</summary>
    public bool IsTrue => _kind == Kind.True;

    /// <summary>Whether this is the <see cref="False"/> identity (after simplification).</summary>
    public bool IsFalse => _kind == Kind.False;

    /// <summary>Wraps a predicate expression.</summary>
    /// <param name="predicate">The predicate. Keep it free of calls the target store cannot translate if it is meant for a database.</param>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static Criterion<T> Where(Expression<Func<T, bool>> predicate)
    {
        Preconditions.CheckNotNull(predicate);
        return new Criterion<T>(predicate, Kind.General);
    }

    /// <summary>Both this and <paramref name="other"/> hold.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public Criterion<T> And(Criterion<T> other)
    {
        Preconditions.CheckNotNull(other);
        if (IsFalse || other.IsTrue)
        {
            return this;
        }
        if (IsTrue || other.IsFalse)
        {
            return other;
        }
        return Combine(other, ExpressionType.AndAlso);
    }

    /// <summary>This or <paramref name="other"/> (or both) holds.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public Criterion<T> Or(Criterion<T> other)
    {
        Preconditions.CheckNotNull(other);
        if (IsTrue || other.IsFalse)
        {
            return this;
        }
        if (IsFalse || other.IsTrue)
        {
            return other;
        }
        return Combine(other, ExpressionType.OrElse);
    }

    /// <summary>The negation: holds exactly when this does not.</summary>
    public Criterion<T> Not()
    {
        if (IsTrue)
        {
            return False;
        }
        if (IsFalse)
        {
            return True;
        }
        // Unwrap a double negation so NOT(NOT x) is x itself, not a deeper tree.
        if (Expression.Body is UnaryExpression { NodeType: ExpressionType.Not } inner)
        {
            return new Criterion<T>(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(inner.Operand, Expression.Parameters), Kind.General);
        }
        return new Criterion<T>(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(System.Linq.Expressions.Expression.Not(Expression.Body), Expression.Parameters), Kind.General);
    }

    /// <summary>All of <paramref name="criteria"/> hold; <see cref="True"/> when there are none.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> is null or contains null.</exception>
    public static Criterion<T> All(IEnumerable<Criterion<T>> criteria)
    {
        Preconditions.CheckNotNull(criteria);
        var result = True;
        foreach (var criterion in criteria)
        {
            Preconditions.CheckArgument(criterion is not null, nameof(criteria), "The criteria must not contain null.");
            result = result.And(criterion);
        }
        return result;
    }

    /// <summary>At least one of <paramref name="criteria"/> holds; <see cref="False"/> when there are none.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> is null or contains null.</exception>
    public static Criterion<T> Any(IEnumerable<Criterion<T>> criteria)
    {
        Preconditions.CheckNotNull(criteria);
        var result = False;
        foreach (var criterion in criteria)
        {
            Preconditions.CheckArgument(criterion is not null, nameof(criteria), "The criteria must not contain null.");
            result = result.Or(criterion);
        }
        return result;
    }

    /// <summary>Evaluates the criterion in memory with a delegate compiled on first use and cached.</summary>
    /// <param name="value">The value to test.</param>
    /// <returns>Whether <paramref name="value"/> satisfies the criterion.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public bool IsSatisfiedBy(T value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }
        return _compiled.Value(value);
    }

    /// <summary>The compiled, cached predicate, for tight loops that want to skip the null check.</summary>
    public Func<T, bool> Compiled => _compiled.Value;

    /// <summary>The expression tree as text, for logs and diagnostics (contains constants from the rule, never data).</summary>
    public override string ToString() => Expression.ToString();

    /// <summary>Both.</summary>
    /// <exception cref="ArgumentNullException">An operand is null.</exception>
    public static Criterion<T> operator &(Criterion<T> left, Criterion<T> right) => Preconditions.CheckNotNull(left).And(right);

    /// <summary>Either.</summary>
    /// <exception cref="ArgumentNullException">An operand is null.</exception>
    public static Criterion<T> operator |(Criterion<T> left, Criterion<T> right) => Preconditions.CheckNotNull(left).Or(right);

    /// <summary>Negation.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    public static Criterion<T> operator !(Criterion<T> criterion) => Preconditions.CheckNotNull(criterion).Not();

    /// <summary>Always false: lets <c>&amp;&amp;</c> be used with <c>&amp;</c>.</summary>
    public static bool operator false(Criterion<T> criterion) => false;

    /// <summary>Always false: lets <c>||</c> be used with <c>|</c>.</summary>
    public static bool operator true(Criterion<T> criterion) => false;

    private Criterion<T> Combine(Criterion<T> other, ExpressionType type)
    {
        var parameter = Expression.Parameters[0];
        var otherBody = ParameterReplacer.Replace(other.Expression.Body, other.Expression.Parameters[0], parameter);
        var body = System.Linq.Expressions.Expression.MakeBinary(type, Expression.Body, otherBody);
        return new Criterion<T>(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(body, parameter), Kind.General);
    }
}

/// <summary>Rewrites one parameter into another so two lambdas can share a body without an invocation.</summary>
internal sealed class ParameterReplacer : ExpressionVisitor
{
    private readonly ParameterExpression _from;
    private readonly Expression _to;

    private ParameterReplacer(ParameterExpression from, Expression to)
    {
        _from = from;
        _to = to;
    }

    /// <summary>Returns <paramref name="body"/> with every use of <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    public static Expression Replace(Expression body, ParameterExpression from, Expression to) =>
        ReferenceEquals(from, to) ? body : new ParameterReplacer(from, to).Visit(body);

    /// <inheritdoc/>
    protected override Expression VisitParameter(ParameterExpression node) => node == _from ? _to : base.VisitParameter(node);
}
