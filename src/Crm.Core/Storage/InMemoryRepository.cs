using System.Runtime.CompilerServices;
using Crm.Core.Specifications;

namespace Crm.Core.Storage;

/// <summary>
/// The <see cref="IRepository{T, TId}"/> of an <see cref="InMemoryStore"/>, for any aggregate root type. Reads copy
/// from the store; writes register with the scope's <see cref="InMemoryUnitOfWork"/>.
/// </summary>
/// <typeparam name="T">The aggregate root type.</typeparam>
/// <typeparam name="TId">Its identifier type.</typeparam>
/// <remarks>
/// Resolved from dependency injection as <c>IRepository&lt;T, TId&gt;</c> or <c>IReadRepository&lt;T, TId&gt;</c>; thread-safety is
/// that of its unit of work. When tenancy is on (the unit of work has an <see cref="Tenancy.ITenantContext"/>), every read
/// sees only the current tenant's aggregates, before the specification runs (so counts, paging and projections too).
/// </remarks>
public sealed class InMemoryRepository<T, TId> : IRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private readonly InMemoryUnitOfWork _unitOfWork;

    /// <summary>Creates a repository whose writes <paramref name="unitOfWork"/> commits.</summary>
    /// <param name="unitOfWork">The scope's unit of work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="unitOfWork"/> is null.</exception>
    public InMemoryRepository(InMemoryUnitOfWork unitOfWork) => _unitOfWork = Preconditions.CheckNotNull(unitOfWork);

    /// <inheritdoc/>
    public Task<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = _unitOfWork.CurrentTenant();
        var stored = _unitOfWork.Store.Find<T, TId>(id);
        return Task.FromResult(stored is null || !Tenancy.TenantGuard.IsVisible(stored.TenantId, tenant) ? null : Copy(stored));
    }

    /// <inheritdoc/>
    public Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var query = Query(specification, cancellationToken);
        var first = query.FirstOrDefault();
        return Task.FromResult(first is null ? null : Copy(first));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var query = Query(specification, cancellationToken);
        return Task.FromResult<IReadOnlyList<T>>(query.Select(Copy).ToList());
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default)
    {
        var query = Project(specification, cancellationToken);
        return Task.FromResult<IReadOnlyList<TResult>>(query.ToList());
    }

    /// <inheritdoc/>
    public Task<long> CountAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(SpecificationEvaluator.Filter(All(), specification).LongCount());
    }

    /// <inheritdoc/>
    public Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(SpecificationEvaluator.Filter(All(), specification).Any());
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<T> StreamAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        // Validate now (not on first MoveNext) so a bad argument fails at the call site.
        var query = Query(specification, CancellationToken.None);
        return Stream(query.Select(Copy), cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default)
    {
        var query = Project(specification, CancellationToken.None);
        return Stream(query, cancellationToken);
    }

    /// <inheritdoc/>
    public Task AddAsync(T aggregate, CancellationToken cancellationToken = default) => Register(ChangeKind.Add, aggregate, cancellationToken);

    /// <inheritdoc/>
    public Task UpdateAsync(T aggregate, CancellationToken cancellationToken = default) => Register(ChangeKind.Update, aggregate, cancellationToken);

    /// <inheritdoc/>
    public Task RemoveAsync(T aggregate, CancellationToken cancellationToken = default) => Register(ChangeKind.Remove, aggregate, cancellationToken);

    private static T Copy(T stored) => (T)stored.Snapshot();

    private static async IAsyncEnumerable<TItem> Stream<TItem>(IEnumerable<TItem> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private T[] All()
    {
        var tenant = _unitOfWork.CurrentTenant();
        var all = _unitOfWork.Store.All<T, TId>();
        return tenant is null ? all : Array.FindAll(all, a => a.TenantId == tenant);
    }

    private IEnumerable<T> Query(Specification<T> specification, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return SpecificationEvaluator.Evaluate(All(), specification);
    }

    private IEnumerable<TResult> Project<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return SpecificationEvaluator.Evaluate(All(), specification);
    }

    private Task Register(ChangeKind kind, T aggregate, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(aggregate);
        cancellationToken.ThrowIfCancellationRequested();
        _unitOfWork.Register<T, TId>(kind, aggregate);
        return Task.CompletedTask;
    }
}
