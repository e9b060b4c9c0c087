using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// A way of reaching a customer that consent is given for: email, SMS, phone call, post, push notification and any
/// channel the host defines. An open set, because new channels (messaging apps) appear faster than library releases.
/// </summary>
/// <remarks>
/// Stored as a normalised code: trimmed, lower-case, inner spaces replaced by '-' (so "Home Move" equals
/// "home-move"); 1 to 64 ASCII letters, digits, '-', '_' or '.'. Equality is ordinal on that code.
/// <c>default</c> is not a valid value and is rejected by every API that takes one. Immutable and thread-safe.
/// </remarks>
public readonly record struct ContactChannel : IParsable<ContactChannel>
{
    private readonly string? _code;

    /// <summary>Creates a channel from its code.</summary>
    /// <param name="code">The code; normalised as described on the type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not a valid code.</exception>
    public ContactChannel(string code) => _code = Token.Normalize(code, nameof(code), "contact channel");

    /// <summary>Email messages.</summary>
    public static ContactChannel Email { get; } = new("email");

    /// <summary>Text messages (SMS/MMS).</summary>
    public static ContactChannel Sms { get; } = new("sms");

    /// <summary>Telephone calls, including the call centre.</summary>
    public static ContactChannel Phone { get; } = new("phone");

    /// <summary>Letters and printed mail.</summary>
    public static ContactChannel Post { get; } = new("post");

    /// <summary>Push notifications of the mobile app.</summary>
    public static ContactChannel Push { get; } = new("push");

    /// <summary>Messaging apps and chat (WhatsApp, in-app chat).</summary>
    public static ContactChannel Messaging { get; } = new("messaging");

    /// <summary>The normalised code.</summary>
    public string Code => _code ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _code is null;

    /// <inheritdoc cref="ContactChannel(string)"/>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    public static ContactChannel Parse(string s, IFormatProvider? provider = null) => new(s);

    /// <summary>Tries to parse a code without throwing.</summary>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The value, or <c>default</c> when <paramref name="s"/> is not a valid code.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ContactChannel result)
    {
        result = Token.TryNormalize(s, out var code) ? new ContactChannel(code) : default;
        return !result.IsDefault;
    }

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}
