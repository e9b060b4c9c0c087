using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.EntityFrameworkCore.Snapshots;

/// <summary>
/// Writes an aggregate's complete internal state (every instance field, recursively) as a JSON document and
/// restores it into an uninitialised instance. This is how aggregates with rich internal state (customers, loyalty
/// ledgers, lifecycles) are stored without a persistence model of their own: the document is the truth, the query
/// columns next to it are copies that let specifications run in the database.
/// </summary>
/// <remarks>
/// <para>
/// Supported: primitives, strings, decimals (exact, as text), enums, Guids, the NodaTime value types, arrays,
/// <see cref="List{T}"/>, <see cref="HashSet{T}"/> and <see cref="Dictionary{TKey, TValue}"/> (with default, ordinal
/// or ordinal-ignore-case comparers), and any class or struct made of those. A field whose runtime type differs
/// from its declared type records the type, which must be declared in Crm.Core (or the aggregate's own assembly),
/// so that a hostile document cannot make the reader create arbitrary types. Anything else (delegates, custom
/// comparers) is refused with a message naming the field: add support here rather than lose data.
/// </para>
/// <para>Hash-based collections are rebuilt from their entries, never from their buckets, because string hash codes differ between processes.</para>
/// </remarks>
internal static class StateDocument
{
    private const int Version = 1;
    private static readonly ConcurrentFields Fields = new();

    public static string Write(object aggregate)
    {
        var root = new JsonObject { ["$v"] = Version };
        WriteFields(root, aggregate, aggregate.GetType(), "");
        return root.ToJsonString();
    }

    public static void Restore(object aggregate, string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("The stored state document is empty.");
        var version = root["$v"]?.GetValue<int>();
        if (version != Version)
        {
            throw new InvalidDataException($"The stored state document has version {version?.ToString(CultureInfo.InvariantCulture) ?? "none"}; this library reads version {Version}.");
        }
        ReadFields(root, aggregate, aggregate.GetType(), "");
        // Documents written by earlier versions may hold internal state in an older shape: the aggregate upgrades it.
        (aggregate as IRestoredFromDocument)?.AfterRestore();
    }

    private static void WriteFields(JsonObject target, object instance, Type type, string path)
    {
        foreach (var field in Fields.Of(type))
        {
            target[field.Name] = WriteValue(field.GetValue(instance), field.FieldType, path + "." + field.Name);
        }
    }

    private static void ReadFields(JsonObject source, object instance, Type type, string path)
    {
        foreach (var field in Fields.Of(type))
        {
            if (source.TryGetPropertyValue(field.Name, out var node))
            {
                field.SetValue(instance, ReadValue(node, field.FieldType, path + "." + field.Name));
            }
        }
    }

    private static JsonNode? WriteValue(object? value, Type declared, string path)
    {
        if (value is null)
        {
            return null;
        }
        var type = value.GetType();
        switch (value)
        {
            case string s:
                return JsonValue.Create(s);
            case bool b:
                return JsonValue.Create(b);
            case decimal d:
                return JsonValue.Create(d.ToString(CultureInfo.InvariantCulture));
            case Enum e:
                return JsonValue.Create(Convert.ToInt64(e, CultureInfo.InvariantCulture));
            case double or float:
                return JsonValue.Create(((IFormattable)value).ToString("R", CultureInfo.InvariantCulture));
            case int or long or short or byte or sbyte or ushort or uint:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong ul:
                return JsonValue.Create(ul.ToString(CultureInfo.InvariantCulture));
            case char c:
                return JsonValue.Create(c.ToString());
            case Guid g:
                return JsonValue.Create(g.ToString("D"));
            case Instant i:
                return JsonValue.Create(InstantPattern.ExtendedIso.Format(i));
            case LocalDate ld:
                return JsonValue.Create(LocalDatePattern.Iso.Format(ld));
            case LocalDateTime ldt:
                return JsonValue.Create(LocalDateTimePattern.ExtendedIso.Format(ldt));
            case LocalTime lt:
                return JsonValue.Create(LocalTimePattern.ExtendedIso.Format(lt));
            case Duration du:
                return JsonValue.Create(DurationPattern.Roundtrip.Format(du));
            case Period pe:
                return JsonValue.Create(PeriodPattern.Roundtrip.Format(pe));
            case Offset o:
                return JsonValue.Create(o.Seconds);
            case DateTimeZone z:
                return JsonValue.Create(z.Id);
            case Delegate:
                throw Unsupported(path, type, "delegates cannot be stored");
        }
        if (type.IsArray)
        {
            var elementType = type.GetElementType()!;
            var array = new JsonArray();
            foreach (var item in (Array)value)
            {
                array.Add(WriteValue(item, elementType, path + "[]"));
            }
            return array;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(List<>) || definition == typeof(System.Collections.ObjectModel.ReadOnlyCollection<>))
            {
                var array = new JsonArray();
                foreach (var item in (IList)value)
                {
                    array.Add(WriteValue(item, arguments[0], path + "[]"));
                }
                return array;
            }
            if (definition == typeof(HashSet<>))
            {
                var items = new JsonArray();
                foreach (var item in (IEnumerable)value)
                {
                    items.Add(WriteValue(item, arguments[0], path + "[]"));
                }
                var comparer = type.GetProperty("Comparer")!.GetValue(value);
                return new JsonObject { ["comparer"] = ComparerName(comparer, arguments[0], path), ["items"] = items };
            }
            if (definition == typeof(Dictionary<,>))
            {
                var entries = new JsonArray();
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    entries.Add(new JsonArray(WriteValue(entry.Key, arguments[0], path + ".key"), WriteValue(entry.Value, arguments[1], path + "[]")));
                }
                var comparer = type.GetProperty("Comparer")!.GetValue(value);
                return new JsonObject { ["comparer"] = ComparerName(comparer, arguments[0], path), ["entries"] = entries };
            }
            if (typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true)
            {
                throw Unsupported(path, type, "this collection type is not supported yet; use List, HashSet, Dictionary or an array");
            }
        }
        if (type.Namespace?.StartsWith("NodaTime", StringComparison.Ordinal) == true || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            throw Unsupported(path, type, "this framework type is not supported yet");
        }
        var target = new JsonObject();
        if (type != Nullable.GetUnderlyingType(declared) && type != declared)
        {
            target["$type"] = type.FullName;
        }
        WriteFields(target, value, type, path);
        return target;
    }

    private static object? ReadValue(JsonNode? node, Type declared, string path)
    {
        if (node is null)
        {
            return declared.IsValueType && Nullable.GetUnderlyingType(declared) is null ? Activator.CreateInstance(declared) : null;
        }
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (node is JsonObject { } withType && withType["$type"] is { } typeName)
        {
            type = ResolveType(typeName.GetValue<string>(), declared, path);
        }
        if (type.IsInterface && type.IsGenericType)
        {
            type = ConcreteFor(type, node, path); // e.g. a field declared IReadOnlyList<T> holding a List<T>
        }
        if (type == typeof(string))
        {
            return node.GetValue<string>();
        }
        if (type == typeof(bool))
        {
            return node.GetValue<bool>();
        }
        if (type == typeof(decimal))
        {
            return decimal.Parse(node.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture);
        }
        if (type.IsEnum)
        {
            return Enum.ToObject(type, node.GetValue<long>());
        }
        if (type == typeof(double))
        {
            return double.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);
        }
        if (type == typeof(float))
        {
            return float.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint))
        {
            return Convert.ChangeType(node.GetValue<long>(), type, CultureInfo.InvariantCulture);
        }
        if (type == typeof(ulong))
        {
            return ulong.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);
        }
        if (type == typeof(char))
        {
            return node.GetValue<string>()[0];
        }
        if (type == typeof(Guid))
        {
            return Guid.Parse(node.GetValue<string>());
        }
        if (type == typeof(Instant))
        {
            return InstantPattern.ExtendedIso.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(LocalDate))
        {
            return LocalDatePattern.Iso.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(LocalDateTime))
        {
            return LocalDateTimePattern.ExtendedIso.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(LocalTime))
        {
            return LocalTimePattern.ExtendedIso.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(Duration))
        {
            return DurationPattern.Roundtrip.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(Period))
        {
            return PeriodPattern.Roundtrip.Parse(node.GetValue<string>()).Value;
        }
        if (type == typeof(Offset))
        {
            return Offset.FromSeconds(node.GetValue<int>());
        }
        if (typeof(DateTimeZone).IsAssignableFrom(type))
        {
            return DateTimeZoneProviders.Tzdb[node.GetValue<string>()];
        }
        if (type.IsArray)
        {
            var elementType = type.GetElementType()!;
            var items = node.AsArray();
            var array = Array.CreateInstance(elementType, items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                array.SetValue(ReadValue(items[i], elementType, path + "[]"), i);
            }
            return array;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(List<>))
            {
                var list = (IList)Activator.CreateInstance(type)!;
                foreach (var item in node.AsArray())
                {
                    list.Add(ReadValue(item, arguments[0], path + "[]"));
                }
                return list;
            }
            if (definition == typeof(System.Collections.ObjectModel.ReadOnlyCollection<>))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(arguments[0]))!;
                foreach (var item in node.AsArray())
                {
                    list.Add(ReadValue(item, arguments[0], path + "[]"));
                }
                return Activator.CreateInstance(type, list);
            }
            if (definition == typeof(HashSet<>))
            {
                var comparer = Comparer(node["comparer"]?.GetValue<string>(), arguments[0], path);
                var set = (comparer is null ? Activator.CreateInstance(type) : Activator.CreateInstance(type, comparer))!;
                var add = type.GetMethod("Add")!;
                foreach (var item in node["items"]!.AsArray())
                {
                    add.Invoke(set, [ReadValue(item, arguments[0], path + "[]")]);
                }
                return set;
            }
            if (definition == typeof(Dictionary<,>))
            {
                var comparer = Comparer(node["comparer"]?.GetValue<string>(), arguments[0], path);
                var dictionary = (IDictionary)(comparer is null ? Activator.CreateInstance(type) : Activator.CreateInstance(type, comparer))!;
                foreach (var entry in node["entries"]!.AsArray())
                {
                    var pair = entry!.AsArray();
                    dictionary.Add(ReadValue(pair[0], arguments[0], path + ".key")!, ReadValue(pair[1], arguments[1], path + "[]"));
                }
                return dictionary;
            }
        }
        var instance = RuntimeHelpers.GetUninitializedObject(type); // a boxed struct is filled in place
        ReadFields(node.AsObject(), instance, type, path);
        return instance;
    }

    private static Type ConcreteFor(Type contract, JsonNode node, string path)
    {
        var arguments = contract.GetGenericArguments();
        Type candidate = node switch
        {
            JsonArray => typeof(List<>).MakeGenericType(arguments[0]),
            JsonObject o when o.ContainsKey("entries") && arguments.Length == 2 => typeof(Dictionary<,>).MakeGenericType(arguments),
            JsonObject o when o.ContainsKey("items") => typeof(HashSet<>).MakeGenericType(arguments[0]),
            _ => contract,
        };
        return contract.IsAssignableFrom(candidate) ? candidate
            : throw new InvalidDataException($"The stored state at {path} cannot be read as a {contract.Name}.");
    }

    private static Type ResolveType(string name, Type declared, string path)
    {
        var core = typeof(AggregateRoot<>).Assembly;
        var type = core.GetType(name, throwOnError: false) ?? declared.Assembly.GetType(name, throwOnError: false);
        if (type is null || !(Nullable.GetUnderlyingType(declared) ?? declared).IsAssignableFrom(type))
        {
            throw new InvalidDataException($"The stored state at {path} names type '{name}', which is not a {declared.Name} of Crm.Core.");
        }
        return type;
    }

    private static string ComparerName(object? comparer, Type keyType, string path)
    {
        if (comparer is null || comparer.Equals(typeof(EqualityComparer<>).MakeGenericType(keyType).GetProperty("Default")!.GetValue(null)))
        {
            return "default";
        }
        if (keyType == typeof(string))
        {
            if (ReferenceEquals(comparer, StringComparer.Ordinal))
            {
                return "ordinal";
            }
            if (ReferenceEquals(comparer, StringComparer.OrdinalIgnoreCase))
            {
                return "ordinalIgnoreCase";
            }
        }
        throw Unsupported(path, comparer.GetType(), "only default, ordinal and ordinal-ignore-case comparers can be stored");
    }

    private static object? Comparer(string? name, Type keyType, string path) => name switch
    {
        null or "default" => null,
        "ordinal" when keyType == typeof(string) => StringComparer.Ordinal,
        "ordinalIgnoreCase" when keyType == typeof(string) => StringComparer.OrdinalIgnoreCase,
        _ => throw new InvalidDataException($"The stored state at {path} names an unknown comparer '{name}'."),
    };

    private static NotSupportedException Unsupported(string path, Type type, string why) =>
        new($"Cannot store {path} of type {type.Name}: {why}. Extend Crm.Core.EntityFrameworkCore's StateDocument.");

    /// <summary>Every instance field of a type and its base types (the aggregate base's own state lives in columns).</summary>
    private sealed class ConcurrentFields
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, FieldInfo[]> _cache = new();

        public FieldInfo[] Of(Type type) => _cache.GetOrAdd(type, static t =>
        {
            var fields = new List<FieldInfo>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var current = t; current is not null && current != typeof(object); current = current.BaseType)
            {
                if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(AggregateRoot<>))
                {
                    break; // id, version, tenant: columns; pending events: not state
                }
                foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (!names.Add(field.Name))
                    {
                        throw new NotSupportedException($"{t.Name} has two fields named {field.Name} in its hierarchy; the state document cannot tell them apart.");
                    }
                    fields.Add(field);
                }
            }
            return fields.ToArray();
        });
    }
}
