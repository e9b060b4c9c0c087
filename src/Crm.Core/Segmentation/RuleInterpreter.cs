using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Segmentation;

/// <summary>
/// The outcome of one rule node for one customer, with the actual value the condition looked at: what
/// <see cref="RuleCompiler.Explain"/> returns.
/// </summary>
/// <param name="Path">The node's path in the definition, e.g. <c>$.rule.all[1]</c>.</param>
/// <param name="Condition">The condition in words, e.g. <c>rfm.r gte 4</c> or <c>all</c>.</param>
/// <param name="Matched">Whether the node held for the customer.</param>
/// <param name="Actual">The customer's value the condition read, as invariant text (null for groups or a missing value).</param>
/// <param name="Children">The children of a group; empty for conditions.</param>
/// <remarks><see cref="ToString"/> leaves out <see cref="Actual"/>, which may be personal data.</remarks>
public sealed record RuleExplanation(string Path, string Condition, bool Matched, string? Actual, IReadOnlyList<RuleExplanation> Children)
{
    /// <summary>Every condition (leaf) in document order.</summary>
    public IEnumerable<RuleExplanation> Conditions => Children.Count == 0 ? [this] : Children.SelectMany(c => c.Conditions);

    /// <summary>"path condition: matched/not matched", without the actual value.</summary>
    public override string ToString() => $"{Path} {Condition}: {(Matched ? "matched" : "not matched")}";
}

/// <summary>
/// Evaluates a validated rule tree by walking it for one profile, reading fields through the registry. It is the
/// reference semantics the compiled expression must agree with (tests check that), the engine behind
/// <see cref="RuleCompiler.Explain"/>, and the baseline the benchmarks compare the compiled path with.
/// </summary>
internal sealed class RuleInterpreter(RuleCompiler compiler, LocalDate today)
{
    public bool Evaluate(RuleNode node, CustomerProfile p) => node switch
    {
        AllOf all => all.Children.All(c => Evaluate(c, p)),
        AnyOf any => any.Children.Any(c => Evaluate(c, p)),
        NotOf not => !Evaluate(not.Child, p),
        SegmentCondition s => Evaluate(compiler.Segments!.FindRule(s.SegmentKey)!, p),
        _ => Leaf(node, p, out _),
    };

    public RuleExplanation Explain(RuleNode node, CustomerProfile p, string path)
    {
        switch (node)
        {
            case AllOf all:
                var allChildren = all.Children.Select((c, i) => Explain(c, p, $"{path}.all[{i}]")).ToList();
                return new RuleExplanation(path, "all", allChildren.All(c => c.Matched), null, allChildren);
            case AnyOf any:
                var anyChildren = any.Children.Select((c, i) => Explain(c, p, $"{path}.any[{i}]")).ToList();
                return new RuleExplanation(path, "any", anyChildren.Any(c => c.Matched), null, anyChildren);
            case NotOf not:
                var inner = Explain(not.Child, p, path + ".not");
                return new RuleExplanation(path, "not", !inner.Matched, null, [inner]);
            case SegmentCondition s:
                var referenced = Explain(compiler.Segments!.FindRule(s.SegmentKey)!, p, $"{path}<{s.SegmentKey}>");
                return new RuleExplanation(path, $"segment {s.SegmentKey}", referenced.Matched, null, [referenced]);
            default:
                var matched = Leaf(node, p, out var actual);
                return new RuleExplanation(path, Describe(node), matched, Format(actual), []);
        }
    }

    private bool Leaf(RuleNode node, CustomerProfile p, out object? actual)
    {
        switch (node)
        {
            case FieldCondition f:
                compiler.Fields.TryGet(f.Field, out var field);
                actual = field!.GetValue(p);
                return field.Type == ProfileFieldType.TextSet
                    ? Set(actual as List<string>, f.Operator, f.Values)
                    : Scalar(actual, field.Type, field.EnumType, f.Operator, f.Values, f.IgnoreCase);
            case AttributeCondition a:
                var type = a.Type switch
                {
                    AttributeType.Text => ProfileFieldType.Text,
                    AttributeType.Number => ProfileFieldType.Number,
                    AttributeType.Boolean => ProfileFieldType.Boolean,
                    _ => ProfileFieldType.Date,
                };
                var (positive, negate) = RuleCompiler.Positive(a.Operator);
                var values = p.Attributes?.Where(x => x.Name == a.Name).Select(x => AttributeValue(x, a.Type)).ToList() ?? [];
                actual = values.Count == 0 ? null : values.Count == 1 ? values[0] : string.Join(", ", values.Select(Format));
                var any = positive == RuleOperator.IsEmpty
                    ? values.Any(v => !Scalar(v, type, null, RuleOperator.IsEmpty, a.Values, false))
                    : values.Any(v => Scalar(v, type, null, positive, a.Values, a.IgnoreCase));
                return (positive == RuleOperator.IsEmpty) ^ negate ? !any : any;
            case PurchasedCondition pc:
                var since = pc.Since is null ? (LocalDate?)null : RuleCompiler.ResolveDateOperand(pc.Since, today);
                var until = pc.Until is null ? (LocalDate?)null : RuleCompiler.ResolveDateOperand(pc.Until, today);
                if (since is not null && until is not null)
                {
                    // Closed period: the purchase days decide (see PurchasedCondition).
                    var days = p.PurchaseDays?.Where(d => d.Dimension == pc.Dimension && d.Key == pc.Key && d.Date >= since.Value && d.Date <= until.Value).ToList() ?? [];
                    actual = days.Count == 0 ? null : days.Max(d => d.Date);
                    return days.Count > 0;
                }
                var stat = p.PurchaseStats?.Where(s => s.Dimension == pc.Dimension && s.Key == pc.Key).MaxBy(s => s.LastDate);
                actual = stat?.LastDate;
                return p.PurchaseStats is not null && p.PurchaseStats.Any(s => s.Dimension == pc.Dimension && s.Key == pc.Key
                    && (since is null || s.LastDate >= since.Value) && (until is null || s.FirstDate <= until.Value));
            case ChannelShareCondition cs:
                var key = cs.Channel.ToString();
                var counts = p.PurchaseStats?.Where(s => s.Dimension == PurchaseDimension.Channel && s.Key == key).Select(s => s.Count).ToList() ?? [];
                actual = p.PurchaseCount > 0 && counts.Count > 0 ? counts.Max() * 100m / p.PurchaseCount : 0m;
                var strict = cs.Operator is RuleOperator.Gt or RuleOperator.Lte;
                var reaches = counts.Any(c => strict ? c * 100 > cs.Percent * p.PurchaseCount : c * 100 >= cs.Percent * p.PurchaseCount);
                return p.PurchaseCount > 0 && (cs.Operator is RuleOperator.Gt or RuleOperator.Gte ? reaches : !reaches);
            case HoldsCondition h:
                var held = p.Holdings?.Where(x => x.IsActive && (h.ProductId is null || x.ProductId == h.ProductId) && (h.Category is null || x.Category == h.Category)).ToList() ?? [];
                actual = held.Count;
                return held.Count > 0;
            case ConsentCondition c:
                var consentKey = CustomerProfile.ConsentKey(c.Purpose, c.Channel);
                var granted = p.Consents is not null && p.Consents.Contains(consentKey);
                actual = granted;
                return granted;
            case AnniversaryCondition an:
                var monthDay = an.Kind == AnniversaryKind.Birthday ? p.BirthMonthDay : p.RegistrationMonthDay;
                actual = an.Kind == AnniversaryKind.Birthday ? p.BirthDate : p.RegisteredOn;
                return monthDay is { } md && RuleCompiler.AnniversaryRanges(today, an.WithinDays).Any(r => md >= r.From && md <= r.To);
            default:
                throw new InvalidOperationException($"Unknown rule node {node.GetType().Name}.");
        }
    }

    private static object? AttributeValue(ProfileAttribute a, AttributeType type) => type switch
    {
        AttributeType.Text => a.Text,
        AttributeType.Number => a.Number,
        AttributeType.Boolean => a.Flag,
        _ => a.Date,
    };

    private static bool Set(List<string>? set, RuleOperator op, IReadOnlyList<RuleValue> values)
    {
        var (positive, negate) = RuleCompiler.Positive(op);
        var result = positive switch
        {
            RuleOperator.IsEmpty => set is null || set.Count == 0,
            RuleOperator.All => set is not null && values.All(v => set.Contains(v.Text!)),
            _ => set is not null && values.Any(v => set.Contains(v.Text!)),
        };
        return result ^ negate;
    }

    private bool Scalar(object? value, ProfileFieldType type, Type? enumType, RuleOperator op, IReadOnlyList<RuleValue> values, bool ignoreCase)
    {
        var (positive, negate) = RuleCompiler.Positive(op);
        var result = positive switch
        {
            RuleOperator.IsEmpty => value is null || (type == ProfileFieldType.Text && ((string)value).Length == 0),
            RuleOperator.In => values.Any(v => Compare(value, type, enumType, RuleOperator.Eq, v, ignoreCase)),
            RuleOperator.Between => Compare(value, type, enumType, RuleOperator.Gte, values[0], false) && Compare(value, type, enumType, RuleOperator.Lte, values[1], false),
            RuleOperator.InPeriod => value is LocalDate d && values[0].ResolvePeriod(today) is var (first, last) && d >= first && d <= last,
            _ => Compare(value, type, enumType, positive, values[0], ignoreCase),
        };
        return result ^ negate;
    }

    private bool Compare(object? value, ProfileFieldType type, Type? enumType, RuleOperator op, RuleValue operand, bool ignoreCase)
    {
        if (value is null)
        {
            return false;
        }
        switch (type)
        {
            case ProfileFieldType.Text:
                var text = ignoreCase ? RuleCompiler.FoldAscii((string)value) : (string)value;
                var constant = ignoreCase ? RuleCompiler.FoldAscii(operand.Text!) : operand.Text!;
                return op switch
                {
                    RuleOperator.Eq => string.Equals(text, constant, StringComparison.Ordinal),
                    RuleOperator.Contains => text.Contains(constant, StringComparison.Ordinal),
                    // Same meaning as the compiled sentinel form: control character U+0001 in the data is ignored.
                    RuleOperator.StartsWith => text.Replace(RuleCompiler.SentinelText, string.Empty, StringComparison.Ordinal).StartsWith(constant, StringComparison.Ordinal),
                    _ => text.Replace(RuleCompiler.SentinelText, string.Empty, StringComparison.Ordinal).EndsWith(constant, StringComparison.Ordinal),
                };
            case ProfileFieldType.Number:
                return Ordered(Convert.ToDecimal(value, CultureInfo.InvariantCulture).CompareTo(operand.Number), op);
            case ProfileFieldType.Boolean:
                return (bool)value == operand.Flag;
            case ProfileFieldType.Date:
                return Ordered(((LocalDate)value).CompareTo(RuleCompiler.ResolveDateOperand(operand, today)!.Value), op);
            default:
                var member = Enum.Parse(enumType!, operand.Text!);
                return Ordered(Convert.ToInt64(value, CultureInfo.InvariantCulture).CompareTo(Convert.ToInt64(member, CultureInfo.InvariantCulture)), op);
        }
    }

    private static bool Ordered(int comparison, RuleOperator op) => op switch
    {
        RuleOperator.Eq => comparison == 0,
        RuleOperator.Gt => comparison > 0,
        RuleOperator.Gte => comparison >= 0,
        RuleOperator.Lt => comparison < 0,
        _ => comparison <= 0,
    };

    private static string Describe(RuleNode node) => node switch
    {
        FieldCondition f => $"{f.Field} {SegmentDefinitionJson.OperatorName(f.Operator)}{Operands(f.Values)}{(f.IgnoreCase ? " (ignore case)" : string.Empty)}",
        AttributeCondition a => $"attribute {a.Name} {SegmentDefinitionJson.OperatorName(a.Operator)}{Operands(a.Values)}",
        PurchasedCondition p => $"purchased {p.Dimension.ToString().ToLowerInvariant()} {p.Key}{(p.Since is null ? string.Empty : $" since {p.Since}")}{(p.Until is null ? string.Empty : $" until {p.Until}")}",
        ChannelShareCondition c => $"channel share {c.Channel} {SegmentDefinitionJson.OperatorName(c.Operator)} {c.Percent}%",
        HoldsCondition h => $"holds {h.ProductId ?? "any product"} in {h.Category ?? "any category"}",
        ConsentCondition c => $"consent {c.Purpose} on {c.Channel}",
        AnniversaryCondition a => $"{a.Kind.ToString().ToLowerInvariant()} anniversary within {a.WithinDays} days",
        _ => node.GetType().Name,
    };

    // Null operands are what the validator reads as "no value" (operators such as isEmpty take none).
    private static string Operands(IReadOnlyList<RuleValue>? values) => values is null || values.Count == 0 ? string.Empty : " " + string.Join(", ", values);

    private static string? Format(object? value) => value switch
    {
        null => null,
        LocalDate d => LocalDatePattern.Iso.Format(d),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        List<string> list => "[" + string.Join(", ", list) + "]",
        _ => value.ToString(),
    };
}
