using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// The <see cref="IRepository{T, TId}"/> of the EF Core adapter, for every mapped aggregate root type. Specifications
/// run in the database through the shared <see cref="SpecificationEvaluator"/>; writes register with the scope's
/// <see cref="EfUnitOfWork"/>.
/// </summary>
/// <typeparam name="T">The aggregate root type.</typeparam>
/// <typeparam name="TId">Its identifier type.</typeparam>
/// <remarks>
/// <para>
/// Nothing is evaluated on the client: a specification condition the provider cannot translate to SQL throws
/// <see cref="UntranslatableSpecificationException"/> naming the condition, instead of silently loading the table.
/// Computed members of aggregates that have a stored equivalent (e.g. <c>Purchase.TransactionId</c>,
/// <c>Purchase.IsRefund</c>) are rewritten to it first, so specifications may use them.
/// </para>
/// <para>
/// Reads do not track: every aggregate returned is the caller's own copy. Streams read row by row from an open
/// data reader (<c>AsAsyncEnumerable</c>) in bounded memory. Thread-safety is that of the scope's <see cref="DbContext"/>: none.
/// </para>
/// <para>
/// With tenant isolation (<c>UseTenancy()</c>) the context's query filter limits every read to the current tenant, and
/// every call without a current tenant fails at once with <see cref="Tenancy.TenantRequiredException"/>.
/// </para>
/// </remarks>
public sealed class EfRepository<T, TId> : IRepository<T, TId>
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>
{
    private readonly EfUnitOfWork _unitOfWork;

    /// <summary>Creates a repository whose writes <paramref name="unitOfWork"/> commits.</summary>
    /// <param name="unitOfWork">The scope's unit of work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="unitOfWork"/> is null.</exception>
    public EfRepository(EfUnitOfWork unitOfWork) => _unitOfWork = Preconditions.CheckNotNull(unitOfWork);

    private CrmDbContext Context => _unitOfWork.Context;

    /// <inheritdoc/>
    public async Task<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        cancellationToken.ThrowIfCancellationRequested();
        return await Set().Where(ById(id)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var query = Query(specification, cancellationToken);
        return Run(specification, () => query.FirstOrDefaultAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var query = Query(specification, cancellationToken);
        return await Run(specification, () => query.ToListAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default)
    {
        var query = Project(specification, cancellationToken);
        return await Run(specification, () => query.ToListAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<long> CountAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        var query = QueryRewriter.Rewrite(SpecificationEvaluator.GetFilterQuery(Set(), specification), Context);
        return Run(specification, () => query.LongCountAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        var query = QueryRewriter.Rewrite(SpecificationEvaluator.GetFilterQuery(Set(), specification), Context);
        return Run(specification, () => query.AnyAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<T> StreamAsync(Specification<T> specification, CancellationToken cancellationToken = default)
    {
        var query = Query(specification, CancellationToken.None); // validate at the call, not on first MoveNext
        return Stream(specification, query, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken = default)
    {
        var query = Project(specification, CancellationToken.None);
        return Stream(specification, query, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task AddAsync(T aggregate, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(aggregate);
        cancellationToken.ThrowIfCancellationRequested();
        if (Context.CurrentTenant is { } tenant)
        {
            Tenancy.TenantGuard.CheckWritable(aggregate, tenant); // before the early look-up, which would not see another tenant's row anyway
        }
        if (aggregate.Version == 0 && !_unitOfWork.IsPendingAdd<T, TId>(aggregate.Id)
            && await Set().AnyAsync(ById(aggregate.Id), cancellationToken).ConfigureAwait(false))
        {
            // Early, so the caller gets the error at the faulty line; the primary key checks again on commit.
            throw new DuplicateAggregateException(typeof(T).Name, EfUnitOfWork.IdText(aggregate.Id));
        }
        _unitOfWork.Register<T, TId>(ChangeKind.Add, aggregate);
    }

    /// <inheritdoc/>
    public Task UpdateAsync(T aggregate, CancellationToken cancellationToken = default) => Register(ChangeKind.Update, aggregate, cancellationToken);

    /// <inheritdoc/>
    public Task RemoveAsync(T aggregate, CancellationToken cancellationToken = default) => Register(ChangeKind.Remove, aggregate, cancellationToken);

    private Task Register(ChangeKind kind, T aggregate, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(aggregate);
        cancellationToken.ThrowIfCancellationRequested();
        _unitOfWork.Register<T, TId>(kind, aggregate);
        return Task.CompletedTask;
    }

    private IQueryable<T> Set()
    {
        if (Context.Model.FindEntityType(typeof(T)) is null)
        {
            throw new UnmappedAggregateException(typeof(T));
        }
        // The query filter would also fail without a tenant, but wrapped by EF Core: fail here, plainly, at the call.
        _ = Context.CurrentTenant;
        return Context.Set<T>().AsNoTracking();
    }

    private static Expression<Func<T, bool>> ById(TId id)
    {
        // a => a.Id == id, with id as a parameter (a closure field), never inlined into the SQL text.
        var parameter = Expression.Parameter(typeof(T), "a");
        var holder = new IdHolder(id);
        var value = Expression.Field(Expression.Constant(holder), nameof(IdHolder.Value));
        return Expression.Lambda<Func<T, bool>>(Expression.Equal(Expression.Property(parameter, nameof(AggregateRoot<TId>.Id)), value), parameter);
    }

    private IQueryable<T> Query(Specification<T> specification, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryRewriter.Rewrite(SpecificationEvaluator.GetQuery(Set(), specification), Context);
    }

    private IQueryable<TResult> Project<TResult>(Specification<T, TResult> specification, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotNull(specification);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryRewriter.Rewrite(SpecificationEvaluator.GetQuery(Set(), specification), Context);
    }

    private async Task<TResult> Run<TResult>(Specification<T> specification, Func<Task<TResult>> execute)
    {
        try
        {
            return await execute().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
        {
            throw UntranslatableSpecificationException.For(Set(), specification, ex, Context);
        }
    }

    private async IAsyncEnumerable<TItem> Stream<TItem>(Specification<T> specification, IQueryable<TItem> query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<TItem> enumerator;
        try
        {
            enumerator = query.AsAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
        }
        catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
        {
            throw UntranslatableSpecificationException.For(Set(), specification, ex, Context);
        }
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                // Providers may serve buffered rows without looking at the token; a stream must stop when asked.
                cancellationToken.ThrowIfCancellationRequested();
                bool moved;
                try
                {
                    moved = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
                {
                    throw UntranslatableSpecificationException.For(Set(), specification, ex, Context);
                }
                if (!moved)
                {
                    yield break;
                }
                yield return enumerator.Current;
            }
        }
    }

    private sealed class IdHolder(TId value)
    {
        public readonly TId Value = value;
    }
}
