namespace Crm.Core.Storage;

/// <summary>
/// An in-process store for any aggregate root type: the default for tests, demos and small hosts. Register it with
/// <c>services.AddCrmCore().UseInMemoryStore()</c> (one instance per application) or create one directly.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Commits are serialised and atomic: every check of a commit (existence, versions, taking the
/// snapshots) runs before anything is written, and readers never see half of a commit. Reads hold the lock only
/// to look an aggregate up or to take the current array of a type's aggregates; queries then run outside it.
/// </para>
/// <para>
/// The store keeps its own deep copies (<c>AggregateRoot.CreateCopy</c>) and hands out new copies on every read, so
/// nobody can change stored state through a reference they still hold. Queries run the shared
/// <see cref="Specifications.SpecificationEvaluator"/> (LINQ to Objects semantics: ordinal, case-sensitive string
/// equality). Nothing is persisted: the data lives as long as the instance.
/// </para>
/// </remarks>
public sealed class InMemoryStore
{
    private readonly object _lock = new();
    private readonly Dictionary<Type, object> _tables = new();

    /// <summary>The number of stored aggregates of type <typeparamref name="T"/>, of every tenant (the store itself is not tenant-scoped; its repositories are).</summary>
    /// <typeparam name="T">The aggregate root type.</typeparam>
    /// <typeparam name="TId">Its identifier type.</typeparam>
    /// <returns>The count at the time of the call.</returns>
    public int Count<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        lock (_lock)
        {
            return TableOrNull<T, TId>()?.Count ?? 0;
        }
    }

    /// <summary>The stored snapshot with <paramref name="id"/> (not a copy: never hand it out), or null.</summary>
    internal T? Find<T, TId>(TId id)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        lock (_lock)
        {
            return TableOrNull<T, TId>()?.Find(id);
        }
    }

    /// <summary>Every stored snapshot of the type, as an array that no later commit changes (not copies: never hand them out).</summary>
    internal T[] All<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        lock (_lock)
        {
            return TableOrNull<T, TId>()?.Values() ?? [];
        }
    }

    /// <summary>Validates every change against the current state, then writes all of them.</summary>
    internal void Commit(in InMemoryChangeSet changes)
    {
        lock (_lock)
        {
            for (var i = 0; i < changes.Count; i++)
            {
                changes[i].Prepare(this); // throws on conflict; runs user code (CreateCopy) before anything is written
            }
            for (var i = 0; i < changes.Count; i++)
            {
                changes[i].Apply(this); // dictionary writes only: cannot fail half-way
            }
        }
    }

    /// <summary>The table of <typeparamref name="T"/>, or null when none was ever written. Call under the lock.</summary>
    internal InMemoryTable<T, TId>? TableOrNull<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> =>
        _tables.TryGetValue(typeof(T), out var table) ? (InMemoryTable<T, TId>)table : null;

    /// <summary>The table of <typeparamref name="T"/>, created when missing. Call under the lock.</summary>
    internal InMemoryTable<T, TId> Table<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        if (TableOrNull<T, TId>() is { } table)
        {
            return table;
        }
        var created = new InMemoryTable<T, TId>();
        _tables.Add(typeof(T), created);
        return created;
    }
}

/// <summary>The stored snapshots of one aggregate type. Not thread-safe: the store's lock guards it.</summary>
internal sealed class InMemoryTable<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private readonly Dictionary<TId, T> _items = new();

    // Queries scan this array outside the lock; a write replaces it (never changes it), so a running query keeps
    // a consistent view and queries between writes share one array.
    private T[]? _values;

    public int Count => _items.Count;

    public T? Find(TId id) => _items.GetValueOrDefault(id);

    public T[] Values() => _values ??= _items.Values.ToArray();

    public void Set(TId id, T snapshot)
    {
        _items[id] = snapshot;
        _values = null;
    }

    public void Remove(TId id)
    {
        _items.Remove(id);
        _values = null;
    }
}


/// <summary>One aggregate's pending change, type-erased so that one commit can span several aggregate types.</summary>
internal abstract class InMemoryChange
{
    public abstract ChangeKind Kind { get; set; }

    /// <summary>The aggregate's type and boxed id: the key of the unit of work's index.</summary>
    public abstract (Type Type, object Id) Key { get; }

    /// <summary>Checks the change against the store and takes the snapshot to write; writes nothing.</summary>
    public abstract void Prepare(InMemoryStore store);

    /// <summary>Writes the prepared snapshot; cannot fail.</summary>
    public abstract void Apply(InMemoryStore store);

    /// <summary>After a successful commit: advances the caller's aggregate and takes its events (into <paramref name="events"/> when collecting, otherwise dropped).</summary>
    public abstract void Complete(ref List<IDomainEvent>? events, bool collect);
}

internal sealed class InMemoryChange<T, TId> : InMemoryChange
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private T? _prepared;

    public InMemoryChange(ChangeKind kind, T aggregate, Tenancy.TenantId? tenant)
    {
        Kind = kind;
        Aggregate = aggregate;
        Tenant = tenant;
    }

    /// <summary>The tenant current when the change was registered; null when tenancy is off.</summary>
    public Tenancy.TenantId? Tenant { get; }

    public override ChangeKind Kind { get; set; }

    public T Aggregate { get; set; }

    // For a replacement: the version of the removed aggregate, which the stored one must still have.
    private long _replacedVersion;

    /// <summary>A pending removal becomes the replacement of the stored aggregate by <paramref name="aggregate"/>.</summary>
    public void BecomeReplace(T aggregate)
    {
        _replacedVersion = Aggregate.Version;
        Kind = ChangeKind.Replace;
        Aggregate = aggregate;
    }

    public override (Type Type, object Id) Key => (typeof(T), Aggregate.Id);

    public override void Prepare(InMemoryStore store)
    {
        var stored = store.TableOrNull<T, TId>()?.Find(Aggregate.Id);
        switch (Kind)
        {
            case ChangeKind.Add:
                if (stored is not null)
                {
                    throw new DuplicateAggregateException(typeof(T).Name, IdText(Aggregate.Id));
                }
                _prepared = SnapshotOf(Aggregate, newVersion: 1);
                break;
            case ChangeKind.Update:
                CheckVersion(Visible(stored));
                _prepared = SnapshotOf(Aggregate, Aggregate.Version + 1);
                break;
            case ChangeKind.Replace:
                stored = Visible(stored);
                if (stored is null || stored.Version != _replacedVersion)
                {
                    throw new ConcurrencyConflictException(typeof(T).Name, IdText(Aggregate.Id), _replacedVersion, stored?.Version);
                }
                _prepared = SnapshotOf(Aggregate, _replacedVersion + 1);
                break;
            default:
                CheckVersion(Visible(stored));
                _prepared = null;
                break;
        }
    }

    public override void Apply(InMemoryStore store)
    {
        var table = store.Table<T, TId>();
        if (_prepared is null)
        {
            table.Remove(Aggregate.Id);
        }
        else
        {
            table.Set(Aggregate.Id, _prepared);
        }
    }

    public override void Complete(ref List<IDomainEvent>? events, bool collect)
    {
        if (_prepared is not null)
        {
            Aggregate.SetVersion(_prepared.Version);
        }
        if (Aggregate.DomainEvents.Count > 0)
        {
            if (collect)
            {
                (events ??= new List<IDomainEvent>()).AddRange(Aggregate.DomainEvents);
            }
            Aggregate.ClearDomainEvents();
        }
    }

    /// <summary>The stored copy as this change's tenant sees it: another tenant's aggregate is not there at all.</summary>
    public T? Visible(T? stored) => stored is not null && Tenancy.TenantGuard.IsVisible(stored.TenantId, Tenant) ? stored : null;

    /// <summary>Throws <see cref="ConcurrencyConflictException"/> unless the stored copy is at the caller's version.</summary>
    public void CheckVersion(T? stored)
    {
        if (stored is null || stored.Version != Aggregate.Version)
        {
            throw new ConcurrencyConflictException(typeof(T).Name, IdText(Aggregate.Id), Aggregate.Version, stored?.Version);
        }
    }

    internal static string IdText(TId id) => id.ToString() ?? string.Empty;

    /// <summary>A deep copy of <paramref name="aggregate"/> at <paramref name="newVersion"/>, typed as <typeparamref name="T"/>.</summary>
    internal static T SnapshotOf(T aggregate, long newVersion)
    {
        var copy = (T)aggregate.Snapshot(); // Snapshot guarantees the same runtime type
        copy.SetVersion(newVersion);
        return copy;
    }
}
