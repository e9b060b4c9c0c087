namespace Crm.Core.Lifecycle;

/// <summary>
/// How engaged a customer is right now, derived from activity (never typed in by hand). Separate from the
/// lifecycle stage: a loyal customer can be at risk, a first-time customer can be active.
/// </summary>
/// <remarks>See <see cref="EngagementRules"/> for how each status is decided.</remarks>
public enum EngagementStatus
{
    /// <summary>The customer has not purchased yet, so there is no activity to judge.</summary>
    None = 0,

    /// <summary>Buying at the customer's usual rhythm.</summary>
    Active = 1,

    /// <summary>Silent for longer than usual: a nudge may help.</summary>
    AtRisk = 2,

    /// <summary>Silent for much longer than usual: a win-back case.</summary>
    Lapsed = 3,

    /// <summary>Considered gone.</summary>
    Churned = 4,

    /// <summary>Came back after lapsing or churning; lasts <see cref="EngagementRules.ReactivationDays"/> days, then Active.</summary>
    Reactivated = 5,
}
