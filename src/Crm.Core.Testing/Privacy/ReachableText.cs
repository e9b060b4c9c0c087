using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Testing.Privacy;

/// <summary>
/// Every text reachable from an object graph through its fields (public or private, recursively): strings, and the
/// ISO form of dates. This is what an in-memory store really holds, including what no public member shows (stale
/// slots of internal arrays, index columns), so "no personal value remains" can be checked against it.
/// </summary>
public static class ReachableText
{
    /// <summary>The texts reachable from <paramref name="root"/>.</summary>
    /// <param name="root">Any object: a store, an aggregate.</param>
    /// <param name="skip">Types not to descend into (e.g. shared definitions that are not data about anyone).</param>
    /// <returns>The distinct texts.</returns>
    public static IReadOnlySet<string> Of(object? root, params Type[] skip) => Walk(root, skip, null);

    /// <summary>Every object reachable from <paramref name="root"/> through fields whose type is declared in a Crm.Core assembly (for sweeping their <c>ToString</c>).</summary>
    /// <param name="root">Any object.</param>
    /// <returns>The objects, each once.</returns>
    public static IReadOnlyList<object> CrmObjectsOf(object? root)
    {
        var objects = new List<object>();
        Walk(root, [], objects);
        return objects;
    }

    private static IReadOnlySet<string> Walk(object? root, Type[] skip, List<object>? objects)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        if (root is not null)
        {
            pending.Push(root);
        }
        while (pending.Count > 0)
        {
            var item = pending.Pop();
            switch (item)
            {
                case string s:
                    found.Add(s);
                    continue;
                case LocalDate date when date != default:
                    found.Add(LocalDatePattern.Iso.Format(date));
                    continue;
                case LocalDate:
                    continue;
                case Type or Delegate or MemberInfo or Assembly or IFormatProvider or DateTimeZone or CompareInfo:
                    continue;
            }
            var type = item.GetType();
            if (type.IsPrimitive || type.IsEnum || item is decimal || skip.Any(t => t.IsAssignableFrom(type)))
            {
                continue;
            }
            if (!type.IsValueType && !seen.Add(item))
            {
                continue;
            }
            if (objects is not null && type.Namespace?.StartsWith("Crm.Core", StringComparison.Ordinal) == true)
            {
                objects.Add(item);
            }
            if (item is Array array)
            {
                foreach (var element in array)
                {
                    if (element is not null)
                    {
                        pending.Push(element);
                    }
                }
                continue;
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike || field.GetCustomAttribute<CompilerGeneratedAttribute>() is not null && field.FieldType.IsSubclassOf(typeof(Delegate)))
                    {
                        continue;
                    }
                    if (field.GetValue(item) is { } value)
                    {
                        pending.Push(value);
                    }
                }
            }
        }
        return found;
    }

    /// <summary>The texts of <paramref name="texts"/> that contain any of <paramref name="needles"/>, ignoring case.</summary>
    /// <param name="texts">What a store holds.</param>
    /// <param name="needles">The personal values looked for.</param>
    /// <returns>The offending texts (empty when none remains).</returns>
    public static IReadOnlyList<string> Containing(IEnumerable<string> texts, IEnumerable<string> needles)
    {
        var list = needles.ToList();
        return texts.Where(t => list.Exists(n => t.Contains(n, StringComparison.OrdinalIgnoreCase))).ToList();
    }
}
