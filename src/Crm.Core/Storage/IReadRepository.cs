using Crm.Core.Specifications;

namespace Crm.Core.Storage;

/// <summary>
/// Reads aggregates of one type from a store. Obtain it from dependency injection as
/// <c>IReadRepository&lt;Customer, CustomerId&gt;</c> (any aggregate root type works; no per-type registration).
/// </summary>
/// <typeparam name="T">The aggregate root type.</typeparam>
/// <typeparam name="TId">Its identifier type.</typeparam>
/// <remarks>
/// <para>
/// Every aggregate returned is the caller's own copy, loaded at the <see cref="AggregateRoot{TId}.Version"/> it
/// carries: change it, then save it through <see cref="IRepository{T, TId}.UpdateAsync"/> and
/// <see cref="IUnitOfWork.CommitAsync"/>.
/// </para>
/// <para>
/// Reads go to the store, not to the pending changes of the current unit of work (no read-your-own-uncommitted-writes).
/// Counts and existence checks use a specification's filters only and ignore its order and paging (see
/// <see cref="Specification{T}"/>). Without an order, the order of results is unspecified.
/// </para>
/// </remarks>
public interface IReadRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    /// <summary>Loads the aggregate with <paramref name="id"/>.</summary>
    /// <param name="id">The identifier.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The aggregate, or null when the store has none with that id.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default);

    /// <summary>Loads the first aggregate that <paramref name="specification"/> returns (after its order and paging).</summary>
    /// <param name="specification">The query.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The first match, or null when nothing matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification pages without an order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken = default);

    /// <summary>Loads every aggregate that <paramref name="specification"/> returns, in its order and page.</summary>
    /// <param name="specification">The query.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The matches (possibly empty).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification pages without an order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<IReadOnlyList<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="specification"/> and returns its projections, in its order and page.</summary>
    /// <typeparam name="TResult">The projected type.</typeparam>
    /// <param name="specification">The query with its projection.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The projected matches (possibly empty).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    /// <exception cref="InvalidSpecificationException">The specification has no projection, or pages without an order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default);

    /// <summary>Counts the aggregates that pass the filters of <paramref name="specification"/>; its order and paging are ignored.</summary>
    /// <param name="specification">The query.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of matches, whatever page the specification selects.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<long> CountAsync(Specification<T> specification, CancellationToken cancellationToken = default);

    /// <summary>Whether any aggregate passes the filters of <paramref name="specification"/>; its order and paging are ignored.</summary>
    /// <param name="specification">The query.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>True when at least one aggregate matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the aggregates that <paramref name="specification"/> returns, one at a time, for batch work in bounded
    /// memory (RFM over everyone, segment refresh). The in-memory store streams its state as of the call; a database
    /// adapter streams from its query, without holding every row in memory.
    /// </summary>
    /// <param name="specification">The query.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matches, lazily.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null (thrown on the call, not on enumeration).</exception>
    /// <exception cref="InvalidSpecificationException">The specification pages without an order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    IAsyncEnumerable<T> StreamAsync(Specification<T> specification, CancellationToken cancellationToken = default);

    /// <summary>Streams the projections of <paramref name="specification"/>, one at a time.</summary>
    /// <typeparam name="TResult">The projected type.</typeparam>
    /// <param name="specification">The query with its projection.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The projected matches, lazily.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null (thrown on the call, not on enumeration).</exception>
    /// <exception cref="InvalidSpecificationException">The specification has no projection, or pages without an order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads and changes aggregates of one type. Changes are only registered here; they reach the store together when
/// the scope's <see cref="IUnitOfWork.CommitAsync"/> runs (no save inside every write).
/// </summary>
/// <typeparam name="T">The aggregate root type.</typeparam>
/// <typeparam name="TId">Its identifier type.</typeparam>
/// <remarks>
/// Obtain it from dependency injection as <c>IRepository&lt;Customer, CustomerId&gt;</c> in the same scope as the
/// <see cref="IUnitOfWork"/> that commits it. There is no change tracking: call <see cref="UpdateAsync"/> for
/// every aggregate you changed. The state saved is the aggregate's state when the commit runs.
/// A registration that throws registers nothing, but changes registered before it stay pending: call
/// <see cref="IUnitOfWork.Discard"/> before retrying a use case in the same scope (or retry in a new scope with
/// <c>ExecuteWithConcurrencyRetryAsync</c>). For a custom store of one aggregate type, register both
/// <c>IRepository&lt;T, TId&gt;</c> and <c>IReadRepository&lt;T, TId&gt;</c>.
/// </remarks>
public interface IRepository<T, TId> : IReadRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    /// <summary>Registers a new aggregate to be inserted on commit.</summary>
    /// <param name="aggregate">A never-saved aggregate (<see cref="AggregateRoot{TId}.Version"/> 0).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentNullException"><paramref name="aggregate"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="aggregate"/> was already saved (its Version is not 0): use <see cref="UpdateAsync"/>.</exception>
    /// <exception cref="DuplicateAggregateException">The store or this unit of work already has an aggregate with that id (checked again on commit).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task AddAsync(T aggregate, CancellationToken cancellationToken = default);

    /// <summary>Registers a changed aggregate to be saved on commit, if nobody saved a newer version in the meantime.</summary>
    /// <param name="aggregate">An aggregate loaded from this store (or added in this unit of work).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentNullException"><paramref name="aggregate"/> is null.</exception>
    /// <exception cref="AggregateNotFoundException">The aggregate was never added (Version 0 and not pending), or is pending removal.</exception>
    /// <exception cref="ConcurrencyConflictException">On commit (or already here): the stored version moved on or the aggregate was deleted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task UpdateAsync(T aggregate, CancellationToken cancellationToken = default);

    /// <summary>Registers an aggregate to be deleted on commit, if nobody saved a newer version in the meantime.</summary>
    /// <param name="aggregate">An aggregate loaded from this store.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentNullException"><paramref name="aggregate"/> is null.</exception>
    /// <exception cref="AggregateNotFoundException">The aggregate was never saved, or is already pending removal.</exception>
    /// <exception cref="ConcurrencyConflictException">On commit (or already here): the stored version moved on or the aggregate was deleted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task RemoveAsync(T aggregate, CancellationToken cancellationToken = default);
}
