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

    /// <summary>The kind only, e.g. <c>case reference</c>: the id is another system's id, which must not reach logs.</summary>
    public override string ToString() => $"{Kind} reference";
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
        Instant occurredAt, string? subject, string? outcome, InteractionReference? reference, TenantId? tenantId, PurposeOfUse? purpose)
        : base(id, tenantId)
    {
        Purpose = purpose;
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
    public string? Subject { get; private set; }

    /// <summary>How it ended (e.g. <c>resolved</c>, <c>callback promised</c>), or null while open or unknown.</summary>
    public string? Outcome { get; private set; }

    /// <summary>The case or order it refers to, or null.</summary>
    public InteractionReference? Reference { get; }

    /// <summary>
    /// For an outbound interaction, what it was for: marketing (consent was in force when it happened) or a stated
    /// non-marketing purpose with its lawful basis, justification and actor. Null for inbound interactions (and for
    /// outbound ones stored before purposes were recorded).
    /// </summary>
    public PurposeOfUse? Purpose { get; }

    /// <summary>
    /// Records an interaction. An inbound one (the customer contacted the business) needs no purpose. An outbound one
    /// must state a non-marketing <paramref name="purpose"/>: marketing, the default, needs the customer's consent
    /// checked, so record outbound marketing with <see cref="RecordOutbound"/>.
    /// </summary>
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
    /// <param name="purpose">Outbound only: the non-marketing purpose (<see cref="PurposeOfUse.NonMarketing"/>); null for inbound.</param>
    /// <returns>The interaction, with an <see cref="InteractionRecorded"/> event.</returns>
    /// <exception cref="ArgumentException">
    /// An id or <paramref name="type"/> is the uninitialised default; a text is blank, too long or contains control characters;
    /// an outbound interaction without a non-marketing purpose; or an inbound one with a purpose.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> or <paramref name="direction"/> is not a defined value.</exception>
    public static Interaction Record(InteractionId id, CustomerId customerId, Channel channel, InteractionDirection direction, InteractionType type,
        Instant occurredAt, string? subject = null, string? outcome = null, InteractionReference? reference = null, TenantId? tenantId = null,
        PurposeOfUse? purpose = null)
    {
        Preconditions.CheckDefined(direction);
        if (direction == InteractionDirection.Outbound)
        {
            Preconditions.CheckArgument(purpose is { RequiresConsent: false }, nameof(purpose),
                "An outbound interaction is marketing unless stated otherwise, and marketing needs the customer's consent checked: record it with "
                + "Interaction.RecordOutbound(id, customer, ...), or pass a non-marketing purpose (PurposeOfUse.NonMarketing).");
        }
        else
        {
            Preconditions.CheckArgument(purpose is null, nameof(purpose), "An inbound interaction was started by the customer and has no purpose of use; pass null.");
        }
        return Create(id, customerId, channel, direction, type, occurredAt, subject, outcome, reference, tenantId, purpose);
    }

    /// <summary>
    /// Records a contact the business made (a campaign email, a call out) for <paramref name="purpose"/>. A
    /// consent-based purpose (marketing) is accepted only when the customer's consent for its purpose and channel is
    /// in force at <paramref name="occurredAt"/>; a non-marketing purpose is recorded with its basis, justification and actor.
    /// </summary>
    /// <param name="id">The interaction's id.</param>
    /// <param name="customer">The customer contacted: their consent history decides, and the interaction takes their tenant.</param>
    /// <param name="channel">Where it took place.</param>
    /// <param name="type">What kind of interaction it was, e.g. <see cref="InteractionType.SalesContact"/>.</param>
    /// <param name="occurredAt">When it happened (or is sent): consent is checked at this instant.</param>
    /// <param name="purpose">
    /// What it is for, e.g. <c>PurposeOfUse.Marketing(ContactChannel.Email)</c>; its channel is the one consent must cover
    /// (an SMS recorded on <see cref="Channel.Phone"/> is <see cref="ContactChannel.Sms"/>).
    /// </param>
    /// <param name="subject">A short subject (at most 500 characters), or null.</param>
    /// <param name="outcome">How it ended (at most 200 characters), or null.</param>
    /// <param name="reference">The case or order it refers to, or null.</param>
    /// <returns>The interaction, with an <see cref="InteractionRecorded"/> event.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/> or <paramref name="purpose"/> is null.</exception>
    /// <exception cref="ArgumentException">An id or <paramref name="type"/> is the uninitialised default, or a text is blank, too long or contains control characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is not a defined value.</exception>
    /// <exception cref="ConsentRequiredException">The purpose needs consent and the customer's is not in force at <paramref name="occurredAt"/>.</exception>
    public static Interaction RecordOutbound(InteractionId id, Customer customer, Channel channel, InteractionType type, Instant occurredAt,
        PurposeOfUse purpose, string? subject = null, string? outcome = null, InteractionReference? reference = null)
    {
        Preconditions.CheckNotNull(customer);
        Preconditions.CheckNotNull(purpose);
        // Validate everything first, so a refusal for consent never hides (or follows) a malformed request.
        var interaction = Create(id, customer.Id, channel, InteractionDirection.Outbound, type, occurredAt, subject, outcome, reference, customer.TenantId, purpose);
        purpose.EnsurePermits(customer, occurredAt);
        return interaction;
    }

    private static Interaction Create(InteractionId id, CustomerId customerId, Channel channel, InteractionDirection direction, InteractionType type,
        Instant occurredAt, string? subject, string? outcome, InteractionReference? reference, TenantId? tenantId, PurposeOfUse? purpose)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckDefined(channel);
        Preconditions.CheckArgument(!type.IsDefault, nameof(type), "An interaction type is required, e.g. InteractionType.Enquiry.");
        var cleanedSubject = Text.CleanOptional(subject, nameof(subject), MaxSubjectLength);
        var cleanedOutcome = Text.CleanOptional(outcome, nameof(outcome), MaxOutcomeLength);
        var interaction = new Interaction(id, customerId, channel, direction, type, occurredAt, cleanedSubject, cleanedOutcome, reference, tenantId, purpose);
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

    /// <summary>Removes the free text (subject, outcome) for an erasure; the facts (when, where, what kind) stay.</summary>
    internal void ErasePersonalText()
    {
        Subject = null;
        Outcome = null;
    }

    /// <summary>
    /// The same interaction, now of <paramref name="customerId"/> (a merge moves the timeline to the survivor). It is a
    /// new, unsaved aggregate: remove this one and add the copy in one unit of work, which replaces the stored one.
    /// </summary>
    internal Interaction MovedTo(CustomerId customerId) =>
        new(Id, customerId, Channel, Direction, Type, OccurredAt, Subject, Outcome, Reference, TenantId, Purpose);

    /// <summary>The id, type, channel and direction; never the subject.</summary>
    public override string ToString() => $"Interaction {Id} ({Type}, {Channel}, {Direction})";

    /// <inheritdoc/>
    protected override AggregateRoot<InteractionId> CreateCopy() =>
        new Interaction(Id, CustomerId, Channel, Direction, Type, OccurredAt, Subject, Outcome, Reference, TenantId, Purpose); // all members immutable
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
