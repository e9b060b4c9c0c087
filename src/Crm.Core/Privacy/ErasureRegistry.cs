using Crm.Core.Storage;

namespace Crm.Core.Privacy;

/// <summary>
/// Remembers the external ids of erased customers as keyed hashes, so that a later import of the same id does not
/// silently re-create (re-identify) the person. Import paths call <see cref="EnsureNotErasedAsync"/>; a host that
/// deliberately re-creates the customer (the person came back and asked for it) calls <see cref="ReleaseAsync"/> first.
/// </summary>
/// <remarks>Obtain it per scope from dependency injection (<c>AddCrmCore().AddPrivacy(key)</c>). Not thread-safe.</remarks>
public interface IErasureRegistry
{
    /// <summary>Whether <paramref name="externalId"/> of <paramref name="sourceSystem"/> belonged to an erased customer.</summary>
    /// <param name="sourceSystem">The source system's code (normalised like <see cref="Customers.Customer.LinkExternalId"/> does).</param>
    /// <param name="externalId">The id in that system.</param>
    /// <param name="cancellationToken">Cancels the look-up.</param>
    /// <returns>True when the id is a tombstone.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is not a valid code or id.</exception>
    Task<bool> IsErasedAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="ErasedExternalIdException"/> when the id belonged to an erased customer; for import paths.</summary>
    /// <inheritdoc cref="IsErasedAsync"/>
    /// <exception cref="ErasedExternalIdException">The id belonged to an erased customer.</exception>
    Task EnsureNotErasedAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers, in the scope's unit of work, the removal of the tombstone of an id, so that the customer can be
    /// re-created deliberately: from then on this registry (this scope) treats the id as not erased, so a registration
    /// or import in the same scope goes through, and both are committed together. Other scopes see the id as erased
    /// until the unit of work commits. A registration or import that fails discards the unit of work and with it the
    /// release (the id counts as erased again): release it again before retrying. A host that discards the unit of
    /// work itself should continue in a new scope.
    /// </summary>
    /// <inheritdoc cref="IsErasedAsync"/>
    /// <returns>True when a tombstone was found and its removal registered; false when the id was not erased.</returns>
    Task<bool> ReleaseAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default);
}

/// <summary>The <see cref="IErasureRegistry"/> over the scope's repository of <see cref="ErasedExternalId"/> tombstones.</summary>
/// <remarks>Scoped, like the unit of work it registers releases with. Not thread-safe.</remarks>
public sealed class ErasureRegistry : IErasureRegistry
{
    private readonly IRepository<ErasedExternalId, ErasedExternalIdKey> _tombstones;
    private readonly PrivacyOptions _options;
    private readonly Tenancy.ITenantContext? _tenants;
    private readonly HashSet<ErasedExternalIdKey> _released = [];

    /// <summary>Creates the registry.</summary>
    /// <param name="tombstones">The scope's repository of tombstones.</param>
    /// <param name="options">The hash key.</param>
    /// <param name="tenants">The current tenant when the host uses tenancy (ids are looked up within it); null without tenancy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tombstones"/> or <paramref name="options"/> is null.</exception>
    public ErasureRegistry(IRepository<ErasedExternalId, ErasedExternalIdKey> tombstones, PrivacyOptions options, Tenancy.ITenantContext? tenants = null)
    {
        _tombstones = Preconditions.CheckNotNull(tombstones);
        _options = Preconditions.CheckNotNull(options);
        _tenants = tenants;
    }

    /// <inheritdoc/>
    public async Task<bool> IsErasedAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default)
    {
        var key = Key(sourceSystem, externalId);
        return !_released.Contains(key) && await _tombstones.GetByIdAsync(key, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    public async Task EnsureNotErasedAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default)
    {
        if (await IsErasedAsync(sourceSystem, externalId, cancellationToken).ConfigureAwait(false))
        {
            throw new ErasedExternalIdException(Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code"));
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseAsync(string sourceSystem, string externalId, CancellationToken cancellationToken = default)
    {
        var key = Key(sourceSystem, externalId);
        var tombstone = _released.Contains(key) ? null : await _tombstones.GetByIdAsync(key, cancellationToken).ConfigureAwait(false);
        if (tombstone is null)
        {
            return false;
        }
        await _tombstones.RemoveAsync(tombstone, cancellationToken).ConfigureAwait(false);
        _released.Add(key);
        return true;
    }

    /// <summary>Forgets the releases of this scope, after the unit of work that held them was discarded.</summary>
    internal void ForgetReleases() => _released.Clear();

    internal ErasedExternalIdKey Key(string sourceSystem, string externalId) =>
        _options.HashExternalId(
            _tenants?.CurrentTenant,
            Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code"),
            Identifier.Validate(externalId, nameof(externalId), "external id"));
}

/// <summary>
/// Thrown when an import or registration carries an external id that belonged to an erased customer. The message names
/// the source system only, never the id.
/// </summary>
/// <remarks>
/// <para>Skip the record, or, when the person deliberately asked to be re-created, call <see cref="IErasureRegistry.ReleaseAsync"/>
/// and import it again in the same unit of work.</para>
/// <para>When <see cref="ErasedCustomerId"/> is set, the id is still linked to a stored record that leads to that erased
/// customer (a record merged into it before erasure reached merge families): there is no keyed hash to release yet.
/// Call <see cref="PrivacyService.EraseAsync"/> for <see cref="ErasedCustomerId"/> first (it erases the linked record
/// and records its ids as erased), then release and import as above.</para>
/// </remarks>
public sealed class ErasedExternalIdException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceSystem">The source system's code.</param>
    public ErasedExternalIdException(string sourceSystem)
        : base($"An id of source system '{sourceSystem}' belonged to a customer whose personal data was erased, so it is not imported again. " +
            "Skip the record; if the person deliberately asked to be re-created, call IErasureRegistry.ReleaseAsync first, in the same unit of work.") =>
        SourceSystem = sourceSystem;

    private ErasedExternalIdException(string sourceSystem, Customers.CustomerId erasedCustomerId, string message)
        : base(message)
    {
        SourceSystem = sourceSystem;
        ErasedCustomerId = erasedCustomerId;
    }

    /// <summary>The source system's code.</summary>
    public string SourceSystem { get; }

    /// <summary>
    /// The erased customer a stored record still links the id to, when the id has no keyed hash yet and must be erased
    /// again before it can be released (see the remarks); null when the id is a tombstone that can be released.
    /// </summary>
    public Customers.CustomerId? ErasedCustomerId { get; }

    // Records merged into a customer that was erased before erasure reached whole merge families keep their external
    // ids unhashed, so there is no tombstone to release. Erasing again reaches the family and records the ids; then the
    // ordinary release applies.
    internal static ErasedExternalIdException ReachedThroughMergedRecord(string sourceSystem, Customers.CustomerId erasedCustomerId) =>
        new(sourceSystem, erasedCustomerId, $"An id of source system '{sourceSystem}' is linked (directly or through a merged record) to customer {erasedCustomerId}, whose personal data was erased, " +
            "so it is not imported again. Skip the record; to re-create the person deliberately, call PrivacyService.EraseAsync for that customer " +
            "again (it erases the merged records too and records their ids as erased), then IErasureRegistry.ReleaseAsync for the id and import it in the same unit of work.");
}
