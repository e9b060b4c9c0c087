using System.Reflection;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// Stores a string-backed identifier (<c>CustomerId</c>, <c>TransactionId</c>, <c>Sku</c>, <c>TenantId</c> and the
/// identifiers capabilities add) as its text, verbatim, so the column equals the host's own id.
/// </summary>
/// <typeparam name="TId">The identifier type: a value type with a <c>Value</c> string that parses back with <see cref="IParsable{TSelf}"/>.</typeparam>
internal sealed class IdentifierConverter<TId> : ValueConverter<TId, string>
    where TId : struct
{
    private static readonly Func<TId, string> GetValue = CompileGetValue();

    private static readonly ConstructorInfo Constructor = typeof(TId).GetConstructor([typeof(string)])!;

    public IdentifierConverter()
        : base(id => ToText(id), text => FromText(text))
    {
    }

    private static Func<TId, string> CompileGetValue()
    {
        var id = System.Linq.Expressions.Expression.Parameter(typeof(TId), "id");
        return System.Linq.Expressions.Expression.Lambda<Func<TId, string>>(System.Linq.Expressions.Expression.Property(id, "Value"), id).Compile();
    }

    private static string ToText(TId id) => GetValue(id);

    // Through the validating constructor: a stored id is held to the same rules as a new one.
    private static TId FromText(string text) => (TId)Constructor.Invoke([text]);
}

/// <summary>Finds the identifier types of Crm.Core (and of any assembly given) by their shape.</summary>
internal static class IdentifierTypes
{
    /// <summary>
    /// Value types with a public string <c>Value</c> and a public constructor taking that string: the shape every
    /// Crm.Core identifier has. Found by reflection so that an id added by a capability is mapped without a
    /// change here.
    /// </summary>
    public static IReadOnlyList<Type> In(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => t.IsValueType && !t.IsGenericTypeDefinition
                && t.GetProperty("Value", BindingFlags.Public | BindingFlags.Instance)?.PropertyType == typeof(string)
                && t.GetConstructor([typeof(string)]) is not null)
            .ToArray();
}
