namespace Crm.Core;

/// <summary>
/// Validation shared by the string-backed strongly typed identifiers (<see cref="Customers.CustomerId"/> and friends).
/// </summary>
/// <remarks>
/// Identifiers come from host systems (a Guid, a number, a code such as <c>00042</c>) and are echoed verbatim,
/// so the rules are deliberately minimal: not empty, no surrounding white space (which silently breaks joins),
/// no control characters, and at most <see cref="MaxLength"/> characters so that every store can index them.
/// </remarks>
internal static class Identifier
{
    /// <summary>The longest identifier accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 200;

    public static string Validate(string? value, string paramName, string typeName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
        if (!TryValidate(value, out var problem))
        {
            // The value is not repeated: identifiers include external systems' ids, which must not reach logs.
            throw new ArgumentException($"This is not a valid {typeName}: {problem}", paramName);
        }
        return value;
    }

    public static bool TryValidate(string? value, out string problem)
    {
        if (string.IsNullOrEmpty(value))
        {
            problem = "it must not be empty.";
            return false;
        }
        if (value.Length > MaxLength)
        {
            problem = $"it must have at most {MaxLength} characters.";
            return false;
        }
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            problem = "it must not start or end with white space.";
            return false;
        }
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                problem = "it must not contain control characters.";
                return false;
            }
        }
        problem = string.Empty;
        return true;
    }
}
