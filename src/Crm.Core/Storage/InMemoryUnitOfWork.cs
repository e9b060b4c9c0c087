namespace Crm.Core.Storage;

/// <summary>The <see cref="IUnitOfWork"/> of an <see cref="InMemoryStore"/>: collects one scope's changes and commits them atomically.</summary>
/// <remarks>
/// Registered per dependency-injection scope by <c>UseInMemoryStore()</c>; the <see cref="InMemoryRepository{T, TId}"/>
/// instances of the same scope register their changes here. Not thread-safe (one logical flow at a time).
/// </remarks>
public sealed class InMemoryUnitOfWork : IUnitOfWork
{
    private readonly IDomainEventDispatcher _dispatcher;
    private readonly List<InMemoryChange> _changes = new();
    private readonly Dictionary<(Type Type, object Id), InMemoryChange> _byKey = new();

    /// <summary>Creates a unit of work over <paramref name="store"/>.</summary>
    /// <param name="store">The store to commit to.</param>
    /// <param name="dispatcher">Receives the domain events after each successful commit.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public InMemoryUnitOfWork(InMemoryStore store, IDomainEventDispatcher dispatcher)
    {
        Store = Preconditions.CheckNotNull(store);
        _dispatcher = Preconditions.CheckNotNull(dispatcher);
    }

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
            Store.Commit(_changes);
            var events = new List<IDomainEvent>();
            foreach (var change in _changes)
            {
                change.Complete(events);
            }
            var count = _changes.Count;
            Clear(); // before dispatching: a dispatcher failure must not leave committed changes pending
            if (events.Count > 0)
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
        var key = (typeof(T), (object)aggregate.Id);
        var type = typeof(T).Name;
        var id = InMemoryChange<T, TId>.IdText(aggregate.Id);
        if (_byKey.TryGetValue(key, out var existing))
        {
            var pending = (InMemoryChange<T, TId>)existing;
            switch (PendingChanges.Merge(kind, pending.Kind, type, id))
            {
                case PendingMerge.ReplaceAggregate:
                    pending.Aggregate = aggregate;
                    return;
                case PendingMerge.Drop:
                    _changes.Remove(existing);
                    _byKey.Remove(key);
                    return;
                default:
                    pending.Kind = ChangeKind.Remove;
                    pending.Aggregate = aggregate;
                    return;
            }
        }

        // Early checks against the current store give the caller the error at the faulty line; the commit checks again.
        var stored = Store.Find<T, TId>(aggregate.Id);
        var change = new InMemoryChange<T, TId>(kind, aggregate);
        PendingChanges.CheckFirstRegistration(kind, aggregate.Version, type, id, nameof(aggregate));
        if (kind == ChangeKind.Add)
        {
            if (stored is not null)
            {
                throw new DuplicateAggregateException(type, id);
            }
        }
        else
        {
            change.CheckVersion(stored);
        }
        _changes.Add(change);
        _byKey.Add(key, change);
    }

    private void Clear()
    {
        _changes.Clear();
        _byKey.Clear();
    }
}
