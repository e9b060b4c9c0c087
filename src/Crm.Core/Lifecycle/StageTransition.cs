using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>How a <see cref="StageTransition"/> came about.</summary>
public enum StageTransitionKind
{
    /// <summary>The lifecycle started in its first stage (no "from").</summary>
    Start = 0,

    /// <summary>A move up the ladder.</summary>
    Advance = 1,

    /// <summary>An explicit move down the ladder, with a reason.</summary>
    Regress = 2,
}

/// <summary>One entry of a customer's lifecycle history: from, to, when, why, and who or which rule did it.</summary>
/// <param name="From">The stage before; null for <see cref="StageTransitionKind.Start"/>.</param>
/// <param name="To">The stage after.</param>
/// <param name="At">When it happened.</param>
/// <param name="Kind">Start, advance or regress.</param>
/// <param name="Reason">Why; always present for a regression.</param>
/// <param name="Actor">The user or system that made a manual change; null when a rule did it.</param>
/// <param name="RuleId">The <see cref="TransitionRule"/> that fired; null for manual changes.</param>
/// <remarks>Immutable. Exactly one of <paramref name="Actor"/> and <paramref name="RuleId"/> is set.</remarks>
public sealed record StageTransition(string? From, string To, Instant At, StageTransitionKind Kind, string? Reason, string? Actor, string? RuleId)
{
    /// <summary>The stages, instant, kind and who or which rule, e.g. <c>lead → first-time-customer at … (Advance by rule r1)</c>; never the reason (free text).</summary>
    public override string ToString() => $"{From ?? "(start)"} → {To} at {At} ({Kind} by {(RuleId is null ? Actor : "rule " + RuleId)})";
}
