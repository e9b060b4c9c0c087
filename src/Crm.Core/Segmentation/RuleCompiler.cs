using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// Validates rule trees and compiles them to <see cref="Criterion{T}"/> over <see cref="CustomerProfile"/> for an
/// evaluation date. The compiled expression contains only member access, comparisons, boolean operators,
/// <c>Any</c>/<c>Contains</c> over the profile's collections and string <c>Contains</c>/<c>StartsWith</c>/<c>EndsWith</c>/<c>Replace</c>,
/// with relative dates already resolved to constants: EF Core translates it, and the same tree compiled to a
/// delegate runs in memory.
/// </summary>
/// <remarks>
/// <para><b>String comparison rules.</b> Text compares ordinally (code unit by code unit), in memory and in the
/// database alike. With <c>ignoreCase</c>, ASCII letters A–Z are folded to a–z on both sides before the ordinal
/// comparison; other letters (é, Ä, ß...) still compare exactly. This is deliberate: SQLite's <c>lower()</c> folds
/// only ASCII while .NET folds all of Unicode, so full Unicode folding would give different members in memory and
/// in the database. Store text you want to match loosely already normalised (tags are stored lower case).</para>
/// <para>Compiled criteria are cached per rule instance and evaluation date, so re-evaluating one customer costs
/// one delegate call. Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class RuleCompiler
{
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringConcat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo StringReplace = typeof(string).GetMethod(nameof(string.Replace), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo EnumerableContains = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2).MakeGenericMethod(typeof(string));
    private static readonly MethodInfo EnumerableAnyOfString = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Any) && m.GetParameters().Length == 1).MakeGenericMethod(typeof(string));
    private static readonly MethodInfo EnumerableAnyWhere = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Any) && m.GetParameters().Length == 2);

    private const string Sentinel = "\u0001";

    // One entry per rule instance, replaced as a whole (a reference write is atomic): compilers are shared across
    // threads, and a torn (date, criterion) pair would answer for the wrong date.
    private readonly ConditionalWeakTable<RuleNode, StrongBox<CompiledForDate?>> _cache = new();

    /// <summary>Creates a compiler over a field registry and, optionally, a resolver for segment references.</summary>
    /// <param name="fields">The fields rules may name; <see cref="ProfileFieldRegistry.Default"/> when null.</param>
    /// <param name="segments">Resolves segment references; without one, segment conditions are invalid.</param>
    public RuleCompiler(ProfileFieldRegistry? fields = null, ISegmentRuleResolver? segments = null)
    {
        Fields = fields ?? ProfileFieldRegistry.Default;
        Segments = segments;
    }

    /// <summary>A compiler over the default registry without segment references.</summary>
    public static RuleCompiler Default { get; } = new();

    /// <summary>The fields rules may name.</summary>
    public ProfileFieldRegistry Fields { get; }

    /// <summary>The resolver for segment references, if any.</summary>
    public ISegmentRuleResolver? Segments { get; }

    /// <summary>Checks a rule against the registry, operator/type rules and segment references (including cycles).</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="path">The path of <paramref name="rule"/> in its document, used as the prefix of error paths.</param>
    /// <returns>Every problem found; empty when the rule is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    public IReadOnlyList<RuleError> Validate(RuleNode rule, string path = "$.rule")
    {
        Preconditions.CheckNotNull(rule);
        var builder = new Builder(this, new LocalDate(2000, 1, 1));
        builder.Build(rule, path ?? "$.rule");
        return builder.Errors;
    }

    /// <summary>Compiles a rule for the date that <paramref name="asOf"/> falls on in <paramref name="zone"/>.</summary>
    /// <inheritdoc cref="Compile(RuleNode, LocalDate)"/>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public Criterion<CustomerProfile> Compile(RuleNode rule, Instant asOf, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(zone);
        return Compile(rule, asOf.InZone(zone).Date);
    }

    /// <summary>
    /// Compiles a rule for an evaluation date: relative dates ("30 days ago", "last month", anniversaries) are
    /// resolved against <paramref name="today"/>. The result is cached per rule instance and date.
    /// </summary>
    /// <param name="rule">A valid rule.</param>
    /// <param name="today">The evaluation date in the business time zone.</param>
    /// <returns>The criterion; its <see cref="Criterion{T}.Expression"/> is translatable by EF Core.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid; the exception lists every problem.</exception>
    public Criterion<CustomerProfile> Compile(RuleNode rule, LocalDate today)
    {
        Preconditions.CheckNotNull(rule);
        var box = _cache.GetOrCreateValue(rule);
        if (Volatile.Read(ref box.Value) is { } cached && cached.Date == today)
        {
            return cached.Criterion;
        }
        var builder = new Builder(this, today);
        var criterion = builder.Build(rule, "$.rule");
        if (builder.Errors.Count > 0)
        {
            throw new SegmentDefinitionException(builder.Errors);
        }
        Volatile.Write(ref box.Value, new CompiledForDate(today, criterion));
        return criterion;
    }

    /// <summary>
    /// Explains, for one customer, which conditions of <paramref name="rule"/> matched and which did not, with the
    /// values the conditions read. Evaluates by walking the tree, so the answer is the reference semantics.
    /// </summary>
    /// <param name="rule">A valid rule.</param>
    /// <param name="profile">The customer's profile.</param>
    /// <param name="today">The evaluation date in the business time zone.</param>
    /// <returns>The root's explanation; <see cref="RuleExplanation.Matched"/> of the root equals <c>Compile(rule, today).IsSatisfiedBy(profile)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> or <paramref name="profile"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    public RuleExplanation Explain(RuleNode rule, CustomerProfile profile, LocalDate today)
    {
        Preconditions.CheckNotNull(rule);
        Preconditions.CheckNotNull(profile);
        ThrowIfInvalid(rule);
        return new RuleInterpreter(this, today).Explain(rule, profile, "$.rule");
    }

    /// <summary>Evaluates by walking the tree (no compilation): the reference semantics and the benchmark baseline.</summary>
    internal bool Interpret(RuleNode rule, CustomerProfile profile, LocalDate today) => new RuleInterpreter(this, today).Evaluate(rule, profile);

    /// <summary>Throws <see cref="SegmentDefinitionException"/> listing every problem when the rule is invalid.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    public void ThrowIfInvalid(RuleNode rule)
    {
        var errors = Validate(rule);
        if (errors.Count > 0)
        {
            throw new SegmentDefinitionException(errors);
        }
    }

    /// <summary>Resolves a date operand (fixed, relative, or an ISO date / "today" given as text), or null when it is not one.</summary>
    internal static LocalDate? ResolveDateOperand(RuleValue? value, LocalDate today) => value switch
    {
        { Kind: RuleValueKind.Date or RuleValueKind.RelativeDate } => value.ResolveDate(today),
        // JSON has no date type: ISO dates and "today" arrive as text and are read as dates where a date is expected.
        { Kind: RuleValueKind.Text, Text: "today" } => today,
        { Kind: RuleValueKind.Text } when NodaTime.Text.LocalDatePattern.Iso.Parse(value.Text!) is { Success: true } parsed => parsed.Value,
        _ => null,
    };

    /// <summary>Folds ASCII A–Z to a–z and leaves every other character alone (the <c>ignoreCase</c> rule).</summary>
    internal static string FoldAscii(string value) =>
        string.Create(value.Length, value, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                span[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            }
        });

    /// <summary>The month-day (MMdd) ranges an anniversary within <paramref name="withinDays"/> days of <paramref name="today"/> falls in.</summary>
    internal static List<(int From, int To)> AnniversaryRanges(LocalDate today, int withinDays)
    {
        var ranges = new List<(int From, int To)>();
        for (var d = 0; d <= withinDays; d++)
        {
            var date = today.PlusDays(d);
            var md = (date.Month * 100) + date.Day;
            // 29 February anniversaries are celebrated on 1 March when the year has no 29 February.
            var from = md == 301 && !CalendarSystem.Iso.IsLeapYear(date.Year) ? 229 : md;
            if (ranges.Count > 0 && ranges[^1].To < md && (date.Day != 1 || date.Month != 1))
            {
                ranges[^1] = (ranges[^1].From, md);
            }
            else
            {
                ranges.Add((from, md));
            }
        }
        return ranges;
    }

    internal const string SentinelText = Sentinel;

    /// <summary>Splits a negative operator into its positive twin and a negation flag (ne = NOT eq, ...).</summary>
    internal static (RuleOperator Positive, bool Negate) Positive(RuleOperator op) => op switch
    {
        RuleOperator.Ne => (RuleOperator.Eq, true),
        RuleOperator.NotIn => (RuleOperator.In, true),
        RuleOperator.NotContains => (RuleOperator.Contains, true),
        RuleOperator.IsNotEmpty => (RuleOperator.IsEmpty, true),
        _ => (op, false),
    };

    private sealed record CompiledForDate(LocalDate Date, Criterion<CustomerProfile> Criterion);

    private sealed class Builder(RuleCompiler owner, LocalDate today)
    {
        private readonly ParameterExpression _p = Expression.Parameter(typeof(CustomerProfile), "p");
        private readonly Stack<string> _segmentStack = new();

        public List<RuleError> Errors { get; } = [];

        public Criterion<CustomerProfile> Build(RuleNode node, string path) => Node(node, path) switch
        {
            ConstantExpression { Value: true } => Criterion<CustomerProfile>.True,
            null or ConstantExpression { Value: false } => Criterion<CustomerProfile>.False,
            var body => Criterion<CustomerProfile>.Where(Expression.Lambda<Func<CustomerProfile, bool>>(body, _p)),
        };

        private Expression? Node(RuleNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return Error(path, "A rule node is missing.");
                case AllOf all:
                    return Group(all.Children, path + ".all", Expression.AndAlso, true);
                case AnyOf any:
                    return Group(any.Children, path + ".any", Expression.OrElse, false);
                case NotOf not:
                    return Node(not.Child, path + ".not") is { } inner ? Expression.Not(inner) : null;
                case FieldCondition field:
                    return Field(field, path);
                case AttributeCondition attribute:
                    return Attribute(attribute, path);
                case PurchasedCondition purchased:
                    return Purchased(purchased, path);
                case ChannelShareCondition share:
                    return ChannelShare(share, path);
                case HoldsCondition holds:
                    return Holds(holds, path);
                case ConsentCondition consent:
                    return Consent(consent, path);
                case AnniversaryCondition anniversary:
                    return Anniversary(anniversary, path);
                case SegmentCondition segment:
                    return Segment(segment, path);
                default:
                    return Error(path, $"Unknown rule node {node.GetType().Name}.");
            }
        }

        private Expression? Group(IReadOnlyList<RuleNode>? children, string path, Func<Expression, Expression, BinaryExpression> combine, bool identity)
        {
            if (children is null)
            {
                return Error(path, "A group needs a list of children.");
            }
            Expression? result = null;
            for (var i = 0; i < children.Count; i++)
            {
                var child = Node(children[i], $"{path}[{i}]");
                if (child is not null)
                {
                    result = result is null ? child : combine(result, child);
                }
            }
            return result ?? Expression.Constant(identity);
        }

        private Expression? Field(FieldCondition c, string path)
        {
            if (c.Field is null || !owner.Fields.TryGet(c.Field, out var field))
            {
                return Error(path + ".field", $"Unknown field '{c.Field}'. Known fields: {string.Join(", ", owner.Fields.Fields.Select(f => f.Name))}.");
            }
            var access = ParameterReplacer.Replace(field.Accessor.Body, field.Accessor.Parameters[0], _p);
            return field.Type switch
            {
                ProfileFieldType.TextSet => TextSet(access, c.Operator, c.Values, path),
                _ => Scalar(access, field.Type, field.EnumType, c.Operator, c.Values, c.IgnoreCase, path),
            };
        }

        private Expression? Attribute(AttributeCondition c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                return Error(path + ".attribute", "An attribute condition needs the attribute name.");
            }
            var a = Expression.Parameter(typeof(ProfileAttribute), "a");
            var (member, type) = c.Type switch
            {
                AttributeType.Text => (nameof(ProfileAttribute.Text), ProfileFieldType.Text),
                AttributeType.Number => (nameof(ProfileAttribute.Number), ProfileFieldType.Number),
                AttributeType.Boolean => (nameof(ProfileAttribute.Flag), ProfileFieldType.Boolean),
                AttributeType.Date => (nameof(ProfileAttribute.Date), ProfileFieldType.Date),
                _ => (string.Empty, ProfileFieldType.Text),
            };
            if (member.Length == 0)
            {
                return Error(path + ".type", "The attribute type must be text, number, boolean or date.");
            }
            var value = Expression.Property(a, member);
            var nameMatches = Expression.Equal(Expression.Property(a, nameof(ProfileAttribute.Name)), Expression.Constant(c.Name));
            // Negative operators are the negation of the positive one over "has an attribute that matches", so a
            // customer without the attribute is "not equal" / "empty", consistent with profile fields.
            var (positive, negate) = Positive(c.Operator);
            var predicate = Scalar(value, type, null, positive, c.Values, c.IgnoreCase, path);
            if (predicate is null)
            {
                return null;
            }
            var any = AnyOf(Expression.Property(_p, nameof(CustomerProfile.Attributes)), a, Expression.AndAlso(nameMatches, positive == RuleOperator.IsEmpty ? Expression.Not(predicate) : predicate));
            return (positive == RuleOperator.IsEmpty) ^ negate ? Expression.Not(any) : any;
        }

        private Expression? Purchased(PurchasedCondition c, string path)
        {
            if (string.IsNullOrEmpty(c.Key))
            {
                return Error(path + ".key", "A purchased condition needs the SKU, category or channel.");
            }
            if (!Enum.IsDefined(c.Dimension))
            {
                return Error(path, "The dimension must be sku, category or channel.");
            }
            var since = c.Since is null ? null : Date(c.Since, path + ".since");
            var until = c.Until is null ? null : Date(c.Until, path + ".until");
            if ((c.Since is not null && since is null) || (c.Until is not null && until is null))
            {
                return null;
            }
            // A closed period needs the purchase days: first and last dates cannot tell whether a purchase fell
            // between them. One bound alone is decided exactly by the aggregates (last >= since, first <= until).
            var closed = since is not null && until is not null;
            var itemType = closed ? typeof(ProfilePurchaseDay) : typeof(ProfilePurchaseStat);
            var s = Expression.Parameter(itemType, "s");
            Expression match = Expression.AndAlso(
                Expression.Equal(Expression.Property(s, nameof(ProfilePurchaseStat.Dimension)), Expression.Constant(c.Dimension)),
                Expression.Equal(Expression.Property(s, nameof(ProfilePurchaseStat.Key)), Expression.Constant(c.Key)));
            if (since is not null)
            {
                var date = closed ? nameof(ProfilePurchaseDay.Date) : nameof(ProfilePurchaseStat.LastDate);
                match = Expression.AndAlso(match, Expression.GreaterThanOrEqual(Expression.Property(s, date), Expression.Constant(since.Value)));
            }
            if (until is not null)
            {
                var date = closed ? nameof(ProfilePurchaseDay.Date) : nameof(ProfilePurchaseStat.FirstDate);
                match = Expression.AndAlso(match, Expression.LessThanOrEqual(Expression.Property(s, date), Expression.Constant(until.Value)));
            }
            var collection = closed ? nameof(CustomerProfile.PurchaseDays) : nameof(CustomerProfile.PurchaseStats);
            return AnyOf(Expression.Property(_p, collection), s, match);
        }

        private Expression? ChannelShare(ChannelShareCondition c, string path)
        {
            if (!Enum.IsDefined(c.Channel))
            {
                return Error(path + ".channel", $"Unknown channel. Allowed: {string.Join(", ", Enum.GetNames<Channel>())}.");
            }
            if (c.Percent is < 0 or > 100)
            {
                return Error(path + ".value", "The share is a whole percentage from 0 to 100.");
            }
            if (c.Operator is not (RuleOperator.Gt or RuleOperator.Gte or RuleOperator.Lt or RuleOperator.Lte))
            {
                return Error(path + ".op", "A channel share is compared with gt, gte, lt or lte.");
            }
            // share >= x  <=>  count * 100 >= x * purchases: integer arithmetic, exact in memory and in SQL.
            var s = Expression.Parameter(typeof(ProfilePurchaseStat), "s");
            var count = Expression.Property(_p, nameof(CustomerProfile.PurchaseCount));
            var scaled = Expression.Multiply(Expression.Property(s, nameof(ProfilePurchaseStat.Count)), Expression.Constant(100));
            var threshold = Expression.Multiply(Expression.Constant(c.Percent), count);
            var strict = c.Operator is RuleOperator.Gt or RuleOperator.Lte;
            var reaches = AnyOf(
                Expression.Property(_p, nameof(CustomerProfile.PurchaseStats)),
                s,
                Expression.AndAlso(
                    Expression.AndAlso(
                        Expression.Equal(Expression.Property(s, nameof(ProfilePurchaseStat.Dimension)), Expression.Constant(PurchaseDimension.Channel)),
                        Expression.Equal(Expression.Property(s, nameof(ProfilePurchaseStat.Key)), Expression.Constant(c.Channel.ToString()))),
                    strict ? Expression.GreaterThan(scaled, threshold) : Expression.GreaterThanOrEqual(scaled, threshold)));
            var hasPurchases = Expression.GreaterThan(count, Expression.Constant(0));
            return Expression.AndAlso(hasPurchases, c.Operator is RuleOperator.Gt or RuleOperator.Gte ? reaches : Expression.Not(reaches));
        }

        private Expression? Holds(HoldsCondition c, string path)
        {
            if (c.ProductId is null && c.Category is null)
            {
                return Error(path, "A holds condition names a product, a category or both.");
            }
            var h = Expression.Parameter(typeof(ProfileHolding), "h");
            Expression match = Expression.Equal(Expression.Property(h, nameof(ProfileHolding.IsActive)), Expression.Constant(true));
            if (c.ProductId is not null)
            {
                match = Expression.AndAlso(match, Expression.Equal(Expression.Property(h, nameof(ProfileHolding.ProductId)), Expression.Constant(c.ProductId)));
            }
            if (c.Category is not null)
            {
                match = Expression.AndAlso(match, Expression.Equal(Expression.Property(h, nameof(ProfileHolding.Category)), Expression.Constant(c.Category)));
            }
            return AnyOf(Expression.Property(_p, nameof(CustomerProfile.Holdings)), h, match);
        }

        private Expression? Consent(ConsentCondition c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Purpose))
            {
                return Error(path + ".purpose", "A consent condition needs a purpose such as 'marketing'.");
            }
            if (!Enum.IsDefined(c.Channel))
            {
                return Error(path + ".channel", $"Unknown channel. Allowed: {string.Join(", ", Enum.GetNames<Channel>())}.");
            }
            return SetContains(Expression.Property(_p, nameof(CustomerProfile.Consents)), CustomerProfile.ConsentKey(c.Purpose, c.Channel));
        }

        private Expression? Anniversary(AnniversaryCondition c, string path)
        {
            if (c.WithinDays is < 0 or > 365)
            {
                return Error(path + ".withinDays", "withinDays is a whole number of days from 0 (today) to 365.");
            }
            var monthDay = Expression.Property(_p, c.Kind == AnniversaryKind.Birthday ? nameof(CustomerProfile.BirthMonthDay) : nameof(CustomerProfile.RegistrationMonthDay));
            var value = Expression.Property(monthDay, nameof(Nullable<int>.Value));
            Expression? any = null;
            foreach (var (from, to) in AnniversaryRanges(today, c.WithinDays))
            {
                var inRange = Expression.AndAlso(Expression.GreaterThanOrEqual(value, Expression.Constant(from)), Expression.LessThanOrEqual(value, Expression.Constant(to)));
                any = any is null ? inRange : Expression.OrElse(any, inRange);
            }
            return Expression.AndAlso(Expression.NotEqual(monthDay, Expression.Constant(null, typeof(int?))), any!);
        }

        private Expression? Segment(SegmentCondition c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.SegmentKey))
            {
                return Error(path + ".segment", "A segment condition names the referenced segment's key.");
            }
            if (_segmentStack.Contains(c.SegmentKey))
            {
                return Error(path + ".segment", $"Segment references form a cycle: {string.Join(" -> ", _segmentStack.Reverse().Append(c.SegmentKey))}. Remove one of the references.");
            }
            var rule = owner.Segments?.FindRule(c.SegmentKey);
            if (rule is null)
            {
                return Error(path + ".segment", $"No dynamic segment with key '{c.SegmentKey}' is known. Only dynamic segments can be referenced.");
            }
            _segmentStack.Push(c.SegmentKey);
            var before = Errors.Count;
            var expanded = Node(rule, $"{path}<{c.SegmentKey}>");
            _segmentStack.Pop();
            return Errors.Count > before ? null : expanded;
        }

        private Expression? TextSet(Expression access, RuleOperator op, IReadOnlyList<RuleValue>? values, string path)
        {
            var (positive, negate) = Positive(op);
            Expression? result;
            switch (positive)
            {
                case RuleOperator.IsEmpty:
                    if (!Arity(values, 0, 0, path))
                    {
                        return null;
                    }
                    result = Expression.OrElse(Expression.Equal(access, Expression.Constant(null, access.Type)), Expression.Not(Expression.Call(EnumerableAnyOfString, access)));
                    break;
                case RuleOperator.Contains or RuleOperator.In or RuleOperator.All:
                    if (!Arity(values, 1, positive == RuleOperator.Contains ? 1 : int.MaxValue, path) || !Texts(values!, path, out var texts))
                    {
                        return null;
                    }
                    result = texts.Select(t => SetContains(access, t)).Aggregate(positive == RuleOperator.All ? Expression.AndAlso : Expression.OrElse);
                    break;
                default:
                    return Error(path + ".op", $"Operator {Name(op)} does not apply to a set; use contains, notContains, in, notIn, all, isEmpty or isNotEmpty.");
            }
            return negate ? Expression.Not(result) : result;
        }

        private static Expression SetContains(Expression set, string value) =>
            Expression.AndAlso(Expression.NotEqual(set, Expression.Constant(null, set.Type)), Expression.Call(EnumerableContains, set, Expression.Constant(value)));

        private Expression? Scalar(Expression access, ProfileFieldType type, Type? enumType, RuleOperator op, IReadOnlyList<RuleValue>? values, bool ignoreCase, string path)
        {
            if (ignoreCase && type != ProfileFieldType.Text)
            {
                return Error(path + ".ignoreCase", "ignoreCase applies to text only.");
            }
            var (positive, negate) = Positive(op);
            if (!Allowed(type, positive))
            {
                return Error(path + ".op", $"Operator {Name(op)} does not apply to a {type.ToString().ToLowerInvariant()} field.");
            }
            var result = positive switch
            {
                RuleOperator.IsEmpty => Arity(values, 0, 0, path) ? IsEmpty(access, type) : null,
                RuleOperator.InPeriod => Arity(values, 1, 1, path) ? InPeriod(access, values![0], path + ".value") : null,
                RuleOperator.Between => Arity(values, 2, 2, path) ? Between(access, type, enumType, values!, path) : null,
                RuleOperator.In => Arity(values, 1, int.MaxValue, path) ? In(access, type, enumType, values!, ignoreCase, path) : null,
                _ => Arity(values, 1, 1, path) ? Compare(access, type, enumType, positive, values![0], ignoreCase, path + ".value", Folded(values, ignoreCase)) : null,
            };
            return result is not null && negate ? Expression.Not(result) : result;
        }

        private static bool Allowed(ProfileFieldType type, RuleOperator positive) => positive switch
        {
            RuleOperator.Eq or RuleOperator.IsEmpty => true,
            RuleOperator.In => type != ProfileFieldType.Boolean,
            RuleOperator.Gt or RuleOperator.Gte or RuleOperator.Lt or RuleOperator.Lte => type is ProfileFieldType.Number or ProfileFieldType.Date or ProfileFieldType.Enum,
            RuleOperator.Between => type is ProfileFieldType.Number or ProfileFieldType.Date,
            RuleOperator.Contains or RuleOperator.StartsWith or RuleOperator.EndsWith => type == ProfileFieldType.Text,
            RuleOperator.InPeriod => type == ProfileFieldType.Date,
            _ => false,
        };

        private Expression? In(Expression access, ProfileFieldType type, Type? enumType, IReadOnlyList<RuleValue> values, bool ignoreCase, string path)
        {
            var letters = Folded(values, ignoreCase);
            Expression? result = null;
            for (var i = 0; i < values.Count; i++)
            {
                var one = Compare(access, type, enumType, RuleOperator.Eq, values[i], ignoreCase, $"{path}.values[{i}]", letters);
                if (one is null)
                {
                    return null;
                }
                result = result is null ? one : Expression.OrElse(result, one);
            }
            return result;
        }

        private Expression? Between(Expression access, ProfileFieldType type, Type? enumType, IReadOnlyList<RuleValue> values, string path)
        {
            var low = Compare(access, type, enumType, RuleOperator.Gte, values[0], false, path + ".values[0]", null);
            var high = Compare(access, type, enumType, RuleOperator.Lte, values[1], false, path + ".values[1]", null);
            return low is null || high is null ? null : Expression.AndAlso(low, high);
        }

        private Expression? InPeriod(Expression access, RuleValue value, string path)
        {
            if (value is null || value.Kind != RuleValueKind.Period)
            {
                return Error(path, "inPeriod takes a period such as {\"period\":\"month\",\"offset\":-1} (last month).");
            }
            var (first, last) = value.ResolvePeriod(today);
            return Expression.AndAlso(CompareValue(access, RuleOperator.Gte, Expression.Constant(first)), CompareValue(access, RuleOperator.Lte, Expression.Constant(last)));
        }

        private static Expression IsEmpty(Expression access, ProfileFieldType type)
        {
            if (type == ProfileFieldType.Text)
            {
                return Expression.OrElse(Expression.Equal(access, Expression.Constant(null, typeof(string))), Expression.Equal(access, Expression.Constant(string.Empty)));
            }
            return access.Type.IsValueType && Nullable.GetUnderlyingType(access.Type) is null
                ? Expression.Constant(false)
                : Expression.Equal(access, Expression.Constant(null, access.Type));
        }

        private Expression? Compare(Expression access, ProfileFieldType type, Type? enumType, RuleOperator op, RuleValue value, bool ignoreCase, string path, string? foldLetters)
        {
            if (value is null)
            {
                return Error(path, "A value is missing.");
            }
            var underlying = Nullable.GetUnderlyingType(access.Type) ?? access.Type;
            switch (type)
            {
                case ProfileFieldType.Text:
                    if (value.Kind != RuleValueKind.Text)
                    {
                        return Error(path, $"Expected text, found {Describe(value)}.");
                    }
                    if (value.Text!.Any(char.IsControl))
                    {
                        return Error(path, "Text operands must not contain control characters.");
                    }
                    return Text(access, op, ignoreCase ? FoldAscii(value.Text!) : value.Text!, foldLetters);
                case ProfileFieldType.Number:
                    if (value.Kind != RuleValueKind.Number)
                    {
                        return Error(path, $"Expected a number, found {Describe(value)}.");
                    }
                    var number = ConvertNumber(value.Number, underlying);
                    return number is null
                        ? Error(path, $"{value.Number} does not fit the field, which holds {(underlying == typeof(decimal) ? "decimals" : "whole numbers")} ({underlying.Name}).")
                        : CompareValue(access, op, Expression.Constant(number, underlying));
                case ProfileFieldType.Boolean:
                    return value.Kind == RuleValueKind.Boolean
                        ? CompareValue(access, op, Expression.Constant(value.Flag))
                        : Error(path, $"Expected true or false, found {Describe(value)}.");
                case ProfileFieldType.Date:
                    var date = Date(value, path);
                    return date is null ? null : CompareValue(access, op, Expression.Constant(date.Value));
                default:
                    if (value.Kind != RuleValueKind.Text || !Enum.TryParse(enumType!, value.Text, ignoreCase: false, out var member) || !Enum.IsDefined(enumType!, member!) || int.TryParse(value.Text, out _))
                    {
                        return Error(path, $"Expected one of {string.Join(", ", Enum.GetNames(enumType!))}, found {Describe(value)}.");
                    }
                    if (op == RuleOperator.Eq)
                    {
                        return CompareValue(access, op, Expression.Constant(member, enumType!));
                    }
                    // Enums order by their declared numeric value (e.g. lifecycle stages in ladder order).
                    var numericType = Enum.GetUnderlyingType(enumType!);
                    var converted = access.Type == enumType
                        ? Expression.Convert(access, numericType)
                        : Expression.Convert(access, typeof(Nullable<>).MakeGenericType(numericType));
                    return CompareValue(converted, op, Expression.Constant(Convert.ChangeType(member, numericType, System.Globalization.CultureInfo.InvariantCulture), numericType));
            }
        }

        private LocalDate? Date(RuleValue value, string path)
        {
            var date = ResolveDateOperand(value, today);
            if (date is null)
            {
                Error(path, $"Expected a date (\"2024-02-29\", \"today\", {{\"daysAgo\":30}}, {{\"startOf\":\"month\"}}...), found {(value is null ? "nothing" : Describe(value))}.");
            }
            return date;
        }

        private static Expression CompareValue(Expression access, RuleOperator op, ConstantExpression constant)
        {
            var nullable = Nullable.GetUnderlyingType(access.Type) is not null;
            var value = nullable ? Expression.Property(access, "Value") : access;
            Expression comparison = op switch
            {
                RuleOperator.Eq => Expression.Equal(value, constant),
                RuleOperator.Gt => Expression.GreaterThan(value, constant),
                RuleOperator.Gte => Expression.GreaterThanOrEqual(value, constant),
                RuleOperator.Lt => Expression.LessThan(value, constant),
                _ => Expression.LessThanOrEqual(value, constant),
            };
            // The explicit null test makes "missing" behave the same in memory and under SQL's three-valued logic.
            return nullable ? Expression.AndAlso(Expression.NotEqual(access, Expression.Constant(null, access.Type)), comparison) : comparison;
        }

        private static Expression Text(Expression access, RuleOperator op, string value, string? foldLetters)
        {
            Expression subject = access;
            if (foldLetters is not null)
            {
                // Fold only the letters the operand contains: folding any other upper-case letter could not make
                // it equal to a character of the (already folded) operand, so the result is that of a full fold,
                // and the SQL stays short.
                foreach (var letter in foldLetters)
                {
                    subject = Expression.Call(subject, StringReplace, Expression.Constant(char.ToUpperInvariant(letter).ToString()), Expression.Constant(letter.ToString()));
                }
            }
            var constant = Expression.Constant(value);
            Expression comparison = op switch
            {
                RuleOperator.Eq => Expression.Equal(subject, constant),
                RuleOperator.Contains => Expression.Call(subject, StringContains, constant),
                RuleOperator.StartsWith => Anchored(subject, value, atStart: true),
                _ => Anchored(subject, value, atStart: false),
            };
            return Expression.AndAlso(Expression.NotEqual(access, Expression.Constant(null, typeof(string))), comparison);
        }

        /// <summary>
        /// Ordinal starts-with / ends-with built from Contains, Concat and Replace, the only string operations whose
        /// meaning is ordinal both in .NET and in SQL (<c>StartsWith(string)</c> is culture-sensitive in .NET and
        /// becomes a case-insensitive LIKE in SQLite). A sentinel (U+0001) marks the start or end of the text;
        /// sentinels already in the data are removed first, so a text starts with "ab" exactly when
        /// "\u0001" + text contains "\u0001ab". Operands cannot contain control characters (validation).
        /// </summary>
        private static Expression Anchored(Expression subject, string value, bool atStart)
        {
            var cleaned = Expression.Call(subject, StringReplace, Expression.Constant(Sentinel), Expression.Constant(string.Empty));
            var sentinel = Expression.Constant(Sentinel);
            var marked = atStart ? Expression.Call(StringConcat, sentinel, cleaned) : Expression.Call(StringConcat, cleaned, sentinel);
            return Expression.Call(marked, StringContains, Expression.Constant(atStart ? Sentinel + value : value + Sentinel));
        }

        private static string? Folded(IReadOnlyList<RuleValue>? values, bool ignoreCase) =>
            ignoreCase && values is not null
                ? new string(values.Where(v => v is { Kind: RuleValueKind.Text }).SelectMany(v => v.Text!).Where(char.IsAsciiLetter).Select(c => (char)(c | 0x20)).Distinct().Order().ToArray())
                : null;

        private static object? ConvertNumber(decimal value, Type type)
        {
            if (type == typeof(decimal))
            {
                return value;
            }
            if (decimal.Truncate(value) != value)
            {
                return null;
            }
            if (type == typeof(int))
            {
                return value is >= int.MinValue and <= int.MaxValue ? (int)value : null;
            }
            return value is >= long.MinValue and <= long.MaxValue ? (long)value : null;
        }

        private bool Texts(IReadOnlyList<RuleValue> values, string path, out List<string> texts)
        {
            texts = [];
            for (var i = 0; i < values.Count; i++)
            {
                if (values[i] is not { Kind: RuleValueKind.Text } v)
                {
                    Error($"{path}.values[{i}]", $"Expected text, found {(values[i] is null ? "nothing" : Describe(values[i]))}.");
                    return false;
                }
                texts.Add(v.Text!);
            }
            return true;
        }

        private bool Arity(IReadOnlyList<RuleValue>? values, int min, int max, string path)
        {
            var count = values?.Count ?? 0;
            if (count >= min && count <= max)
            {
                return true;
            }
            Error(path + ".value", min == 0 && max == 0 ? "This operator takes no value."
                : min == max ? $"This operator takes exactly {min} value(s); found {count}."
                : $"This operator takes at least {min} value(s); found {count}.");
            return false;
        }

        private static Expression AnyOf(Expression collection, ParameterExpression item, Expression predicate) =>
            Expression.AndAlso(
                Expression.NotEqual(collection, Expression.Constant(null, collection.Type)),
                Expression.Call(EnumerableAnyWhere.MakeGenericMethod(item.Type), collection, Expression.Lambda(predicate, item)));

        private static string Describe(RuleValue value) => value.Kind switch
        {
            RuleValueKind.Text => "text",
            RuleValueKind.Number => "a number",
            RuleValueKind.Boolean => "a boolean",
            RuleValueKind.Date => "a date",
            RuleValueKind.RelativeDate => "a relative date",
            _ => "a period",
        };

        internal static string Name(RuleOperator op) => SegmentDefinitionJson.OperatorName(op);

        private Expression? Error(string path, string message)
        {
            Errors.Add(new RuleError(path, message));
            return null;
        }
    }
}
