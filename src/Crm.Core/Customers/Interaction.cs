using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Customers;

/// <summary>Whether the customer or the business started an interaction.</summary>
public enum InteractionDirection
{
    /// <summary>The customer contacted the business (a call in, a web form, a branch visit).</summary>
    Inbound = 1,

    /// <summary>The business contacted the customer (a campaign email, a call out).</summary>
    Outbound = 2,
}

/// <summary>What an interaction refers to in another system: a support case, an order, a claim.</summary>
/// <remarks>Equality compares both parts ordinally. Immutable and thread-safe.</remarks>
public sealed record InteractionReference
{
    /// <summary>Creates a reference.</summary>
    /// <param name="kind">A code such as <c>case</c> or <c>order</c> (normalised like <see cref="ConsentPurpose"/> codes).</param>
    /// <param name="id">Its id in that system, verbatim: no surrounding white space or control characters, at most 200 characters.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is not a valid code or id.</exception>
    public InteractionReference(string kind, string id)
    {
        Kind = Token.Normalize(kind, nameof(kind), "reference kind");
        Id = Identifier.Validate(id, nameof(id), "reference id");
    }

    /// <summary>The kind of thing referred to, e.g. <c>case</c> or <c>order</c>.</summary>
    public string Kind { get; }

    /// <summary>Its id in that system.</summary>
    public string Id { get; }

    /// <summary>A reference to a support case.</summary>
    /// <param name="caseId">The case id.</param>
    /// <exception cref="ArgumentNullException"><paramref name="caseId"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="caseId"/> is not a valid id.</exception>
    public static InteractionReference ToCase(string caseId) => new("case", Identifier.Validate(caseId, nameof(caseId), "case id"));

    /// <summary>A reference to an order (purchase transaction).</summary>
    /// <param name="transactionId">The order's transaction id.</param>
    /// <exception cref="ArgumentException"><paramref name="transactionId"/> is the uninitialised default.</exception>
    public static InteractionReference ToOrder(Purchases.TransactionId transactionId) =>
        new("order", Preconditions.CheckNotDefault(transactionId).Value);

    /// <summary>The kind and id, e.g. <c>case C-17</c>.</summary>
    public override string ToString() => $"{Kind} {Id}";
}

/// <summary>
/// One entry of a customer's interaction timeline: a contact through any <see cref="Channel"/>, in either direction,
/// with its type, subject, outcome and an optional reference to a case or an order.
/// </summary>
/// <remarks>
/// Interactions are their own aggregate rather than a list inside <see cref="Customer"/>: a timeline grows without
/// bound, and loading years of calls to change an email address would make every customer update slower over time.
/// They are keyed customer-first for the timeline query (by customer and time range, newest first). The subject may
/// contain personal data, so <see cref="ToString"/> leaves it out. Not thread-safe.
/// </remarks>
public sealed class Interaction : AggregateRoot<InteractionId>
{
    /// <summary>The longest subject accepted.</summary>
    public const int MaxSubjectLength = 500;

    /// <summary>The longest outcome accepted.</summary>
    public const int MaxOutcomeLength = 200;

    private Interaction(InteractionId id, CustomerId customerId, Channel channel, InteractionDirection direction, InteractionType type,
        Instant occurredAt, string? subject, string? outcome, InteractionReference? reference, TenantId? tenantId)
        : base(id, tenantId)
    {
        CustomerId = customerId;
        Channel = channel;
        Direction = direction;
        Type = type;
        OccurredAt = occurredAt;
        Subject = subject;
        Outcome = outcome;
        Reference = reference;
    }

    /// <summary>The customer the interaction was with.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>Where it took place.</summary>
    public Channel Channel { get; }

    /// <summary>Who started it.</summary>
    public InteractionDirection Direction { get; }

    /// <summary>What kind of interaction it was.</summary>
    public InteractionType Type { get; }

    /// <summary>When it happened.</summary>
    public Instant OccurredAt { get; }

    /// <summary>A short subject line, or null.</summary>
    public string? Subject { get; }

    /// <summary>How it ended (e.g. <c>resolved</c>, <c>callback promised</c>), or null while open or unknown.</summary>
    public string? Outcome { get; private set; }

    /// <summary>The case or order it refers to, or null.</summary>
    public InteractionReference? Reference { get; }

    /// <summary>Records an interaction.</summary>
    /// <param name="id">The interaction's id.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="channel">Where it took place.</param>
    /// <param name="direction">Who started it.</param>
    /// <param name="type">What kind of interaction it was.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="subject">A short subject (at most 500 characters), or null.</param>
    /// <param name="outcome">How it ended (at most 200 characters), or null.</param>
    /// <param name="reference">The case or order it refers to, or null.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <returns>The interaction, with an <see cref="InteractionRecorded"/> event.</returns>
    /// <exception cref="ArgumentException">An id or <paramref name="type"/> is the uninitialised default, or a text is blank, too long or contains control characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> or <paramref name="direction"/> is not a defined value.</exception>
    public static Interaction Record(InteractionId id, CustomerId customerId, Channel channel, InteractionDirection direction, InteractionType type,
        Instant occurredAt, string? subject = null, string? outcome = null, InteractionReference? reference = null, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckDefined(channel);
        Preconditions.CheckDefined(direction);
        Preconditions.CheckArgument(!type.IsDefault, nameof(type), "An interaction type is required, e.g. InteractionType.Enquiry.");
        var cleanedSubject = Text.CleanOptional(subject, nameof(subject), MaxSubjectLength);
        var cleanedOutcome = Text.CleanOptional(outcome, nameof(outcome), MaxOutcomeLength);
        var interaction = new Interaction(id, customerId, channel, direction, type, occurredAt, cleanedSubject, cleanedOutcome, reference, tenantId);
        interaction.Raise(new InteractionRecorded(id, customerId, channel, direction, type, occurredAt));
        return interaction;
    }

    /// <summary>Records how the interaction ended, e.g. once a promised call-back happened.</summary>
    /// <param name="outcome">The outcome, at most 200 characters.</param>
    /// <param name="at">When it was recorded.</param>
    /// <exception cref="ArgumentNullException"><paramref name="outcome"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="outcome"/> is blank, too long or contains control characters.</exception>
    public void RecordOutcome(string outcome, Instant at)
    {
        Outcome = Text.Clean(outcome, nameof(outcome), MaxOutcomeLength);
        Raise(new InteractionOutcomeRecorded(Id, CustomerId, at));
    }

    /// <summary>The id, type, channel and direction; never the subject.</summary>
    public override string ToString() => $"Interaction {Id} ({Type}, {Channel}, {Direction})";

    /// <inheritdoc/>
    protected override AggregateRoot<InteractionId> CreateCopy() =>
        new Interaction(Id, CustomerId, Channel, Direction, Type, OccurredAt, Subject, Outcome, Reference, TenantId); // all members immutable
}

/// <summary>An interaction was recorded.</summary>
/// <param name="InteractionId">The interaction.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Channel">Where.</param>
/// <param name="Direction">Who started it.</param>
/// <param name="Type">What kind.</param>
/// <param name="OccurredAt">When it happened.</param>
public sealed record InteractionRecorded(InteractionId InteractionId, CustomerId CustomerId, Channel Channel, InteractionDirection Direction, InteractionType Type, Instant OccurredAt) : IDomainEvent;

/// <summary>The outcome of an interaction was recorded.</summary>
/// <param name="InteractionId">The interaction.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record InteractionOutcomeRecorded(InteractionId InteractionId, CustomerId CustomerId, Instant OccurredAt) : IDomainEvent;
