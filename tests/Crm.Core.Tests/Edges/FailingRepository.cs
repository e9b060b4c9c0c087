using Crm.Core.Specifications;
using Crm.Core.Storage;

namespace Crm.Core.Tests.Edges;

/// <summary>A repository that fails to register chosen adds or updates (a database error), for failure-path tests.</summary>
internal sealed class FailingRepository<T, TId>(IRepository<T, TId> inner, Func<T, bool>? failAdd = null, Func<T, bool>? failUpdate = null) : IRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    public Task AddAsync(T aggregate, CancellationToken cancellationToken = default) =>
        failAdd?.Invoke(aggregate) == true ? throw new IOException("The database is unreachable.") : inner.AddAsync(aggregate, cancellationToken);

    public Task UpdateAsync(T aggregate, CancellationToken cancellationToken = default) =>
        failUpdate?.Invoke(aggregate) == true ? throw new IOException("The database is unreachable.") : inner.UpdateAsync(aggregate, cancellationToken);

    public Task RemoveAsync(T aggregate, CancellationToken cancellationToken = default) => inner.RemoveAsync(aggregate, cancellationToken);

    public Task<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default) => inner.GetByIdAsync(id, cancellationToken);

    public Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.FirstOrDefaultAsync(specification, cancellationToken);

    public Task<IReadOnlyList<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.ListAsync(specification, cancellationToken);

    public Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default) => inner.ListAsync(specification, cancellationToken);

    public Task<long> CountAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.CountAsync(specification, cancellationToken);

    public Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.AnyAsync(specification, cancellationToken);

    public IAsyncEnumerable<T> StreamAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.StreamAsync(specification, cancellationToken);

    public IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default) => inner.StreamAsync(specification, cancellationToken);
}
