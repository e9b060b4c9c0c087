using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// What an interaction with a customer was about in kind: an enquiry, a complaint, a payment, a sales call and any
/// type the host defines. Combined with a <see cref="Channel"/> and a direction it builds the customer timeline.
/// </summary>
/// <remarks>
/// Stored as a normalised code: trimmed, lower-case, inner spaces replaced by '-' (so "Home Move" equals
/// "home-move"); 1 to 64 ASCII letters, digits, '-', '_' or '.'. Equality is ordinal on that code.
/// <c>default</c> is not a valid value and is rejected by every API that takes one. Immutable and thread-safe.
/// </remarks>
public readonly record struct InteractionType : IParsable<InteractionType>
{
    private readonly string? _code;

    /// <summary>Creates an interaction type from its code.</summary>
    /// <param name="code">The code; normalised as described on the type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not a valid code.</exception>
    public InteractionType(string code) => _code = Token.Normalize(code, nameof(code), "interaction type");

    /// <summary>A question from the customer.</summary>
    public static InteractionType Enquiry { get; } = new("enquiry");

    /// <summary>A complaint.</summary>
    public static InteractionType Complaint { get; } = new("complaint");

    /// <summary>A payment made or taken.</summary>
    public static InteractionType Payment { get; } = new("payment");

    /// <summary>An order placed or changed.</summary>
    public static InteractionType Order { get; } = new("order");

    /// <summary>A sales or marketing contact.</summary>
    public static InteractionType SalesContact { get; } = new("sales-contact");

    /// <summary>A service request or support contact.</summary>
    public static InteractionType Service { get; } = new("service");

    /// <summary>A visit to a branch, store or web page of note.</summary>
    public static InteractionType Visit { get; } = new("visit");

    /// <summary>The normalised code.</summary>
    public string Code => _code ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _code is null;

    /// <inheritdoc cref="InteractionType(string)"/>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    public static InteractionType Parse(string s, IFormatProvider? provider = null) => new(s);

    /// <summary>Tries to parse a code without throwing.</summary>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The value, or <c>default</c> when <paramref name="s"/> is not a valid code.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out InteractionType result)
    {
        result = Token.TryNormalize(s, out var code) ? new InteractionType(code) : default;
        return !result.IsDefault;
    }

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}
