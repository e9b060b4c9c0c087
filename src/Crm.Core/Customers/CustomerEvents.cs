using NodaTime;

namespace Crm.Core.Customers;

// Events carry ids, kinds and codes only: never names, addresses or numbers, because events travel to outboxes,
// buses and logs that are not governed like the customer store.

/// <summary>A customer was registered.</summary>
/// <param name="CustomerId">The new customer.</param>
/// <param name="Kind">Person or organisation.</param>
/// <param name="OccurredAt">When.</param>
public sealed record CustomerRegistered(CustomerId CustomerId, CustomerKind Kind, Instant OccurredAt) : IDomainEvent;

/// <summary>A customer's name, birth date, ownership or external ids changed (the detail is on the customer).</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Change">What changed.</param>
/// <param name="OccurredAt">When.</param>
public sealed record CustomerProfileChanged(CustomerId CustomerId, CustomerProfileChange Change, Instant OccurredAt) : IDomainEvent;

/// <summary>What part of a customer's profile changed.</summary>
public enum CustomerProfileChange
{
    /// <summary>The name.</summary>
    Name = 1,

    /// <summary>The birth date.</summary>
    BirthDate = 2,

    /// <summary>The owner or team.</summary>
    Ownership = 3,

    /// <summary>An external id was linked or unlinked.</summary>
    ExternalId = 4,

    /// <summary>A tag was added or removed.</summary>
    Tags = 5,

    /// <summary>A custom attribute was set or removed.</summary>
    Attributes = 6,

    /// <summary>Another customer was merged into this one, or this one was merged into another (see <see cref="Customer.MergedInto"/>).</summary>
    Merged = 20,
}

/// <summary>A contact point was added.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="ContactPointId">The new contact point.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="IsInvalid">Whether it was added flagged invalid (an unparseable phone number).</param>
/// <param name="OccurredAt">When.</param>
public sealed record ContactPointAdded(CustomerId CustomerId, ContactPointId ContactPointId, ContactKind Kind, bool IsInvalid, Instant OccurredAt) : IDomainEvent;

/// <summary>A flag of a contact point changed.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="ContactPointId">The contact point.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Change">What changed.</param>
/// <param name="OccurredAt">When.</param>
public sealed record ContactPointChanged(CustomerId CustomerId, ContactPointId ContactPointId, ContactKind Kind, ContactPointChange Change, Instant OccurredAt) : IDomainEvent;

/// <summary>How a contact point changed.</summary>
public enum ContactPointChange
{
    /// <summary>It became the primary of its kind.</summary>
    MadePrimary = 1,

    /// <summary>It was verified.</summary>
    Verified = 2,

    /// <summary>The customer opted out of it.</summary>
    OptedOut = 3,

    /// <summary>The customer opted back in.</summary>
    OptedIn = 4,

    /// <summary>It was found not to work.</summary>
    MarkedInvalid = 5,

    /// <summary>It was found to work again.</summary>
    MarkedValid = 6,

    /// <summary>It was removed.</summary>
    Removed = 7,
}

/// <summary>A consent was granted or withdrawn.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Purpose">The purpose.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Granted or withdrawn.</param>
/// <param name="Source">Where it was captured.</param>
/// <param name="OccurredAt">When the customer gave or withdrew it.</param>
public sealed record ConsentChanged(CustomerId CustomerId, ConsentPurpose Purpose, ContactChannel Channel, ConsentStatus Status, string Source, Instant OccurredAt) : IDomainEvent
{
    /// <summary>The customer, status, purpose, channel and instant; never the source (free text).</summary>
    public override string ToString() => $"Consent of {CustomerId}: {Status} {Purpose} on {Channel} at {OccurredAt}";
}

/// <summary>A life event was recorded.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Type">The kind of event.</param>
/// <param name="Date">When it happened.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record LifeEventRecorded(CustomerId CustomerId, LifeEventType Type, LocalDate Date, Instant OccurredAt) : IDomainEvent;

/// <summary>A product holding was opened, suspended, reactivated or closed.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Category">The product category.</param>
/// <param name="Status">The new status.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record ProductHoldingChanged(CustomerId CustomerId, ProductId ProductId, string Category, HoldingStatus Status, Instant OccurredAt) : IDomainEvent;
