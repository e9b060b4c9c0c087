using Crm.Core.Specifications;
using Crm.Core.Storage;

namespace Crm.Core.Tests.Duplicates;

/// <summary>Runs an action once, the first time it is triggered (a concurrent writer in a race test).</summary>
internal sealed class RaceOnce
{
    public Func<Task>? Action { get; set; }

    public async Task TriggerAsync()
    {
        if (Action is { } action)
        {
            Action = null;
            await action();
        }
    }
}

/// <summary>A repository that lets a concurrent writer in when the first list query runs.</summary>
internal sealed class RacingRepository<T, TId>(IRepository<T, TId> inner, RaceOnce race) : IRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    public async Task<IReadOnlyList<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var result = await inner.ListAsync(specification, cancellationToken);
        await race.TriggerAsync();
        return result;
    }

    public Task<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default) => inner.GetByIdAsync(id, cancellationToken);

    public Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.FirstOrDefaultAsync(specification, cancellationToken);

    public Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default) => inner.ListAsync(specification, cancellationToken);

    public Task<long> CountAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.CountAsync(specification, cancellationToken);

    public Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.AnyAsync(specification, cancellationToken);

    public IAsyncEnumerable<T> StreamAsync(Specification<T> specification, CancellationToken cancellationToken = default) => inner.StreamAsync(specification, cancellationToken);

    public IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default) => inner.StreamAsync(specification, cancellationToken);

    public Task AddAsync(T aggregate, CancellationToken cancellationToken = default) => inner.AddAsync(aggregate, cancellationToken);

    public Task UpdateAsync(T aggregate, CancellationToken cancellationToken = default) => inner.UpdateAsync(aggregate, cancellationToken);

    public Task RemoveAsync(T aggregate, CancellationToken cancellationToken = default) => inner.RemoveAsync(aggregate, cancellationToken);
}
