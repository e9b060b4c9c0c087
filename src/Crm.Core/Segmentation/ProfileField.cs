using System.Linq.Expressions;
using System.Reflection;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// Marks a <see cref="CustomerProfile"/> property as a field that segment rules may name. Put it on the
/// properties a capability adds in its own <c>partial class CustomerProfile</c> file; the
/// <see cref="ProfileFieldRegistry"/> finds them, so no segmentation code changes when a field is added.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ProfileFieldAttribute : Attribute
{
    /// <summary>Marks the property with its stable rule name.</summary>
    /// <param name="name">The stable name rules use, e.g. <c>loyalty.tier</c>. Never rename it once definitions are stored.</param>
    public ProfileFieldAttribute(string name) => Name = name;

    /// <summary>The stable name rules use.</summary>
    public string Name { get; }

    /// <summary>A one-line description for rule editors and docs.</summary>
    public string? Description { get; set; }
}

/// <summary>The kinds of value a profile field holds; they decide which operators apply.</summary>
public enum ProfileFieldType
{
    /// <summary>Text (<see cref="string"/>). Operators: eq, ne, in, notIn, contains, notContains, startsWith, endsWith, isEmpty, isNotEmpty.</summary>
    Text = 0,

    /// <summary>A number (<see cref="int"/>, <see cref="long"/>, <see cref="decimal"/>, nullable or not). Operators: eq, ne, gt, gte, lt, lte, between, in, notIn, isEmpty, isNotEmpty.</summary>
    Number = 1,

    /// <summary>A <see cref="bool"/> (nullable or not). Operators: eq, ne, isEmpty, isNotEmpty.</summary>
    Boolean = 2,

    /// <summary>A <see cref="LocalDate"/> (nullable or not). Operators: eq, ne, gt, gte, lt, lte, between, inPeriod, isEmpty, isNotEmpty.</summary>
    Date = 3,

    /// <summary>An enum, named by its member names and ordered by value. Operators: eq, ne, gt, gte, lt, lte, in, notIn, isEmpty, isNotEmpty.</summary>
    Enum = 4,

    /// <summary>A set of strings (<see cref="List{T}"/> of string). Operators: contains, notContains, in (any of), all (all of), isEmpty, isNotEmpty.</summary>
    TextSet = 5,
}

/// <summary>
/// One field rules can name: its stable name, value type, and how to read it from a <see cref="CustomerProfile"/>
/// as an expression (so it translates to a database column) and as a compiled delegate (for explanations).
/// </summary>
/// <remarks>Immutable and thread-safe. Equality is reference equality.</remarks>
public sealed class ProfileField
{
    private readonly Lazy<Func<CustomerProfile, object?>> _getter;

    private ProfileField(string name, ProfileFieldType type, LambdaExpression accessor, string? description)
    {
        Name = name;
        Type = type;
        Accessor = accessor;
        Description = description;
        ValueType = accessor.ReturnType;
        var boxed = Expression.Lambda<Func<CustomerProfile, object?>>(Expression.Convert(accessor.Body, typeof(object)), accessor.Parameters);
        _getter = new Lazy<Func<CustomerProfile, object?>>(boxed.Compile);
    }

    /// <summary>The stable name rules use.</summary>
    public string Name { get; }

    /// <summary>The kind of value.</summary>
    public ProfileFieldType Type { get; }

    /// <summary>The CLR type of the value, e.g. <c>int?</c> or an enum type.</summary>
    public Type ValueType { get; }

    /// <summary>The accessor: a lambda from <see cref="CustomerProfile"/> to the value; translatable (member access only, by convention).</summary>
    public LambdaExpression Accessor { get; }

    /// <summary>A one-line description, if given.</summary>
    public string? Description { get; }

    /// <summary>The enum type for <see cref="ProfileFieldType.Enum"/> fields, otherwise null.</summary>
    public Type? EnumType => Type == ProfileFieldType.Enum ? Nullable.GetUnderlyingType(ValueType) ?? ValueType : null;

    /// <summary>Whether the value can be null (reference types and nullable value types).</summary>
    public bool IsNullable => !ValueType.IsValueType || Nullable.GetUnderlyingType(ValueType) is not null;

    /// <summary>Reads the value from a profile (boxed); for explanations and diagnostics, not for hot loops.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    public object? GetValue(CustomerProfile profile) => _getter.Value(Preconditions.CheckNotNull(profile));

    /// <summary>Defines a field from an accessor expression (for computed fields a host registers itself).</summary>
    /// <typeparam name="TValue">The value type; must map to a <see cref="ProfileFieldType"/>.</typeparam>
    /// <param name="name">The stable name; letters, digits, '.', '_' and '-'.</param>
    /// <param name="accessor">Reads the value. Keep it translatable: member access and operators only.</param>
    /// <param name="description">Optional description.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="accessor"/> is null.</exception>
    /// <exception cref="ArgumentException">The name is malformed or <typeparamref name="TValue"/> is not a supported type.</exception>
    public static ProfileField Create<TValue>(string name, Expression<Func<CustomerProfile, TValue>> accessor, string? description = null)
    {
        Preconditions.CheckNotNull(accessor);
        return Create(name, (LambdaExpression)accessor, description);
    }

    internal static ProfileField Create(string name, LambdaExpression accessor, string? description)
    {
        CheckName(name);
        var type = TypeOf(accessor.ReturnType)
            ?? throw new ArgumentException(
                $"Field '{name}' has type {accessor.ReturnType.Name}, which rules cannot use. Use string, bool, int, long, decimal, LocalDate, an enum (nullable or not) or List<string>.",
                nameof(accessor));
        return new ProfileField(name, type, accessor, description);
    }

    internal static void CheckName(string name)
    {
        Preconditions.CheckNotBlank(name);
        Preconditions.CheckArgument(
            name.Length <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'),
            nameof(name),
            "A field name uses only ASCII letters, digits, '.', '_' and '-', at most 100 characters.");
    }

    private static ProfileFieldType? TypeOf(Type type)
    {
        if (type == typeof(string))
        {
            return ProfileFieldType.Text;
        }
        if (type == typeof(List<string>))
        {
            return ProfileFieldType.TextSet;
        }
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool))
        {
            return ProfileFieldType.Boolean;
        }
        if (t == typeof(int) || t == typeof(long) || t == typeof(decimal))
        {
            return ProfileFieldType.Number;
        }
        if (t == typeof(LocalDate))
        {
            return ProfileFieldType.Date;
        }
        return t.IsEnum ? ProfileFieldType.Enum : null;
    }
}

/// <summary>
/// The fields that segment rules may name, by stable name. <see cref="Default"/> holds every
/// <see cref="CustomerProfile"/> property marked with <see cref="ProfileFieldAttribute"/> (whichever capability's
/// partial file declares it); hosts add computed fields with <see cref="With"/>.
/// </summary>
/// <remarks>Immutable and thread-safe: <see cref="With"/> returns a new registry. Names are case-sensitive (ordinal).</remarks>
public sealed class ProfileFieldRegistry
{
    private static readonly Lazy<ProfileFieldRegistry> DefaultInstance = new(Discover);
    private readonly IReadOnlyDictionary<string, ProfileField> _fields;

    private ProfileFieldRegistry(IReadOnlyDictionary<string, ProfileField> fields) => _fields = fields;

    /// <summary>Every field declared with <see cref="ProfileFieldAttribute"/> on <see cref="CustomerProfile"/>.</summary>
    public static ProfileFieldRegistry Default => DefaultInstance.Value;

    /// <summary>The fields, sorted by name.</summary>
    public IEnumerable<ProfileField> Fields => _fields.Values.OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>Finds a field by name.</summary>
    /// <param name="name">The stable name.</param>
    /// <param name="field">The field, when found.</param>
    /// <returns>Whether a field has that name.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProfileField? field)
    {
        field = null;
        return name is not null && _fields.TryGetValue(name, out field);
    }

    /// <summary>A registry with <paramref name="field"/> added.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="field"/> is null.</exception>
    /// <exception cref="ArgumentException">A field with the same name exists.</exception>
    public ProfileFieldRegistry With(ProfileField field)
    {
        Preconditions.CheckNotNull(field);
        Preconditions.CheckArgument(!_fields.ContainsKey(field.Name), nameof(field), $"A field named '{field.Name}' is already registered; pick another name.");
        var copy = new Dictionary<string, ProfileField>(_fields, StringComparer.Ordinal) { [field.Name] = field };
        return new ProfileFieldRegistry(copy);
    }

    private static ProfileFieldRegistry Discover()
    {
        var fields = new Dictionary<string, ProfileField>(StringComparer.Ordinal);
        var parameter = Expression.Parameter(typeof(CustomerProfile), "p");
        foreach (var property in typeof(CustomerProfile).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attribute = property.GetCustomAttribute<ProfileFieldAttribute>();
            if (attribute is null)
            {
                continue;
            }
            var accessor = Expression.Lambda(Expression.Property(parameter, property), parameter);
            // A duplicate name is a programming error in a capability's partial file: fail loudly at first use.
            if (fields.ContainsKey(attribute.Name))
            {
                throw new InvalidOperationException($"Two CustomerProfile properties use the field name '{attribute.Name}'; give one of them another name.");
            }
            fields.Add(attribute.Name, ProfileField.Create(attribute.Name, accessor, attribute.Description));
        }
        return new ProfileFieldRegistry(fields);
    }
}
