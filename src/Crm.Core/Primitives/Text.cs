using System.Text;

namespace Crm.Core;

/// <summary>
/// Cleaning of free text that people type (names, address lines, subjects): trimmed, inner white space runs
/// collapsed to one space, control characters rejected. One rule everywhere, so that equality and duplicate
/// detection do not depend on stray spaces.
/// </summary>
internal static class Text
{
    /// <summary>Cleans <paramref name="value"/>; throws when it is null, blank, too long or contains control characters.</summary>
    /// <remarks>Messages never echo the value: it may be personal data.</remarks>
    public static string Clean(string? value, string paramName, int maxLength)
    {
        Preconditions.CheckNotBlank(value, paramName);
        var cleaned = Collapse(value);
        if (cleaned.Length > maxLength)
        {
            throw new ArgumentException($"The value must have at most {maxLength} characters.", paramName);
        }
        foreach (var c in cleaned)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("The value must not contain control characters (line breaks, tabs are collapsed to spaces).", paramName);
            }
        }
        return cleaned;
    }

    /// <summary>Like <see cref="Clean"/> but null stays null (an optional value).</summary>
    public static string? CleanOptional(string? value, string paramName, int maxLength) =>
        value is null ? null : Clean(value, paramName, maxLength);

    /// <summary>Trims and collapses every white space run (including tabs and line breaks) to one space.</summary>
    public static string Collapse(string value)
    {
        var trimmed = value.Trim();
        var builder = new StringBuilder(trimmed.Length);
        var pendingSpace = false;
        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
