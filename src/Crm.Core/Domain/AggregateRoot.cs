using Crm.Core.Tenancy;

namespace Crm.Core;

/// <summary>
/// The base of every aggregate root: an identity, a <see cref="Version"/> for optimistic concurrency,
/// the reserved tenant id, and the domain events raised since the aggregate was loaded.
/// </summary>
/// <typeparam name="TId">The strongly typed identifier.</typeparam>
/// <remarks>
/// Aggregates are not thread-safe: load one per unit of work. Stores own <see cref="Version"/>: it is 0 for
/// an aggregate that was never saved and goes up by one with every successful save.
/// </remarks>
public abstract class AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private List<IDomainEvent>? _events;

    /// <summary>Creates an aggregate with its identifier.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is the uninitialised default.</exception>
    protected AggregateRoot(TId id, TenantId? tenantId = null)
    {
        Id = Preconditions.CheckNotDefault(id);
        if (tenantId is { IsDefault: true })
        {
            throw new ArgumentException("An uninitialised default TenantId is not allowed; pass null for no tenant.", nameof(tenantId));
        }
        TenantId = tenantId;
    }

    /// <summary>
    /// For storage adapters that materialise aggregates from rows (EF Core): the identity and version are then set
    /// from the stored columns. Domain code always uses the constructor taking an id.
    /// </summary>
    protected AggregateRoot()
    {
    }

    /// <summary>The aggregate's identity.</summary>
    public TId Id { get; }

    /// <summary>The version this copy was loaded at (0 when never saved). Stores compare it on update to detect lost updates.</summary>
    public long Version { get; private set; }

    /// <summary>The tenant this aggregate belongs to, or null when the host does not use tenancy.</summary>
    public TenantId? TenantId { get; private set; }

    /// <summary>The events raised since this copy was loaded or since <see cref="ClearDomainEvents"/>.</summary>
    public IReadOnlyList<IDomainEvent> DomainEvents => (IReadOnlyList<IDomainEvent>?)_events ?? Array.Empty<IDomainEvent>();

    /// <summary>Forgets the raised events; called by the unit of work once they are handed to the dispatcher.</summary>
    public void ClearDomainEvents() => _events?.Clear();

    /// <summary>Records a domain event raised by this aggregate.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domainEvent"/> is null.</exception>
    protected void Raise(IDomainEvent domainEvent)
    {
        Preconditions.CheckNotNull(domainEvent);
        (_events ??= new List<IDomainEvent>()).Add(domainEvent);
    }

    /// <summary>
    /// Creates an independent deep copy of this aggregate's state (not its pending events), so that stores
    /// can keep snapshots that callers cannot change through a reference they still hold.
    /// </summary>
    /// <remarks>Copy every mutable collection; immutable values (records, strings) can be shared.</remarks>
    protected abstract AggregateRoot<TId> CreateCopy();

    /// <summary>A deep copy with the same <see cref="Version"/> and no pending events.</summary>
    /// <exception cref="InvalidOperationException">The derived <see cref="CreateCopy"/> returned null, this instance, or another type.</exception>
    internal AggregateRoot<TId> Snapshot()
    {
        var copy = CreateCopy();
        // A broken CreateCopy would silently share state with the store (or wipe this instance's pending events
        // below), so it is a programming error reported at once.
        if (copy is null || ReferenceEquals(copy, this) || copy.GetType() != GetType())
        {
            throw new InvalidOperationException(
                $"{GetType().Name}.CreateCopy must return a new {GetType().Name} instance with the same state; it returned {(copy is null ? "null" : ReferenceEquals(copy, this) ? "the same instance" : "a " + copy.GetType().Name)}.");
        }
        copy.Version = Version;
        copy.TenantId = TenantId;
        copy._events = null;
        return copy;
    }

    /// <summary>Sets the version; used only by stores after a successful save or when materialising.</summary>
    internal void SetVersion(long version) => Version = version;

    /// <summary>Assigns the tenant; used by stores when tenancy is on and the aggregate has none yet.</summary>
    internal void AssignTenant(TenantId tenantId) => TenantId = tenantId;

    /// <summary>Undoes <see cref="AssignTenant"/> when the write that assigned it failed.</summary>
    internal void ClearTenant() => TenantId = null;
}
