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
