using NodaTime;

namespace Crm.Core;

/// <summary>
/// Something that happened in the domain that other parts of the host may react to (a tier changed, a
/// customer entered a segment). Events are sealed records raised inside aggregates and handed to the
/// host's <see cref="IDomainEventDispatcher"/> after the unit of work commits.
/// </summary>
public interface IDomainEvent
{
    /// <summary>When it happened.</summary>
    Instant OccurredAt { get; }
}

/// <summary>
/// Delivers domain events to the host after a successful commit. The default does nothing; replace it
/// (e.g. with an outbox or a message bus publisher) by registering your own before or after <c>AddCrmCore()</c>.
/// </summary>
public interface IDomainEventDispatcher
{
    /// <summary>Delivers <paramref name="events"/> in the order they were raised.</summary>
    /// <param name="events">The events of one committed unit of work.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    ValueTask DispatchAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken = default);
}

/// <summary>The default dispatcher: drops events. Hosts that react to events register their own.</summary>
public sealed class NullDomainEventDispatcher : IDomainEventDispatcher
{
    /// <summary>The shared instance.</summary>
    public static NullDomainEventDispatcher Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask DispatchAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(events);
        return ValueTask.CompletedTask;
    }
}
