using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// Identifies one interaction with a customer (a call, an email, a visit) on the timeline. Wraps the host's own identifier string unchanged (a Guid, a number, a code such as
/// <c>00042</c>), so it is echoed verbatim wherever it is written out.
/// </summary>
/// <remarks>
/// Equality and ordering are ordinal on the wrapped string. <c>default(InteractionId)</c> is not a valid identifier and
/// is rejected by every API that takes one. This type is an immutable value and thread-safe.
/// </remarks>
public readonly record struct InteractionId : IComparable<InteractionId>, IParsable<InteractionId>
{
    private readonly string? _value;

    /// <summary>Creates an identifier from the host's value.</summary>
    /// <param name="value">Not empty, no surrounding white space, no control characters, at most 200 characters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks one of the rules above.</exception>
    public InteractionId(string value) => _value = Identifier.Validate(value, nameof(value), nameof(InteractionId));

    /// <summary>The wrapped identifier, exactly as supplied.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value rather than a real identifier.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Parses <paramref name="s"/>; the same as the constructor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="s"/> is not a valid identifier.</exception>
    public static InteractionId Parse(string s) => new(s);

    /// <inheritdoc cref="Parse(string)"/>
    /// <param name="s">The text to parse.</param>
    /// <param name="provider">Ignored: identifiers are culture-independent.</param>
    public static InteractionId Parse(string s, IFormatProvider? provider) => new(s);

    /// <summary>Tries to parse <paramref name="s"/> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out InteractionId result) => TryParse(s, null, out result);

    /// <summary>Tries to parse <paramref name="s"/> without throwing.</summary>
    /// <param name="s">The text to parse.</param>
    /// <param name="provider">Ignored: identifiers are culture-independent.</param>
    /// <param name="result">The identifier, or <c>default</c> when parsing failed.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out InteractionId result)
    {
        if (Identifier.TryValidate(s, out _))
        {
            result = new InteractionId(s!);
            return true;
        }
        result = default;
        return false;
    }

    /// <summary>Ordinal comparison of the wrapped strings.</summary>
    public int CompareTo(InteractionId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Ordinal equality of the wrapped strings.</summary>
    public bool Equals(InteractionId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The wrapped identifier, verbatim.</summary>
    public override string ToString() => Value;

    /// <summary>Whether <paramref name="left"/> sorts before <paramref name="right"/> (ordinal).</summary>
    public static bool operator <(InteractionId left, InteractionId right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> sorts after <paramref name="right"/> (ordinal).</summary>
    public static bool operator >(InteractionId left, InteractionId right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> sorts before or equal to <paramref name="right"/> (ordinal).</summary>
    public static bool operator <=(InteractionId left, InteractionId right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> sorts after or equal to <paramref name="right"/> (ordinal).</summary>
    public static bool operator >=(InteractionId left, InteractionId right) => left.CompareTo(right) >= 0;
}
