using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// The kind of a life event in a customer's life that changes their needs: graduation, marriage, a home move, a
/// child and any kind the host defines. Lifecycle rules and campaigns react to them.
/// </summary>
/// <remarks>
/// Stored as a normalised code: trimmed, lower-case, inner spaces replaced by '-' (so "Home Move" equals
/// "home-move"); 1 to 64 ASCII letters, digits, '-', '_' or '.'. Equality is ordinal on that code.
/// <c>default</c> is not a valid value and is rejected by every API that takes one. Immutable and thread-safe.
/// </remarks>
public readonly record struct LifeEventType : IParsable<LifeEventType>
{
    private readonly string? _code;

    /// <summary>Creates a life event type from its code.</summary>
    /// <param name="code">The code; normalised as described on the type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not a valid code.</exception>
    public LifeEventType(string code) => _code = Token.Normalize(code, nameof(code), "life event type");

    /// <summary>Finished school or university.</summary>
    public static LifeEventType Graduation { get; } = new("graduation");

    /// <summary>Married or entered a civil partnership.</summary>
    public static LifeEventType Marriage { get; } = new("marriage");

    /// <summary>Divorced or separated.</summary>
    public static LifeEventType Divorce { get; } = new("divorce");

    /// <summary>Moved home.</summary>
    public static LifeEventType HomeMove { get; } = new("home-move");

    /// <summary>A child was born or adopted.</summary>
    public static LifeEventType Child { get; } = new("child");

    /// <summary>Started a new job.</summary>
    public static LifeEventType NewJob { get; } = new("new-job");

    /// <summary>Retired.</summary>
    public static LifeEventType Retirement { get; } = new("retirement");

    /// <summary>Lost a close relative.</summary>
    public static LifeEventType Bereavement { get; } = new("bereavement");

    /// <summary>The normalised code.</summary>
    public string Code => _code ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _code is null;

    /// <inheritdoc cref="LifeEventType(string)"/>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    public static LifeEventType Parse(string s, IFormatProvider? provider = null) => new(s);

    /// <summary>Tries to parse a code without throwing.</summary>
    /// <param name="s">The code.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The value, or <c>default</c> when <paramref name="s"/> is not a valid code.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out LifeEventType result)
    {
        result = Token.TryNormalize(s, out var code) ? new LifeEventType(code) : default;
        return !result.IsDefault;
    }

    /// <summary>The code.</summary>
    public override string ToString() => Code;
}
