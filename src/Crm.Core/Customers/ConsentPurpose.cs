using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// Why the business wants to use a customer's data or contact them: marketing, profiling, service messages and
/// any purpose the host defines. An open set, not an enum, because every business and jurisdiction names its own.
/// </summary>
/// <remarks>
/// Stored as a normalised code: trimmed, lower-case, inner spaces replaced by '-' (so "Product News" equals
/// "product-news"); 1 to 64 ASCII letters, digits, '-', '_' or '.'. Equality is ordinal on that code.
/// <c>default</c> is not a valid purpose and is rejected by every API that takes one. Immutable and thread-safe.
/// </remarks>
public readonly record struct ConsentPurpose : IParsable<ConsentPurpose>
{
    private readonly string? _code;

    /// <summary>Creates a purpose from its code.</summary>
    /// <param name="code">The code; normalised as described on the type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not a valid code.</exception>
    public ConsentPurpose(string code) => _code = Token.Normalize(code, nameof(code), "consent purpose");

    /// <summary>Direct marketing (newsletters, offers).</summary>
    public static ConsentPurpose Marketing { get; } = new("marketing");

    /// <summary>Profiling: building segments or scores from the customer's behaviour.</summary>
    public static ConsentPurpose Profiling { get; } = new("profiling");

    /// <summary>Service messages about products the customer holds (statements, outages).</summary>
    public static ConsentPurpose Service { get; } = new("service");

    /// <summary>Surveys and market research.</summary>
    public static ConsentPurpose Research { get; } = new("research");

    /// <summary>Sharing data with third parties.</summary>
    public static ConsentPurpose ThirdPartySharing { get; } = new("third-party-sharing");

    /// <summary>The normalised code.</summary>
    public string Code => _code ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _code is null;

    /// <inheritdoc cref="ConsentPurpose(string)"/>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    public static ConsentPurpose Parse(string s, IFormatProvider? provider = null) => new(s);

    /// <summary>Tries to parse a code without throwing.</summary>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The value, or <c>default</c> when <paramref name="s"/> is not a valid code.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ConsentPurpose result)
    {
        result = Token.TryNormalize(s, out var code) ? new ConsentPurpose(code) : default;
        return !result.IsDefault;
    }

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}
