using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// Identifies a product a customer can hold (an account, a card, a policy, a subscription plan) in the host's product catalogue. Wraps the host's own identifier string unchanged (a Guid, a number, a code such as
/// <c>00042</c>), so it is echoed verbatim wherever it is written out.
/// </summary>
/// <remarks>
/// Equality and ordering are ordinal on the wrapped string. <c>default(ProductId)</c> is not a valid identifier and
/// is rejected by every API that takes one. This type is an immutable value and thread-safe.
/// </remarks>
public readonly record struct ProductId : IComparable<ProductId>, IParsable<ProductId>
{
    private readonly string? _value;

    /// <summary>Creates an identifier from the host's value.</summary>
    /// <param name="value">Not empty, no surrounding white space, no control characters, at most 200 characters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks one of the rules above.</exception>
    public ProductId(string value) => _value = Identifier.Validate(value, nameof(value), nameof(ProductId));

    /// <summary>The wrapped identifier, exactly as supplied.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value rather than a real identifier.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Parses <paramref name="s"/>; the same as the constructor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="s"/> is not a valid identifier.</exception>
    public static ProductId Parse(string s) => new(s);

    /// <inheritdoc cref="Parse(string)"/>
    /// <param name="s">The text to parse.</param>
    /// <param name="provider">Ignored: identifiers are culture-independent.</param>
    public static ProductId Parse(string s, IFormatProvider? provider) => new(s);

    /// <summary>Tries to parse <paramref name="s"/> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out ProductId result) => TryParse(s, null, out result);

    /// <summary>Tries to parse <paramref name="s"/> without throwing.</summary>
    /// <param name="s">The text to parse.</param>
    /// <param name="provider">Ignored: identifiers are culture-independent.</param>
    /// <param name="result">The identifier, or <c>default</c> when parsing failed.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ProductId result)
    {
        if (Identifier.TryValidate(s, out _))
        {
            result = new ProductId(s!);
            return true;
        }
        result = default;
        return false;
    }

    /// <summary>Ordinal comparison of the wrapped strings.</summary>
    public int CompareTo(ProductId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Ordinal equality of the wrapped strings.</summary>
    public bool Equals(ProductId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The wrapped identifier, verbatim.</summary>
    public override string ToString() => Value;

    /// <summary>Whether <paramref name="left"/> sorts before <paramref name="right"/> (ordinal).</summary>
    public static bool operator <(ProductId left, ProductId right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> sorts after <paramref name="right"/> (ordinal).</summary>
    public static bool operator >(ProductId left, ProductId right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> sorts before or equal to <paramref name="right"/> (ordinal).</summary>
    public static bool operator <=(ProductId left, ProductId right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> sorts after or equal to <paramref name="right"/> (ordinal).</summary>
    public static bool operator >=(ProductId left, ProductId right) => left.CompareTo(right) >= 0;
}
