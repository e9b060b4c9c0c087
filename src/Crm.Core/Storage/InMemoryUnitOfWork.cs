using Crm.Core.Tenancy;

namespace Crm.Core.Storage;

/// <summary>The <see cref="IUnitOfWork"/> of an <see cref="InMemoryStore"/>: collects one scope's changes and commits them atomically.</summary>
/// <remarks>
/// <para>Registered per dependency-injection scope by <c>UseInMemoryStore()</c>; the <see cref="InMemoryRepository{T, TId}"/>
/// instances of the same scope register their changes here. Not thread-safe (one logical flow at a time).</para>
/// <para>With an <see cref="ITenantContext"/> (tenancy on), every change is checked against the tenant current when it is
/// registered: aggregates of another tenant are refused (<see cref="TenantMismatchException"/>), new ones get the current
/// tenant, and an update or removal of an aggregate stored under another tenant fails as if it did not exist.</para>
/// </remarks>
public sealed class InMemoryUnitOfWork : IUnitOfWork
{
    private readonly IDomainEventDispatcher _dispatcher;
    private readonly ITenantContext? _tenantContext;
    // Units of work usually hold one or two changes: found by a scan. The index (which boxes every id) is built only
    // for large ones, so the common case allocates nothing beyond the change itself.
    private const int IndexThreshold = 8;
    private readonly bool _collectEvents;
    private InMemoryChangeSet _changes;
    private Dictionary<(Type Type, object Id), InMemoryChange>? _byKey;

    /// <summary>Creates a unit of work over <paramref name="store"/>.</summary>
    /// <param name="store">The store to commit to.</param>
    /// <param name="dispatcher">Receives the domain events after each successful commit.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public InMemoryUnitOfWork(InMemoryStore store, IDomainEventDispatcher dispatcher)
    {
        Store = Preconditions.CheckNotNull(store);
        _dispatcher = Preconditions.CheckNotNull(dispatcher);
        // Nobody listens to the null dispatcher: the events are cleared from the aggregates without being copied.
        _collectEvents = dispatcher is not NullDomainEventDispatcher;
    }

    /// <summary>Creates a tenant-isolated unit of work over <paramref name="store"/> (tenancy on).</summary>
    /// <param name="store">The store to commit to.</param>
    /// <param name="dispatcher">Receives the domain events after each successful commit.</param>
    /// <param name="tenantContext">Supplies the current tenant; every read and write of this scope is limited to it.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public InMemoryUnitOfWork(InMemoryStore store, IDomainEventDispatcher dispatcher, ITenantContext tenantContext)
        : this(store, dispatcher)
    {
        _tenantContext = Preconditions.CheckNotNull(tenantContext);
    }

    /// <summary>Null when tenancy is off; otherwise the current tenant.</summary>
    /// <exception cref="TenantRequiredException">Tenancy is on and there is no current tenant.</exception>
    internal TenantId? CurrentTenant() => TenantGuard.Current(_tenantContext);

    /// <summary>The store this unit of work commits to.</summary>
    public InMemoryStore Store { get; }

    /// <inheritdoc/>
    public bool HasChanges => _changes.Count > 0;

    /// <inheritdoc/>
    public async Task<int> CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_changes.Count == 0)
            {
                return 0;
            }
            Store.Commit(in _changes);
            List<IDomainEvent>? events = null;
            for (var i = 0; i < _changes.Count; i++)
            {
                _changes[i].Complete(ref events, _collectEvents);
            }
            var count = _changes.Count;
            Clear(); // before dispatching: a dispatcher failure must not leave committed changes pending
            if (events is not null)
            {
                await _dispatcher.DispatchAsync(events, cancellationToken).ConfigureAwait(false);
            }
            return count;
        }
        finally
        {
            Clear();
        }
    }

    /// <inheritdoc/>
    public void Discard() => Clear();

    internal void Register<T, TId>(ChangeKind kind, T aggregate)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        var type = typeof(T).Name;
        var tenant = CurrentTenant();
        if (tenant is { } current)
        {
            TenantGuard.CheckWritable(aggregate, current);
        }
        if (Pending<T, TId>(aggregate.Id) is { } pending)
        {
            switch (PendingChanges.Merge(kind, pending.Kind, type, InMemoryChange<T, TId>.IdText(aggregate.Id)))
            {
                case PendingMerge.ReplaceAggregate:
                    Claim(aggregate, tenant);
                    pending.Aggregate = aggregate;
                    return;
                case PendingMerge.Drop:
                    _changes.Remove(pending);
                    _byKey?.Remove(pending.Key);
                    return;
                case PendingMerge.BecomeReplace:
                    Claim(aggregate, tenant);
                    pending.BecomeReplace(aggregate);
                    return;
                default:
                    Claim(aggregate, tenant);
                    pending.Kind = ChangeKind.Remove;
                    pending.Aggregate = aggregate;
                    return;
            }
        }

        // Early checks against the current store give the caller the error at the faulty line; the commit checks again.
        var stored = Store.Find<T, TId>(aggregate.Id);
        var change = new InMemoryChange<T, TId>(kind, aggregate, tenant);
        if (!PendingChanges.IsValidFirstRegistration(kind, aggregate.Version))
        {
            PendingChanges.CheckFirstRegistration(kind, aggregate.Version, type, InMemoryChange<T, TId>.IdText(aggregate.Id), nameof(aggregate));
        }
        if (kind == ChangeKind.Add)
        {
            // Ids are global: an id taken in another tenant is refused exactly like one taken in this tenant.
            if (stored is not null)
            {
                throw new DuplicateAggregateException(type, InMemoryChange<T, TId>.IdText(aggregate.Id));
            }
        }
        else
        {
            change.CheckVersion(change.Visible(stored));
        }
        Claim(aggregate, tenant);
        _changes.Add(change);
        if (_byKey is not null)
        {
            _byKey.Add(change.Key, change);
        }
        else if (_changes.Count > IndexThreshold)
        {
            _byKey = new Dictionary<(Type, object), InMemoryChange>(_changes.Count * 2);
            for (var i = 0; i < _changes.Count; i++)
            {
                _byKey.Add(_changes[i].Key, _changes[i]);
            }
        }
    }

    private static void Claim<TId>(AggregateRoot<TId> aggregate, TenantId? tenant)
        where TId : struct, IEquatable<TId>
    {
        if (tenant is { } current)
        {
            TenantGuard.Claim(aggregate, current);
        }
    }

    /// <summary>The change already registered for the aggregate of type <typeparamref name="T"/> with <paramref name="id"/>, or null.</summary>
    private InMemoryChange<T, TId>? Pending<T, TId>(TId id)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        if (_byKey is not null)
        {
            return _byKey.TryGetValue((typeof(T), id), out var indexed) ? (InMemoryChange<T, TId>)indexed : null;
        }
        for (var i = 0; i < _changes.Count; i++)
        {
            var change = _changes[i];
            // The exact generic type, as the index key uses typeof(T): a change registered under another type is another row.
            if (change.GetType() == typeof(InMemoryChange<T, TId>) && ((InMemoryChange<T, TId>)change).Aggregate.Id.Equals(id))
            {
                return (InMemoryChange<T, TId>)change;
            }
        }
        return null;
    }

    private void Clear()
    {
        _changes.Clear();
        _byKey = null;
    }
}
