using Crm.Core.Customers;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Privacy;

/// <summary>
/// The record that a customer's personal data was erased: when, why and by whom, and nothing of the erased data.
/// Keyed by the (pseudonymous) customer id; written by <see cref="PrivacyService.EraseAsync"/> in the same unit of work
/// as the erasure itself.
/// </summary>
/// <remarks>
/// Kept as evidence that an erasure request was honoured (GDPR art. 5(2) accountability, art. 17). The reason is the
/// host's short explanation (<c>art17-request</c>, <c>ticket 4711</c>) and the actor a staff or system id: neither may
/// contain personal data of the customer. <see cref="ToString"/> shows the id and instant only. Not thread-safe.
/// </remarks>
public sealed class ErasureRecord : AggregateRoot<CustomerId>
{
    /// <summary>The longest reason accepted.</summary>
    public const int MaxReasonLength = 200;

    private ErasureRecord(CustomerId id, Instant erasedAt, string reason, string actor, int externalIdsErased, TenantId? tenantId)
        : base(id, tenantId)
    {
        ErasedAt = erasedAt;
        Reason = reason;
        Actor = actor;
        ExternalIdsErased = externalIdsErased;
    }

    /// <summary>The customer whose data was erased.</summary>
    public CustomerId CustomerId => Id;

    /// <summary>When the erasure was carried out (the first time, if it was requested again).</summary>
    public Instant ErasedAt { get; }

    /// <summary>Why: the host's reference or short explanation, e.g. <c>art17-request</c>.</summary>
    public string Reason { get; }

    /// <summary>Who: the staff or system id that carried it out.</summary>
    public string Actor { get; }

    /// <summary>How many external ids were unlinked (their keyed hashes are kept; see <see cref="IErasureRegistry"/>).</summary>
    public int ExternalIdsErased { get; }

    /// <summary>Creates the record.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="erasedAt">When.</param>
    /// <param name="reason">Why: 1-200 characters, no personal data.</param>
    /// <param name="actor">Who: a staff or system id.</param>
    /// <param name="externalIdsErased">How many external ids were unlinked.</param>
    /// <param name="tenantId">The customer's tenant, when the host uses tenancy.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentException">The id is default, or the reason or actor is blank, too long or contains control characters.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> or <paramref name="actor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="externalIdsErased"/> is negative.</exception>
    public static ErasureRecord Create(CustomerId customerId, Instant erasedAt, string reason, string actor, int externalIdsErased, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(customerId);
        var cleanedReason = Text.Clean(reason, nameof(reason), MaxReasonLength);
        var cleanedActor = Identifier.Validate(actor, nameof(actor), "actor");
        Preconditions.CheckNotNegative(externalIdsErased);
        return new ErasureRecord(customerId, erasedAt, cleanedReason, cleanedActor, externalIdsErased, tenantId);
    }

    /// <summary>The customer id and instant, e.g. <c>Erasure of 00042 at 2026-11-23T18:00:00Z</c>.</summary>
    public override string ToString() => $"Erasure of {Id} at {ErasedAt}";

    /// <inheritdoc/>
    protected override AggregateRoot<CustomerId> CreateCopy() =>
        new ErasureRecord(Id, ErasedAt, Reason, Actor, ExternalIdsErased, TenantId); // every member is immutable
}

/// <summary>
/// The keyed hash of an external id (source system and id) that belonged to an erased customer: 64 lower-case hex
/// digits of HMAC-SHA-256 under the host's key (<see cref="PrivacyOptions"/>).
/// </summary>
/// <remarks>Equality is ordinal. Immutable and thread-safe.</remarks>
public readonly record struct ErasedExternalIdKey
{
    private readonly string? _value;

    /// <summary>Wraps a hash computed by <see cref="IErasureRegistry"/> (or read back from a store).</summary>
    /// <param name="value">64 lower-case hexadecimal digits.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not 64 lower-case hexadecimal digits.</exception>
    public ErasedExternalIdKey(string value)
    {
        Preconditions.CheckNotNull(value);
        Preconditions.CheckArgument(value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'), nameof(value),
            "An erased external id key is 64 lower-case hexadecimal digits (an HMAC-SHA-256); compute it with IErasureRegistry.");
        _value = value;
    }

    /// <summary>The hash as 64 lower-case hexadecimal digits.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _value is null;

    /// <summary>The hash.</summary>
    public override string ToString() => Value;
}

/// <summary>
/// A tombstone: an external id of an erased customer, kept only as its keyed hash, so that an import carrying the same
/// id is recognised and refused instead of silently re-creating the person (see <see cref="IErasureRegistry"/>).
/// </summary>
/// <remarks>It deliberately does not name the customer: the hash must not lead back to the pseudonymous record. Not thread-safe.</remarks>
public sealed class ErasedExternalId : AggregateRoot<ErasedExternalIdKey>
{
    private ErasedExternalId(ErasedExternalIdKey id, string sourceSystem, Instant erasedAt, TenantId? tenantId)
        : base(id, tenantId)
    {
        SourceSystem = sourceSystem;
        ErasedAt = erasedAt;
    }

    /// <summary>The source system's code (e.g. <c>billing</c>); a code, not personal data.</summary>
    public string SourceSystem { get; }

    /// <summary>When the id was erased.</summary>
    public Instant ErasedAt { get; }

    /// <summary>Creates the tombstone.</summary>
    /// <param name="key">The keyed hash.</param>
    /// <param name="sourceSystem">The source system's code.</param>
    /// <param name="erasedAt">When.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <returns>The tombstone.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is default or <paramref name="sourceSystem"/> is not a valid code.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sourceSystem"/> is null.</exception>
    public static ErasedExternalId Create(ErasedExternalIdKey key, string sourceSystem, Instant erasedAt, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(key);
        var system = Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code");
        return new ErasedExternalId(key, system, erasedAt, tenantId);
    }

    /// <summary>The source system and instant; never the id.</summary>
    public override string ToString() => $"Erased external id of {SourceSystem} at {ErasedAt}";

    /// <inheritdoc/>
    protected override AggregateRoot<ErasedExternalIdKey> CreateCopy() => new ErasedExternalId(Id, SourceSystem, ErasedAt, TenantId);
}
