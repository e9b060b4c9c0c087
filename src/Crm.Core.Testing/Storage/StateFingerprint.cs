using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// Renders an aggregate's whole public state as canonical text, so that "what was saved is what is loaded" can be
/// asserted for any aggregate type without a hand-written comparer, and a failure shows the difference.
/// </summary>
/// <remarks>
/// Public readable instance properties, recursively, sorted by name; sequences in order; sets and dictionaries
/// sorted (stores need not keep their order); decimals without trailing zeros (a database may widen 1.5 to
/// 1.50000000); instants in extended ISO (sub-second digits kept). Pending domain events are not state and are skipped.
/// </remarks>
public static class StateFingerprint
{
    private const int MaxDepth = 12;

    /// <summary>The canonical text of <paramref name="value"/>'s state.</summary>
    /// <param name="value">Any object, usually an aggregate.</param>
    /// <returns>The fingerprint; equal fingerprints mean equal state.</returns>
    public static string Of(object? value)
    {
        var builder = new StringBuilder();
        Append(builder, value, 0);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            builder.Append('…');
            return;
        }
        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case string s:
                builder.Append('"').Append(s).Append('"');
                return;
            case decimal d:
                builder.Append((d / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture));
                return;
            case Instant i:
                builder.Append(InstantPattern.ExtendedIso.Format(i));
                return;
            case LocalDateTime ldt:
                builder.Append(LocalDateTimePattern.ExtendedIso.Format(ldt));
                return;
            case LocalDate or Duration or Period or DateTimeZone or Enum or bool or Type:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case IFormattable formattable when value.GetType().IsPrimitive:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                return;
            case IDictionary dictionary:
                var entries = new List<string>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    entries.Add(Of(entry.Key) + "=" + Of(entry.Value));
                }
                entries.Sort(StringComparer.Ordinal);
                builder.Append('{').AppendJoin(", ", entries).Append('}');
                return;
            case IEnumerable sequence:
                var items = new List<string>();
                foreach (var item in sequence)
                {
                    items.Add(Of(item));
                }
                if (IsUnordered(value.GetType()))
                {
                    items.Sort(StringComparer.Ordinal);
                }
                builder.Append('[').AppendJoin(", ", items).Append(']');
                return;
        }
        var type = value.GetType();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && p.Name != "DomainEvents" && p.Name != "EqualityContract")
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToArray();
        if (properties.Length == 0 || (type.IsValueType && type.GetProperty("Value")?.PropertyType == typeof(string) && properties.Length <= 2))
        {
            builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); // ids and other single-value types
            return;
        }
        builder.Append(type.Name).Append('{');
        for (var i = 0; i < properties.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }
            builder.Append(properties[i].Name).Append('=');
            Append(builder, properties[i].GetValue(value), depth + 1);
        }
        builder.Append('}');
    }

    private static bool IsUnordered(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(ISet<>) || i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)));
}
