using System.Diagnostics.CodeAnalysis;

namespace Crm.Core.Customers;

/// <summary>
/// A normalised email address: trimmed, lower-cased and checked for a plausible shape. Use it wherever two
/// addresses must compare equal when they reach the same mailbox (duplicate detection, consent look-ups).
/// </summary>
/// <remarks>
/// <para>Normalisation: surrounding white space is removed and the whole address is lower-cased with the invariant
/// culture. RFC 5321 allows a case-sensitive local part, but no mainstream provider uses one, and treating
/// <c>Ann@Example.com</c> and <c>ann@example.com</c> as two customers is the bug this prevents.
/// Normalisation is idempotent: parsing <see cref="Value"/> again gives an equal address.</para>
/// <para>Validation is deliberately pragmatic (the shape of RFC 5322 "dot-atom" addresses, not quoted local parts
/// or IP-literal domains): one '@'; a local part of 1-64 characters from letters, digits and
/// <c>!#$%&amp;'*+/=?^_`{|}~.-</c> without leading, trailing or doubled dots; a domain of at least two labels of
/// letters, digits and '-' (1-63 characters each, not starting or ending with '-'), a top-level label that is not
/// all digits; at most 254 characters in total. Letters include non-ASCII letters (internationalised addresses).</para>
/// <para>Equality is ordinal on <see cref="Value"/>. <see cref="ToString"/> masks the address, because it is
/// personal data and ToString output ends up in logs; read <see cref="Value"/> when you need the address itself.
/// Immutable and thread-safe.</para>
/// </remarks>
public readonly record struct EmailAddress
{
    /// <summary>The longest address accepted (RFC 5321 path limit minus the angle brackets).</summary>
    public const int MaxLength = 254;

    private const string LocalSpecials = "!#$%&'*+/=?^_`{|}~.-";
    private readonly string? _value;

    /// <summary>Normalises and validates an address.</summary>
    /// <param name="value">The address as typed, e.g. <c>" Ann.Lee@Example.COM "</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a valid email address (the message does not repeat it).</exception>
    public EmailAddress(string value)
        : this(value, nameof(value))
    {
    }

    // Lets callers such as Customer.AddEmail report their own parameter name.
    internal EmailAddress(string? value, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
        if (!TryNormalize(value, out var normalized))
        {
            throw new ArgumentException(
                "This is not a valid email address: expected one '@' between a local part and a domain such as example.com, without spaces, at most 254 characters.",
                paramName);
        }
        _value = normalized;
    }

    /// <summary>The normalised address, e.g. <c>ann.lee@example.com</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The part before the '@'.</summary>
    public string LocalPart => Value[..Math.Max(0, Value.LastIndexOf('@'))];

    /// <summary>The domain after the '@', e.g. <c>example.com</c>.</summary>
    public string Domain => Value[(Value.LastIndexOf('@') + 1)..];

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _value is null;

    /// <inheritdoc cref="EmailAddress(string)"/>
    public static EmailAddress Parse(string value) => new(value);

    /// <summary>Tries to normalise and validate an address without throwing.</summary>
    /// <param name="value">The address as typed.</param>
    /// <param name="result">The address, or <c>default</c> when <paramref name="value"/> is not valid.</param>
    public static bool TryParse([NotNullWhen(true)] string? value, out EmailAddress result)
    {
        result = value is not null && TryNormalize(value, out var normalized) ? new EmailAddress(normalized) : default;
        return !result.IsDefault;
    }

    /// <summary>The address with most of the local part and the domain name masked, e.g. <c>a***@e***.com</c>.</summary>
    public override string ToString()
    {
        if (_value is null)
        {
            return string.Empty;
        }
        var domain = Domain;
        var lastDot = domain.LastIndexOf('.');
        return $"{_value[0]}***@{domain[0]}***{domain[lastDot..]}";
    }

    private static bool TryNormalize(string value, out string normalized)
    {
        normalized = value.Trim().ToLowerInvariant();
        if (normalized.Length is < 3 or > MaxLength)
        {
            return false;
        }
        var at = normalized.IndexOf('@');
        if (at <= 0 || at != normalized.LastIndexOf('@'))
        {
            return false;
        }
        return IsValidLocalPart(normalized.AsSpan(0, at)) && IsValidDomain(normalized.AsSpan(at + 1));
    }

    private static bool IsValidLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > 64 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in local)
        {
            if (!char.IsLetterOrDigit(c) && !LocalSpecials.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        var labels = 0;
        var lastLabelAllDigits = false;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            lastLabelAllDigits = true;
            foreach (var c in label)
            {
                if (!char.IsLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
                lastLabelAllDigits &= char.IsAsciiDigit(c);
            }
            labels++;
        }
        return labels >= 2 && !lastLabelAllDigits;
    }
}
