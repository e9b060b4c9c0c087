using System.Diagnostics.CodeAnalysis;

namespace Crm.Core;

/// <summary>
/// An ISO 4217 alphabetic currency code such as <c>EUR</c> or <c>USD</c>.
/// </summary>
/// <remarks>
/// The code is validated for shape (three ASCII letters, upper-cased on construction) rather than against a
/// built-in list, so that a host's new or private currency (or a loyalty "currency") is not refused by an
/// out-of-date table. Equality is ordinal on the code. Immutable and thread-safe.
/// </remarks>
public readonly record struct Currency : IComparable<Currency>, IParsable<Currency>
{
    private readonly string? _code;

    /// <summary>Creates a currency from its three-letter code (case-insensitive; stored upper-case).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not three ASCII letters.</exception>
    public Currency(string code)
    {
        if (code is null)
        {
            throw new ArgumentNullException(nameof(code));
        }
        if (!IsValidCode(code))
        {
            throw new ArgumentException($"'{code}' is not an ISO 4217 currency code: use three letters such as EUR or USD.", nameof(code));
        }
        _code = code.ToUpperInvariant();
    }

    /// <summary>The three-letter code, upper-case.</summary>
    public string Code => _code ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value rather than a real currency.</summary>
    public bool IsDefault => _code is null;

    /// <summary>Euro.</summary>
    public static Currency EUR { get; } = new("EUR");

    /// <summary>United States dollar.</summary>
    public static Currency USD { get; } = new("USD");

    /// <summary>Pound sterling.</summary>
    public static Currency GBP { get; } = new("GBP");

    /// <summary>Swiss franc.</summary>
    public static Currency CHF { get; } = new("CHF");

    /// <summary>Parses a three-letter code; the same as the constructor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="s"/> is not a currency code.</exception>
    public static Currency Parse(string s) => new(s);

    /// <inheritdoc cref="Parse(string)"/>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored: codes are culture-independent.</param>
    public static Currency Parse(string s, IFormatProvider? provider) => new(s);

    /// <summary>Tries to parse a three-letter code without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out Currency result) => TryParse(s, null, out result);

    /// <summary>Tries to parse a three-letter code without throwing.</summary>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The currency, or <c>default</c> when parsing failed.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Currency result)
    {
        if (s is not null && IsValidCode(s))
        {
            result = new Currency(s);
            return true;
        }
        result = default;
        return false;
    }

    /// <summary>Ordinal comparison of the codes.</summary>
    public int CompareTo(Currency other) => string.CompareOrdinal(_code, other._code);

    /// <summary>Ordinal equality of the codes.</summary>
    public bool Equals(Currency other) => string.Equals(_code, other._code, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _code is null ? 0 : StringComparer.Ordinal.GetHashCode(_code);

    /// <summary>The three-letter code.</summary>
    public override string ToString() => Code;

    private static bool IsValidCode(string code) =>
        code.Length == 3 && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]) && char.IsAsciiLetter(code[2]);
}
