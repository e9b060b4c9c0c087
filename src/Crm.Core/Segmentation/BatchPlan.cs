using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Crm.Core.Segmentation;

/// <summary>
/// How a <see cref="ProfileTable"/> evaluates a <see cref="Criterion{T}"/> over all its rows at once. The plan is
/// derived from the criterion's own expression tree, not from the rule, so it applies to any criterion (rules,
/// hand-written criteria and their compositions) and cannot drift from what the expression means:
/// <list type="bullet">
/// <item><c>AndAlso</c>, <c>OrElse</c> and <c>Not</c> become bit-set operations over chunks of rows;</item>
/// <item>every largest subtree that reads a single member of the profile (<c>p.Country</c>, including everything
/// it does with that value) becomes a <i>column leaf</i>: the subtree with <c>p.Country</c> replaced by a parameter,
/// compiled to <c>Func&lt;string, bool&gt;</c> and evaluated against the column;</item>
/// <item>anything else (a subtree reading two members, or using the profile as a whole) becomes a <i>row leaf</i>:
/// the subtree compiled over the profile and evaluated only for the rows still undecided.</item>
/// </list>
/// Children of a group are evaluated cheapest first, and each child only for the rows its group has not decided yet
/// (rows already false under AND, already true under OR), which is the batch form of short-circuiting.
/// </summary>
/// <remarks>
/// <para>Equivalence with <see cref="Criterion{T}.IsSatisfiedBy"/> rests on the subtrees being pure: evaluating a
/// condition that short-circuiting would have skipped, or in another order, changes nothing. The rule compiler
/// emits pure, total subtrees (every nullable read is guarded inside the same single-member subtree, which stays one
/// leaf). A hand-written criterion may guard one member's read with another member's test
/// (<c>p.HasEmail &amp;&amp; p.Email.Length &gt; 3</c>); the leaf then throws for a value its guard would have
/// skipped, and <see cref="ProfileTable.Evaluate"/> falls back to the row-by-row delegate, which throws (or not)
/// exactly as <see cref="Criterion{T}.IsSatisfiedBy"/> does. Property tests check the equivalence on random rules,
/// compositions and profiles.</para>
/// <para>Plans are cached per criterion instance (the rule compiler caches criteria per rule and date), immutable and
/// thread-safe; binding to a table creates the per-evaluation state.</para>
/// </remarks>
internal sealed class BatchPlan
{
    private static readonly ConditionalWeakTable<Criterion<CustomerProfile>, BatchPlan> Cache = new();

    private readonly PlanNode _root;

    private BatchPlan(PlanNode root) => _root = root;

    /// <summary>The plan of a criterion, built once per criterion instance.</summary>
    public static BatchPlan For(Criterion<CustomerProfile> criterion) =>
        Cache.GetValue(criterion, static c => new BatchPlan(new Planner(c.Expression.Parameters[0]).Plan(c.Expression.Body)));

    /// <summary>The plan's shape, e.g. <c>and(column country, column tags, row)</c>; for tests and diagnostics.</summary>
    public override string ToString() => _root.ToString()!;

    /// <summary>Materialises the columns the plan reads and builds the per-evaluation state.</summary>
    public BoundNode Bind(ProfileTable table) => _root.Bind(table);

    private abstract class PlanNode
    {
        /// <summary>Relative cost per row, for ordering the children of a group (cheap, exact tests first).</summary>
        public abstract int Cost { get; }

        public abstract BoundNode Bind(ProfileTable table);
    }

    private sealed class GroupPlan(bool isAnd, IReadOnlyList<PlanNode> children) : PlanNode
    {
        public override int Cost { get; } = children.Sum(c => c.Cost);

        public override BoundNode Bind(ProfileTable table) => new BoundGroup(isAnd, children.Select(c => c.Bind(table)).ToArray());

        public override string ToString() => $"{(isAnd ? "and" : "or")}({string.Join(", ", children)})";
    }

    private sealed class NotPlan(PlanNode child) : PlanNode
    {
        public override int Cost => child.Cost;

        public override BoundNode Bind(ProfileTable table) => new BoundNot(child.Bind(table));

        public override string ToString() => $"not({child})";
    }

    private sealed class ConstantPlan(bool value) : PlanNode
    {
        public override int Cost => 0;

        public override BoundNode Bind(ProfileTable table) => new BoundConstant(value);

        public override string ToString() => value ? "true" : "false";
    }

    private sealed class ColumnPlan(MemberInfo member, Type type, Delegate predicate) : PlanNode
    {
        // Dictionary-encoded columns cost a table look-up per row; raw ones a delegate call per undecided row.
        public override int Cost { get; } = ProfileColumn.IsEncodable(type) ? 1 : 10;

        public override BoundNode Bind(ProfileTable table) => table.Column(member, type).Bind(predicate, table.Count);

        public override string ToString() => $"column {member.Name}";
    }

    private sealed class RowPlan(Func<CustomerProfile, bool> predicate) : PlanNode
    {
        public override int Cost => 20;

        public override BoundNode Bind(ProfileTable table) => new BoundPerRow<CustomerProfile>(table.RowArray, predicate);

        public override string ToString() => "row";
    }

    /// <summary>Turns an expression body into a plan (see the class summary).</summary>
    private sealed class Planner(ParameterExpression profile)
    {
        public PlanNode Plan(Expression node)
        {
            var reads = ReadFinder.Find(node, profile);
            if (!reads.UsesProfileAsWhole && reads.Members.Count == 0)
            {
                return new ConstantPlan(Expression.Lambda<Func<bool>>(node).Compile()());
            }
            if (reads.IsSingleColumn)
            {
                return Column(node, reads.Members.Single());
            }
            if (node.Type == typeof(bool) && node is BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse, Method: null } binary)
            {
                var children = new List<Expression>();
                Flatten(binary, binary.NodeType, children);
                // OrderBy is stable: equal costs keep the rule's own order, so plans are deterministic.
                return new GroupPlan(binary.NodeType == ExpressionType.AndAlso, children.Select(Plan).OrderBy(c => c.Cost).ToList());
            }
            if (node is UnaryExpression { NodeType: ExpressionType.Not, Method: null } not && not.Type == typeof(bool))
            {
                return new NotPlan(Plan(not.Operand));
            }
            return new RowPlan(Expression.Lambda<Func<CustomerProfile, bool>>(node, profile).Compile());
        }

        private void Flatten(Expression node, ExpressionType type, List<Expression> into)
        {
            // A nested group on one member stays whole: it is one column leaf (and its own null guard stays with it).
            if (node is BinaryExpression binary && binary.NodeType == type && binary.Method is null && !ReadFinder.Find(node, profile).IsSingleColumn)
            {
                Flatten(binary.Left, type, into);
                Flatten(binary.Right, type, into);
            }
            else
            {
                into.Add(node);
            }
        }

        private PlanNode Column(Expression node, MemberExpression read)
        {
            var type = read.Type;
            var value = Expression.Parameter(type, "v");
            var body = new ReadReplacer(profile, read.Member, value).Visit(node);
            var predicate = Expression.Lambda(typeof(Func<,>).MakeGenericType(type, typeof(bool)), body, value).Compile();
            return new ColumnPlan(read.Member, type, predicate);
        }
    }

    /// <summary>The members of the profile an expression reads directly (<c>p.X</c>), and whether it uses <c>p</c> otherwise.</summary>
    private sealed class ReadFinder(ParameterExpression profile) : ExpressionVisitor
    {
        private readonly Dictionary<MemberInfo, MemberExpression> _members = [];
        private bool _whole;

        public IReadOnlyCollection<MemberExpression> Members => _members.Values;

        public bool UsesProfileAsWhole => _whole;

        /// <summary>Whether the expression is a function of exactly one member of the profile.</summary>
        public bool IsSingleColumn => !_whole && _members.Count == 1;

        public static ReadFinder Find(Expression node, ParameterExpression profile)
        {
            var finder = new ReadFinder(profile);
            finder.Visit(node);
            return finder;
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression == profile)
            {
                _members.TryAdd(node.Member, node);
                return node;
            }
            return base.VisitMember(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _whole |= node == profile;
            return node;
        }
    }

    /// <summary>Replaces the read <c>p.Member</c> by a value parameter.</summary>
    private sealed class ReadReplacer(ParameterExpression profile, MemberInfo member, ParameterExpression value) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == profile && node.Member == member ? value : base.VisitMember(node);
    }
}

/// <summary>
/// A plan node bound to one table for one evaluation. <see cref="Evaluate"/> works on a chunk of up to
/// <see cref="ChunkWords"/> words of 64 rows: it writes into <c>result</c> the rows of <c>active</c> that satisfy
/// the node (never a row outside <c>active</c>), and may skip rows outside <c>active</c>.
/// </summary>
internal abstract class BoundNode
{
    /// <summary>Words per chunk: 64 words = 4,096 rows, so a chunk's bit sets take 512 bytes each.</summary>
    public const int ChunkWords = 64;

    /// <summary>Evaluates the chunk whose first word is <paramref name="firstWord"/>.</summary>
    public abstract void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result);

    protected static bool IsEmpty(ReadOnlySpan<ulong> bits) => !bits.ContainsAnyExcept(0UL);
}

/// <summary>AND / OR over children: each child sees only the rows the group has not decided yet.</summary>
internal sealed class BoundGroup(bool isAnd, BoundNode[] children) : BoundNode
{
    private readonly ulong[] _undecided = new ulong[ChunkWords];
    private readonly ulong[] _child = new ulong[ChunkWords];

    public override void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result)
    {
        var n = active.Length;
        var undecided = _undecided.AsSpan(0, n);
        var child = _child.AsSpan(0, n);
        active.CopyTo(undecided);
        if (isAnd)
        {
            // Rows still in "undecided" are true so far; a child can only remove rows.
            foreach (var node in children)
            {
                if (IsEmpty(undecided))
                {
                    break;
                }
                node.Evaluate(firstWord, undecided, child);
                child.CopyTo(undecided);
            }
            undecided.CopyTo(result);
            return;
        }
        result.Clear();
        foreach (var node in children)
        {
            if (IsEmpty(undecided))
            {
                break;
            }
            node.Evaluate(firstWord, undecided, child);
            for (var i = 0; i < n; i++)
            {
                result[i] |= child[i];
                undecided[i] &= ~child[i];
            }
        }
    }
}

/// <summary>NOT: the active rows the child rejects.</summary>
internal sealed class BoundNot(BoundNode child) : BoundNode
{
    private readonly ulong[] _child = new ulong[ChunkWords];

    public override void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result)
    {
        var inner = _child.AsSpan(0, active.Length);
        child.Evaluate(firstWord, active, inner);
        for (var i = 0; i < active.Length; i++)
        {
            result[i] = active[i] & ~inner[i];
        }
    }
}

/// <summary>A subtree that reads nothing from the profile.</summary>
internal sealed class BoundConstant(bool value) : BoundNode
{
    public override void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result)
    {
        if (value)
        {
            active.CopyTo(result);
        }
        else
        {
            result.Clear();
        }
    }
}

/// <summary>A condition on a dictionary-encoded column: one look-up of the row's code in a table of answers per distinct value.</summary>
internal sealed class BoundLookup(int[] codes, byte[] answers, int rows) : BoundNode
{
    public override void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result)
    {
        for (var k = 0; k < active.Length; k++)
        {
            var mask = active[k];
            var row = (firstWord + k) * 64;
            ulong bits = 0;
            if (mask == ulong.MaxValue || BitOperations.PopCount(mask) > 16)
            {
                // Dense: test all rows of the word branch-free; the mask removes inactive ones.
                var end = Math.Min(64, rows - row);
                var slice = codes.AsSpan(row, end);
                for (var j = 0; j < slice.Length; j++)
                {
                    bits |= (ulong)answers[slice[j]] << j;
                }
                bits &= mask;
            }
            else
            {
                // Sparse: only the rows still undecided.
                for (var m = mask; m != 0; m &= m - 1)
                {
                    var j = BitOperations.TrailingZeroCount(m);
                    bits |= (ulong)answers[codes[row + j]] << j;
                }
            }
            result[k] = bits;
        }
    }
}

/// <summary>A predicate called per undecided row, on a raw column's value or on the whole profile.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class BoundPerRow<T>(T[] values, Func<T, bool> predicate) : BoundNode
{
    public override void Evaluate(int firstWord, ReadOnlySpan<ulong> active, Span<ulong> result)
    {
        for (var k = 0; k < active.Length; k++)
        {
            var row = (firstWord + k) * 64;
            ulong bits = 0;
            for (var m = active[k]; m != 0; m &= m - 1)
            {
                var j = BitOperations.TrailingZeroCount(m);
                if (predicate(values[row + j]))
                {
                    bits |= 1UL << j;
                }
            }
            result[k] = bits;
        }
    }
}
