using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>A customer's engagement status changed on re-evaluation.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status now.</param>
/// <param name="AsOf">The evaluation day (calendar day in the business's zone).</param>
/// <param name="OccurredAt">The evaluation instant.</param>
public sealed record EngagementStatusChanged(CustomerId CustomerId, EngagementStatus From, EngagementStatus To, LocalDate AsOf, Instant OccurredAt) : IDomainEvent;

/// <summary>A customer moved to another lifecycle stage (or started their lifecycle).</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Transition">The history entry that was recorded: from, to, reason, actor or rule.</param>
/// <param name="HighestStage">The highest stage reached after the change.</param>
public sealed record LifecycleStageChanged(CustomerId CustomerId, StageTransition Transition, string HighestStage) : IDomainEvent
{
    /// <summary>When the change happened.</summary>
    public Instant OccurredAt => Transition.At;
}

/// <summary>A touchpoint (e.g. "service and support") opened in the customer's lifecycle timeline.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Touchpoint">The touchpoint that opened.</param>
public sealed record LifecycleTouchpointOpened(CustomerId CustomerId, LifecycleTouchpoint Touchpoint) : IDomainEvent
{
    /// <summary>When it opened.</summary>
    public Instant OccurredAt => Touchpoint.OpenedAt;
}
