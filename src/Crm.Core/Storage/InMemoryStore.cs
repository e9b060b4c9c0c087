using System.Collections.Immutable;

namespace Crm.Core.Storage;

/// <summary>
/// An in-process store for any aggregate root type: the default for tests, demos and small hosts. Register it with
/// <c>services.AddCrmCore().UseInMemoryStore()</c> (one instance per application) or create one directly.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. The whole store is one immutable value that a commit replaces in a single step, so a commit is
/// atomic (all of its changes or none), readers never see half of a commit and never block writers.
/// Commits are serialised; every check of a commit runs before anything is written.
/// </para>
/// <para>
/// The store keeps its own deep copies (<c>AggregateRoot.Snapshot</c>) and hands out new copies on every read, so
/// nobody can change stored state through a reference they still hold. Queries run the shared
/// <see cref="Specifications.SpecificationEvaluator"/> over <c>AsQueryable()</c>: LINQ to Objects semantics
/// (ordinal, case-sensitive string equality). Nothing is persisted: the data lives as long as the instance.
/// </para>
/// </remarks>
public sealed class InMemoryStore
{
    private readonly object _commitLock = new();

    // Type of aggregate -> ImmutableDictionary<TId, TAggregate> of stored snapshots.
    private ImmutableDictionary<Type, object> _tables = ImmutableDictionary<Type, object>.Empty;

    /// <summary>The number of stored aggregates of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The aggregate root type.</typeparam>
    /// <typeparam name="TId">Its identifier type.</typeparam>
    /// <returns>The count at the time of the call.</returns>
    public int Count<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> => Table<T, TId>().Count;

    internal ImmutableDictionary<TId, T> Table<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> =>
        Volatile.Read(ref _tables).TryGetValue(typeof(T), out var table) ? (ImmutableDictionary<TId, T>)table : ImmutableDictionary<TId, T>.Empty;

    /// <summary>Validates every change against the current state, then publishes all of them in one step.</summary>
    internal void Commit(IReadOnlyList<InMemoryChange> changes)
    {
        lock (_commitLock)
        {
            var state = _tables;
            foreach (var change in changes)
            {
                change.Prepare(state); // throws on conflict; runs user code (CreateCopy) before anything is written
            }
            var builder = state.ToBuilder();
            foreach (var change in changes)
            {
                change.Apply(builder);
            }
            Volatile.Write(ref _tables, builder.ToImmutable());
        }
    }
}

/// <summary>What a unit of work does with one aggregate on commit.</summary>
internal enum InMemoryChangeKind
{
    Add,
    Update,
    Remove,
}

/// <summary>One aggregate's pending change, type-erased so that one commit can span several aggregate types.</summary>
internal abstract class InMemoryChange
{
    public abstract InMemoryChangeKind Kind { get; set; }

    /// <summary>Checks the change against <paramref name="state"/> and takes the snapshot to store; writes nothing.</summary>
    public abstract void Prepare(ImmutableDictionary<Type, object> state);

    /// <summary>Writes the prepared snapshot; pure, cannot fail.</summary>
    public abstract void Apply(ImmutableDictionary<Type, object>.Builder state);

    /// <summary>After a successful commit: advances the caller's aggregate and hands over its events.</summary>
    public abstract void Complete(List<IDomainEvent> events);
}

internal sealed class InMemoryChange<T, TId> : InMemoryChange
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private T? _prepared;

    public InMemoryChange(InMemoryChangeKind kind, T aggregate)
    {
        Kind = kind;
        Aggregate = aggregate;
    }

    public override InMemoryChangeKind Kind { get; set; }

    public T Aggregate { get; set; }

    public override void Prepare(ImmutableDictionary<Type, object> state)
    {
        var table = state.TryGetValue(typeof(T), out var t) ? (ImmutableDictionary<TId, T>)t : ImmutableDictionary<TId, T>.Empty;
        var exists = table.TryGetValue(Aggregate.Id, out var stored);
        switch (Kind)
        {
            case InMemoryChangeKind.Add:
                if (exists)
                {
                    throw new DuplicateAggregateException(typeof(T).Name, IdText(Aggregate.Id));
                }
                _prepared = SnapshotOf(Aggregate, newVersion: 1);
                break;
            case InMemoryChangeKind.Update:
                CheckVersion(stored);
                _prepared = SnapshotOf(Aggregate, Aggregate.Version + 1);
                break;
            default:
                CheckVersion(stored);
                _prepared = null;
                break;
        }
    }

    public override void Apply(ImmutableDictionary<Type, object>.Builder state)
    {
        var table = state.TryGetValue(typeof(T), out var t) ? (ImmutableDictionary<TId, T>)t : ImmutableDictionary<TId, T>.Empty;
        state[typeof(T)] = _prepared is null ? table.Remove(Aggregate.Id) : table.SetItem(Aggregate.Id, _prepared);
    }

    public override void Complete(List<IDomainEvent> events)
    {
        if (_prepared is not null)
        {
            Aggregate.SetVersion(_prepared.Version);
        }
        events.AddRange(Aggregate.DomainEvents);
        Aggregate.ClearDomainEvents();
    }

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
