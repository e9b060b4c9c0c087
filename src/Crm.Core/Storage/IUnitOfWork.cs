namespace Crm.Core.Storage;

/// <summary>
/// Commits the changes that one use case registered through its repositories, all together or not at all, and
/// then hands the aggregates' domain events to the host's <see cref="IDomainEventDispatcher"/>.
/// </summary>
/// <remarks>
/// <para>
/// One unit of work per dependency-injection scope (per request, message or job step); the repositories resolved
/// from the same scope register their changes with it. Not thread-safe: use it from one logical flow at a time.
/// </para>
/// <para>
/// On success every saved aggregate's <see cref="AggregateRoot{TId}.Version"/> is advanced, its events are cleared
/// and then dispatched (in registration order, each aggregate's events in the order raised). A dispatcher failure
/// surfaces from <see cref="CommitAsync"/> after the data is committed; hosts that need guaranteed delivery use an
/// outbox dispatcher. On failure nothing is written and the caller's aggregates are left as they were.
/// Either way the unit of work is empty afterwards and can be reused: reload, re-apply and commit again
/// (see <see cref="ConcurrencyRetry"/>).
/// </para>
/// </remarks>
public interface IUnitOfWork
{
    /// <summary>Whether changes are registered and not yet committed.</summary>
    bool HasChanges { get; }

    /// <summary>Writes every registered change atomically, then dispatches the domain events.</summary>
    /// <param name="cancellationToken">Cancels the commit if it has not started writing.</param>
    /// <returns>The number of aggregates inserted, updated or deleted.</returns>
    /// <exception cref="ConcurrencyConflictException">An aggregate was changed or deleted by someone else since it was loaded; nothing was written.</exception>
    /// <exception cref="DuplicateAggregateException">An added aggregate's id is taken; nothing was written.</exception>
    /// <exception cref="AggregateNotFoundException">An aggregate to update or remove is not in the store; nothing was written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before writing; nothing was written.</exception>
    Task<int> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets every registered change without writing anything.</summary>
    void Discard();
}
