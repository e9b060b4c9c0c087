namespace Crm.Core;

/// <summary>
/// Validation shared by the extensible, code-like values (<see cref="Customers.ConsentPurpose"/>,
/// <see cref="Customers.ContactChannel"/>, <see cref="Customers.LifeEventType"/> and friends).
/// </summary>
/// <remarks>
/// These values are open sets (a host adds its own purposes or channels), so they are compared as codes rather than
/// enum members. Normalising to one lower-case, hyphenated spelling means "Home move", "home-move" and
/// " HOME  MOVE " are the same value everywhere: in memory, in a database index and in a report.
/// </remarks>
internal static class Token
{
    /// <summary>The longest code accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Normalises and validates; throws naming <paramref name="paramName"/>.</summary>
    public static string Normalize(string? value, string paramName, string typeName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
        if (!TryNormalize(value, out var normalized))
        {
            throw new ArgumentException(
                $"This is not a valid {typeName}: use 1 to {MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit (for example 'home-move').",
                paramName);
        }
        return normalized;
    }

    /// <summary>Trims, lower-cases and turns inner white space runs into one '-'; false when the result is not a valid code.</summary>
    public static bool TryNormalize(string? value, out string normalized)
    {
        normalized = string.Empty;
        if (value is null || value.Length > MaxLength * 4)
        {
            return false;
        }
        var candidate = Text.Collapse(value).ToLowerInvariant().Replace(' ', '-');
        if (candidate.Length is 0 or > MaxLength || !char.IsAsciiLetterOrDigit(candidate[0]))
        {
            return false;
        }
        foreach (var c in candidate)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        normalized = candidate;
        return true;
    }
}
