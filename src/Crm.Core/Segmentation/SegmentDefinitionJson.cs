using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime.Text;

namespace Crm.Core.Segmentation;

/// <summary>
/// Reads and writes rule trees as JSON (schema version <see cref="SchemaVersion"/>), e.g.
/// <c>{"schema":1,"rule":{"all":[{"field":"rfm.r","op":"gte","value":4},{"not":{"field":"tags","op":"contains","value":"staff"}}]}}</c>.
/// docs/segmentation.md describes every node and operand.
/// </summary>
/// <remarks>
/// Reading is strict: unknown properties, wrong types and missing parts are reported together, each with the
/// path to the offending node, in a <see cref="SegmentDefinitionException"/>. Field names and operator/type fit are
/// checked by <see cref="RuleCompiler.Validate"/>, which needs the field registry. Thread-safe (stateless).
/// </remarks>
public static class SegmentDefinitionJson
{
    /// <summary>The schema version this library writes and the highest it reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly (RuleOperator Op, string Name)[] Operators =
    [
        (RuleOperator.Eq, "eq"), (RuleOperator.Ne, "ne"), (RuleOperator.Gt, "gt"), (RuleOperator.Gte, "gte"),
        (RuleOperator.Lt, "lt"), (RuleOperator.Lte, "lte"), (RuleOperator.Between, "between"), (RuleOperator.In, "in"),
        (RuleOperator.NotIn, "notIn"), (RuleOperator.Contains, "contains"), (RuleOperator.NotContains, "notContains"),
        (RuleOperator.StartsWith, "startsWith"), (RuleOperator.EndsWith, "endsWith"), (RuleOperator.IsEmpty, "isEmpty"),
        (RuleOperator.IsNotEmpty, "isNotEmpty"), (RuleOperator.InPeriod, "inPeriod"), (RuleOperator.All, "all"),
    ];

    /// <summary>Reads a definition document (<c>{"schema":1,"rule":{...}}</c>) and returns its rule.</summary>
    /// <param name="json">The document.</param>
    /// <returns>The rule tree.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The document is not valid JSON or not a valid definition; lists every problem with its path.</exception>
    public static RuleNode Parse(string json)
    {
        Preconditions.CheckNotNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SegmentDefinitionException([new RuleError("$", $"Not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).")]);
        }
        using (document)
        {
            var reader = new Reader();
            var rule = reader.Document(document.RootElement);
            if (reader.Errors.Count > 0 || rule is null)
            {
                throw new SegmentDefinitionException(reader.Errors.Count > 0 ? reader.Errors : [new RuleError("$", "The document has no rule.")]);
            }
            return rule;
        }
    }

    /// <summary>Writes a rule as a definition document of the current schema version.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="indented">Pretty-print.</param>
    /// <returns>The JSON text; <see cref="Parse"/> reads it back to a rule with the same meaning.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    /// <exception cref="ArgumentException">The tree contains a node type this schema cannot express, a null child or a null value.</exception>
    public static string Serialize(RuleNode rule, bool indented = false)
    {
        Preconditions.CheckNotNull(rule);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema", SchemaVersion);
            writer.WritePropertyName("rule");
            Write(writer, rule);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The JSON name of an operator (e.g. <c>gte</c>).</summary>
    internal static string OperatorName(RuleOperator op)
    {
        foreach (var (o, name) in Operators)
        {
            if (o == op)
            {
                return name;
            }
        }
        return op.ToString();
    }

    private static void Write(Utf8JsonWriter w, RuleNode node)
    {
        w.WriteStartObject();
        switch (node)
        {
            case AllOf all:
                WriteChildren(w, "all", all.Children);
                break;
            case AnyOf any:
                WriteChildren(w, "any", any.Children);
                break;
            case NotOf not:
                w.WritePropertyName("not");
                Write(w, not.Child);
                break;
            case FieldCondition f:
                w.WriteString("field", f.Field);
                WriteComparison(w, f.Operator, f.Values, f.IgnoreCase);
                break;
            case AttributeCondition a:
                w.WriteString("attribute", a.Name);
                w.WriteString("type", a.Type.ToString().ToLowerInvariant());
                WriteComparison(w, a.Operator, a.Values, a.IgnoreCase);
                break;
            case PurchasedCondition p:
                w.WriteString("purchased", p.Dimension.ToString().ToLowerInvariant());
                w.WriteString("key", p.Key);
                if (p.Since is not null)
                {
                    w.WritePropertyName("since");
                    WriteValue(w, p.Since);
                }
                if (p.Until is not null)
                {
                    w.WritePropertyName("until");
                    WriteValue(w, p.Until);
                }
                break;
            case ChannelShareCondition s:
                w.WriteString("channelShare", s.Channel.ToString());
                w.WriteString("op", OperatorName(s.Operator));
                w.WriteNumber("value", s.Percent);
                break;
            case HoldsCondition h:
                w.WriteStartObject("holds");
                if (h.ProductId is not null)
                {
                    w.WriteString("productId", h.ProductId);
                }
                if (h.Category is not null)
                {
                    w.WriteString("category", h.Category);
                }
                w.WriteEndObject();
                break;
            case ConsentCondition c:
                w.WriteString("consent", c.Purpose);
                w.WriteString("channel", c.Channel.ToString());
                break;
            case AnniversaryCondition a:
                w.WriteString("anniversary", a.Kind.ToString().ToLowerInvariant());
                w.WriteNumber("withinDays", a.WithinDays);
                break;
            case SegmentCondition s:
                w.WriteString("segment", s.SegmentKey);
                break;
            default:
                throw new ArgumentException($"The node type {node?.GetType().Name ?? "null"} cannot be written.", nameof(node));
        }
        w.WriteEndObject();
    }

    private static void WriteChildren(Utf8JsonWriter w, string name, IReadOnlyList<RuleNode> children)
    {
        Preconditions.CheckArgument(children is not null, "rule", $"A rule's '{name}' group has no children list; pass an empty one or remove the group.");
        w.WriteStartArray(name);
        foreach (var child in children)
        {
            Preconditions.CheckArgument(child is not null, "rule", $"A rule's '{name}' group must not contain null.");
            Write(w, child);
        }
        w.WriteEndArray();
    }

    private static void WriteComparison(Utf8JsonWriter w, RuleOperator op, IReadOnlyList<RuleValue>? values, bool ignoreCase)
    {
        // Null operands are what the validator reads as "no value" (operators such as isEmpty take none).
        values ??= [];
        Preconditions.CheckArgument(values.All(v => v is not null), "rule", "A condition's values must not contain null.");
        w.WriteString("op", OperatorName(op));
        if (values.Count == 1 && op is not (RuleOperator.In or RuleOperator.NotIn or RuleOperator.All or RuleOperator.Between))
        {
            w.WritePropertyName("value");
            WriteValue(w, values[0]);
        }
        else if (values.Count > 0)
        {
            w.WriteStartArray("values");
            foreach (var v in values)
            {
                WriteValue(w, v);
            }
            w.WriteEndArray();
        }
        if (ignoreCase)
        {
            w.WriteBoolean("ignoreCase", true);
        }
    }

    private static void WriteValue(Utf8JsonWriter w, RuleValue v)
    {
        switch (v.Kind)
        {
            case RuleValueKind.Text:
                w.WriteStringValue(v.Text);
                break;
            case RuleValueKind.Number:
                w.WriteNumberValue(v.Number);
                break;
            case RuleValueKind.Boolean:
                w.WriteBooleanValue(v.Flag);
                break;
            case RuleValueKind.Date:
                w.WriteStringValue(LocalDatePattern.Iso.Format(v.Date));
                break;
            case RuleValueKind.RelativeDate when v.Unit == CalendarUnit.Day:
                if (v.Offset == 0)
                {
                    w.WriteStringValue("today");
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteNumber(v.Offset < 0 ? "daysAgo" : "daysFromNow", Math.Abs(v.Offset));
                    w.WriteEndObject();
                }
                break;
            default:
                w.WriteStartObject();
                w.WriteString(v.Kind == RuleValueKind.Period ? "period" : v.Edge == PeriodEdge.Start ? "startOf" : "endOf", v.Unit.ToString().ToLowerInvariant());
                if (v.Offset != 0)
                {
                    w.WriteNumber("offset", v.Offset);
                }
                w.WriteEndObject();
                break;
        }
    }

    private sealed class Reader
    {
        private static readonly string[] NodeKeys = ["all", "any", "not", "field", "attribute", "purchased", "channelShare", "holds", "consent", "anniversary", "segment"];

        public List<RuleError> Errors { get; } = [];

        public RuleNode? Document(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("$", "A definition is an object: {\"schema\":1,\"rule\":{...}}.");
            }
            Known(root, "$", "schema", "rule");
            if (!root.TryGetProperty("schema", out var schema) || !schema.TryGetInt32(out var version))
            {
                Fail("$.schema", $"The schema version is missing; write \"schema\": {SchemaVersion}.");
            }
            else if (version < 1 || version > SchemaVersion)
            {
                Fail("$.schema", $"Schema version {version} is not supported; this library reads versions 1 to {SchemaVersion}.");
            }
            if (!root.TryGetProperty("rule", out var rule))
            {
                return Fail("$.rule", "The rule is missing.");
            }
            return Node(rule, "$.rule");
        }

        private RuleNode? Node(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                return Fail(path, "A rule node is an object such as {\"all\":[...]} or {\"field\":...,\"op\":...,\"value\":...}.");
            }
            var kinds = NodeKeys.Where(k => e.TryGetProperty(k, out _)).ToList();
            if (kinds.Count != 1)
            {
                return Fail(path, kinds.Count == 0
                    ? $"Cannot tell what this node is: it needs exactly one of {string.Join(", ", NodeKeys)}."
                    : $"A node is one thing, but this one has {string.Join(" and ", kinds)}.");
            }
            var kind = kinds[0];
            var inner = e.GetProperty(kind);
            switch (kind)
            {
                case "all" or "any":
                    Known(e, path, kind);
                    if (inner.ValueKind != JsonValueKind.Array)
                    {
                        return Fail($"{path}.{kind}", "A group holds an array of nodes.");
                    }
                    var children = new List<RuleNode>();
                    var i = 0;
                    foreach (var child in inner.EnumerateArray())
                    {
                        if (Node(child, $"{path}.{kind}[{i++}]") is { } node)
                        {
                            children.Add(node);
                        }
                    }
                    return kind == "all" ? new AllOf(children) : new AnyOf(children);
                case "not":
                    Known(e, path, kind);
                    return Node(inner, path + ".not") is { } negated ? new NotOf(negated) : null;
                case "field":
                    Known(e, path, "field", "op", "value", "values", "ignoreCase");
                    var field = String(inner, path + ".field");
                    var (op, values, ignoreCase) = Comparison(e, path);
                    return field is null || op is null || values is null ? null : new FieldCondition(field, op.Value, values, ignoreCase);
                case "attribute":
                    Known(e, path, "attribute", "type", "op", "value", "values", "ignoreCase");
                    var name = String(inner, path + ".attribute");
                    var type = EnumOf<AttributeType>(e, "type", path);
                    var (aop, avalues, aIgnoreCase) = Comparison(e, path);
                    return name is null || type is null || aop is null || avalues is null ? null : new AttributeCondition(name, type.Value, aop.Value, avalues, aIgnoreCase);
                case "purchased":
                    Known(e, path, "purchased", "key", "since", "until");
                    var dimension = EnumOf<PurchaseDimension>(e, "purchased", path);
                    var key = Required(e, "key", path) is { } k ? String(k, path + ".key") : null;
                    RuleValue? since = null;
                    if (e.TryGetProperty("since", out var s) && (since = Value(s, path + ".since")) is null)
                    {
                        return null;
                    }
                    RuleValue? until = null;
                    if (e.TryGetProperty("until", out var u) && (until = Value(u, path + ".until")) is null)
                    {
                        return null;
                    }
                    return dimension is null || key is null ? null : new PurchasedCondition(dimension.Value, key, since, until);
                case "channelShare":
                    Known(e, path, "channelShare", "op", "value");
                    var channel = EnumOf<Channel>(e, "channelShare", path);
                    var shareOp = Required(e, "op", path) is { } o ? Operator(o, path + ".op") : null;
                    var percent = Required(e, "value", path) is { } pv ? Int(pv, path + ".value") : null;
                    return channel is null || shareOp is null || percent is null ? null : new ChannelShareCondition(channel.Value, shareOp.Value, percent.Value);
                case "holds":
                    Known(e, path, "holds");
                    if (inner.ValueKind != JsonValueKind.Object)
                    {
                        return Fail(path + ".holds", "holds is an object: {\"productId\":\"...\"} and/or {\"category\":\"...\"}.");
                    }
                    Known(inner, path + ".holds", "productId", "category");
                    var product = inner.TryGetProperty("productId", out var pid) ? String(pid, path + ".holds.productId") : null;
                    var category = inner.TryGetProperty("category", out var cat) ? String(cat, path + ".holds.category") : null;
                    return new HoldsCondition(product, category);
                case "consent":
                    Known(e, path, "consent", "channel");
                    var purpose = String(inner, path + ".consent");
                    var consentChannel = EnumOf<Channel>(e, "channel", path);
                    return purpose is null || consentChannel is null ? null : new ConsentCondition(purpose, consentChannel.Value);
                case "anniversary":
                    Known(e, path, "anniversary", "withinDays");
                    var anniversary = EnumOf<AnniversaryKind>(e, "anniversary", path);
                    var days = Required(e, "withinDays", path) is { } d ? Int(d, path + ".withinDays") : null;
                    return anniversary is null || days is null ? null : new AnniversaryCondition(anniversary.Value, days.Value);
                default:
                    Known(e, path, "segment");
                    return String(inner, path + ".segment") is { } segment ? new SegmentCondition(segment) : null;
            }
        }

        private (RuleOperator? Op, List<RuleValue>? Values, bool IgnoreCase) Comparison(JsonElement e, string path)
        {
            var op = Required(e, "op", path) is { } o ? Operator(o, path + ".op") : null;
            var ignoreCase = false;
            if (e.TryGetProperty("ignoreCase", out var ic))
            {
                if (ic.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    ignoreCase = ic.GetBoolean();
                }
                else
                {
                    Fail(path + ".ignoreCase", "ignoreCase is true or false.");
                }
            }
            var values = new List<RuleValue>();
            var hasValue = e.TryGetProperty("value", out var single);
            var hasValues = e.TryGetProperty("values", out var many);
            if (hasValue && hasValues)
            {
                Fail(path, "Give either value or values, not both.");
                return (op, null, ignoreCase);
            }
            if (hasValue)
            {
                if (Value(single, path + ".value") is not { } v)
                {
                    return (op, null, ignoreCase);
                }
                values.Add(v);
            }
            else if (hasValues)
            {
                if (many.ValueKind != JsonValueKind.Array)
                {
                    Fail(path + ".values", "values is an array.");
                    return (op, null, ignoreCase);
                }
                var i = 0;
                foreach (var item in many.EnumerateArray())
                {
                    if (Value(item, $"{path}.values[{i++}]") is not { } v)
                    {
                        return (op, null, ignoreCase);
                    }
                    values.Add(v);
                }
            }
            return (op, values, ignoreCase);
        }

        private RuleValue? Value(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    return RuleValue.Of(e.GetString()!);
                case JsonValueKind.Number:
                    return e.TryGetDecimal(out var number) ? RuleValue.Of(number) : Fail<RuleValue>(path, "The number does not fit a decimal.");
                case JsonValueKind.True or JsonValueKind.False:
                    return RuleValue.Of(e.GetBoolean());
                case JsonValueKind.Object:
                    return RelativeValue(e, path);
                default:
                    return Fail<RuleValue>(path, "A value is text, a number, true/false, an ISO date text, \"today\" or a relative date object.");
            }
        }

        private RuleValue? RelativeValue(JsonElement e, string path)
        {
            Known(e, path, "daysAgo", "daysFromNow", "startOf", "endOf", "period", "offset");
            foreach (var (name, ago) in new[] { ("daysAgo", true), ("daysFromNow", false) })
            {
                if (e.TryGetProperty(name, out var n))
                {
                    var days = Int(n, $"{path}.{name}");
                    if (days is null)
                    {
                        return null;
                    }
                    if (days is < 0 or > RuleValue.MaxDays)
                    {
                        return Fail<RuleValue>($"{path}.{name}", $"{name} is a whole number of days from 0 to {RuleValue.MaxDays}.");
                    }
                    return ago ? RuleValue.DaysAgo(days.Value) : RuleValue.DaysFromNow(days.Value);
                }
            }
            foreach (var name in new[] { "startOf", "endOf", "period" })
            {
                if (!e.TryGetProperty(name, out var unitElement))
                {
                    continue;
                }
                var unit = EnumOf<CalendarUnit>(e, name, path);
                var offset = 0;
                if (e.TryGetProperty("offset", out var o) && Int(o, path + ".offset") is { } parsed)
                {
                    offset = parsed;
                }
                if (unit is null or CalendarUnit.Day)
                {
                    return unit is null ? null : Fail<RuleValue>($"{path}.{name}", "A period is week, month or year.");
                }
                if (offset is < -RuleValue.MaxPeriodOffset or > RuleValue.MaxPeriodOffset)
                {
                    return Fail<RuleValue>(path + ".offset", $"offset is between -{RuleValue.MaxPeriodOffset} and {RuleValue.MaxPeriodOffset}.");
                }
                return name switch
                {
                    "startOf" => RuleValue.StartOf(unit.Value, offset),
                    "endOf" => RuleValue.EndOf(unit.Value, offset),
                    _ => RuleValue.Period(unit.Value, offset),
                };
            }
            return Fail<RuleValue>(path, "A relative date is {\"daysAgo\":N}, {\"daysFromNow\":N}, {\"startOf\":\"month\",\"offset\":-1}, {\"endOf\":...} or {\"period\":...}.");
        }

        private RuleOperator? Operator(JsonElement e, string path)
        {
            var name = String(e, path);
            foreach (var (op, n) in Operators)
            {
                if (string.Equals(n, name, StringComparison.Ordinal))
                {
                    return op;
                }
            }
            return name is null ? null : FailValue<RuleOperator>(path, $"Unknown operator '{name}'. Allowed: {string.Join(", ", Operators.Select(o => o.Name))}.");
        }

        private TEnum? EnumOf<TEnum>(JsonElement parent, string property, string path)
            where TEnum : struct, Enum
        {
            if (Required(parent, property, path) is not { } e || String(e, $"{path}.{property}") is not { } text)
            {
                return null;
            }
            foreach (var name in Enum.GetNames<TEnum>())
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return Enum.Parse<TEnum>(name);
                }
            }
            return FailValue<TEnum>($"{path}.{property}", $"Unknown value '{text}'. Allowed: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.");
        }

        private JsonElement? Required(JsonElement parent, string property, string path)
        {
            if (parent.TryGetProperty(property, out var value))
            {
                return value;
            }
            Fail($"{path}.{property}", $"'{property}' is missing.");
            return null;
        }

        private string? String(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.String ? e.GetString() : Fail<string>(path, "Expected text.");

        private int? Int(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : FailValue<int>(path, "Expected a whole number.");

        private void Known(JsonElement e, string path, params string[] allowed)
        {
            foreach (var property in e.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    Fail($"{path}.{property.Name}", $"Unknown property '{property.Name}' here. Allowed: {string.Join(", ", allowed)}.");
                }
            }
        }

        private RuleNode? Fail(string path, string message)
        {
            Errors.Add(new RuleError(path, message));
            return null;
        }

        private T? Fail<T>(string path, string message)
            where T : class
        {
            Errors.Add(new RuleError(path, message));
            return null;
        }

        private T? FailValue<T>(string path, string message)
            where T : struct
        {
            Errors.Add(new RuleError(path, message));
            return null;
        }
    }
}
