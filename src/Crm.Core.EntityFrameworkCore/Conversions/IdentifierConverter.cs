using System.Reflection;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// Stores a string-backed identifier (<c>CustomerId</c>, <c>TransactionId</c>, <c>Sku</c>, <c>TenantId</c> and the
/// identifiers capabilities add) as its text, verbatim, so the column equals the host's own id.
/// </summary>
/// <typeparam name="TId">The identifier type: a value type with a <c>Value</c> string that parses back with <see cref="IParsable{TSelf}"/>.</typeparam>
internal sealed class IdentifierConverter<TId> : ValueConverter<TId, string>
    where TId : struct, IParsable<TId>
{
    public IdentifierConverter()
        : base(id => id.ToString()!, text => Parse(text))
    {
    }

    // Expression trees cannot call static abstract interface members, hence this ordinary generic method.
    private static TId Parse(string text) => TId.Parse(text, null);
}

/// <summary>Finds the identifier types of Crm.Core (and of any assembly given) by their shape.</summary>
internal static class IdentifierTypes
{
    /// <summary>
    /// Value types with a public string <c>Value</c> and an <see cref="IParsable{TSelf}"/> implementation: the shape
    /// every Crm.Core identifier has. Found by reflection so that an id added by a capability is mapped without a
    /// change here.
    /// </summary>
    public static IReadOnlyList<Type> In(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => t.IsValueType && !t.IsGenericTypeDefinition
                && t.GetProperty("Value", BindingFlags.Public | BindingFlags.Instance)?.PropertyType == typeof(string)
                && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>) && i.GetGenericArguments()[0] == t))
            .ToArray();
}
