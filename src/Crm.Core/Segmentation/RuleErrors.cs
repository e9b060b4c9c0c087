namespace Crm.Core.Segmentation;

/// <summary>One problem found in a rule definition: where (a JSON-path-like location such as
/// <c>$.rule.all[2].value</c>) and what is wrong.</summary>
/// <param name="Path">Location of the offending node, starting at <c>$</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record RuleError(string Path, string Message)
{
    /// <summary>"path: message".</summary>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// Thrown when a segment definition is malformed or names fields, operators or segments that do not fit.
/// <see cref="Errors"/> lists every problem with its path; fix them and load the definition again.
/// </summary>
public sealed class SegmentDefinitionException : CrmException
{
    /// <summary>Creates the exception for the problems found.</summary>
    /// <param name="errors">At least one problem.</param>
    public SegmentDefinitionException(IReadOnlyList<RuleError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<RuleError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<RuleError> errors)
    {
        Preconditions.CheckNotNull(errors);
        // Each error is a sentence of its own ("...: Text operands must not contain control characters."): no extra full stop.
        var listed = string.Join("; ", errors.Take(10).Select(e => e.ToString().TrimEnd('.')));
        return "The segment definition is invalid; fix these and load it again: " + listed
            + (errors.Count > 10 ? $"; and {errors.Count - 10} more." : ".");
    }
}

/// <summary>Finds the rule of a dynamic segment by key, so rules can reference other segments.</summary>
public interface ISegmentRuleResolver
{
    /// <summary>The rule of the dynamic segment with this key, or null when there is no such dynamic segment.</summary>
    /// <param name="segmentKey">The referenced segment's key.</param>
    RuleNode? FindRule(string segmentKey);
}
