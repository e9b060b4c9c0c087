namespace Crm.Core.Testing.Fakes;

/// <summary>
/// An <see cref="IDomainEventDispatcher"/> that remembers what it was given, for asserting which events a use case
/// dispatched. Optionally fails, to test what happens when delivery fails after a commit.
/// </summary>
/// <remarks>Thread-safe: parallel units of work may dispatch to one instance.</remarks>
public sealed class RecordingDomainEventDispatcher : IDomainEventDispatcher
{
    private readonly object _gate = new();
    private readonly List<IReadOnlyList<IDomainEvent>> _batches = new();

    /// <summary>When set, <see cref="DispatchAsync"/> records the batch and then throws this exception.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Every dispatched batch (one per committed unit of work), in dispatch order.</summary>
    public IReadOnlyList<IReadOnlyList<IDomainEvent>> Batches
    {
        get
        {
            lock (_gate)
            {
                return _batches.ToArray();
            }
        }
    }

    /// <summary>Every dispatched event, flattened, in dispatch order.</summary>
    public IReadOnlyList<IDomainEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _batches.SelectMany(b => b).ToArray();
            }
        }
    }

    /// <summary>The dispatched events of type <typeparamref name="TEvent"/>.</summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <returns>The events, in dispatch order.</returns>
    public IReadOnlyList<TEvent> EventsOf<TEvent>()
        where TEvent : IDomainEvent => Events.OfType<TEvent>().ToArray();

    /// <summary>Forgets everything recorded.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _batches.Clear();
        }
    }

    /// <inheritdoc/>
    public ValueTask DispatchAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            _batches.Add(events.ToArray()); // copy: the caller may reuse its list
        }
        return FailWith is { } failure ? ValueTask.FromException(failure) : ValueTask.CompletedTask;
    }
}
