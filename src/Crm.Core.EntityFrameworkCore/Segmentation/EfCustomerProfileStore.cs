using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Segmentation;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Segmentation;

/// <summary>
/// Customer profiles in the database (<c>customer_profiles</c> and its child tables): segment rules run as SQL
/// (<c>WHERE</c> translated from <see cref="Criterion{T}.Expression"/>), so a refresh reads member ids, never profiles.
/// Registered per scope by <c>UseEntityFrameworkCore</c> as the <see cref="ICustomerProfileStore"/>.
/// </summary>
/// <remarks>
/// A rule the provider cannot translate fails with <see cref="UntranslatableSpecificationException"/> naming the
/// smallest condition that does not translate; nothing is ever evaluated on the client. Writes are one transaction
/// each and leave the scope's change tracker empty, so they never mix with a pending unit of work. Not thread-safe
/// (one <see cref="DbContext"/> per scope).
/// <para>With tenant isolation every read, rule and delete is limited to the current tenant by the context's query filter,
/// upserts write the current tenant into <c>tenant_id</c>, and an upsert for a customer id whose profile belongs to another
/// tenant fails with <see cref="TenantMismatchException"/> before anything is written. Without a current tenant every call
/// fails with <see cref="TenantRequiredException"/>.</para>
/// </remarks>
public sealed class EfCustomerProfileStore : ICustomerProfileStore
{
    private readonly CrmDbContext _context;

    /// <summary>Creates the store over the scope's context.</summary>
    /// <param name="context">The scope's context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public EfCustomerProfileStore(CrmDbContext context) => _context = Preconditions.CheckNotNull(context);

    private IQueryable<CustomerProfile> Profiles
    {
        get
        {
            _ = _context.CurrentTenant; // fails plainly without a tenant (the query filter would, wrapped by EF Core)
            return _context.Set<CustomerProfile>().AsNoTracking();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        return Profiles.AsSplitQuery().FirstOrDefaultAsync(p => p.CustomerId == customerId, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="UntranslatableSpecificationException">A condition of the rule cannot be translated to SQL.</exception>
    public IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        Preconditions.CheckPositive(batchSize);
        var query = Profiles.Where(criterion.Expression).Select(p => p.CustomerId);
        return Stream(criterion, query, batchSize, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    /// <exception cref="UntranslatableSpecificationException">A condition of the rule cannot be translated to SQL.</exception>
    public async Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        try
        {
            return await Profiles.Where(criterion.Expression).LongCountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
        {
            throw Untranslatable(criterion, ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The profile's customer id is default.</exception>
    public async Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckArgument(!profile.CustomerId.IsDefault, nameof(profile), "The profile has no customer id; set CustomerId first.");
        // A copy: the caller keeps its instance, and EF never tracks (or later mutates) an object the caller holds.
        var copy = profile.Copy();
        var tenant = _context.CurrentTenant;
        var id = copy.CustomerId;
        await WriteAsync(async () =>
        {
            await CheckNotForeignAsync(tenant, p => p.CustomerId == id, cancellationToken).ConfigureAwait(false);
            await DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            Add(copy, tenant);
            await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores or replaces many profiles at once (a nightly rebuild, a first load): one transaction and one round of
    /// statements per batch instead of one per profile. Each batch is all-or-nothing; batches already committed stay.
    /// </summary>
    /// <param name="profiles">The profiles; the store keeps its own copies. A customer appearing twice keeps the last.</param>
    /// <param name="batchSize">Profiles per transaction, 1..10,000.</param>
    /// <param name="cancellationToken">Cancels between and within batches.</param>
    /// <returns>How many profiles were written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="profiles"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException">A profile has no customer id.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    public async Task<long> UpsertManyAsync(IEnumerable<CustomerProfile> profiles, int batchSize = 1000, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(profiles);
        Preconditions.CheckArgumentRange(nameof(batchSize), batchSize, 1, 10_000);
        _ = _context.CurrentTenant;
        long written = 0;
        var batch = new Dictionary<CustomerId, CustomerProfile>(batchSize);
        foreach (var profile in profiles)
        {
            Preconditions.CheckArgument(profile is not null, nameof(profiles), "The profiles must not contain null.");
            Preconditions.CheckArgument(!profile.CustomerId.IsDefault, nameof(profiles), "A profile has no customer id; set CustomerId first.");
            batch[profile.CustomerId] = profile.Copy();
            if (batch.Count == batchSize)
            {
                written += await WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        if (batch.Count > 0)
        {
            written += await WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        return written;
    }

    private async Task<int> WriteBatchAsync(Dictionary<CustomerId, CustomerProfile> batch, CancellationToken cancellationToken)
    {
        var ids = batch.Keys.ToList();
        var tenant = _context.CurrentTenant;
        await WriteAsync(async () =>
        {
            await CheckNotForeignAsync(tenant, p => ids.Contains(p.CustomerId), cancellationToken).ConfigureAwait(false);
            await DeleteAsync(p => ids.Contains(p.CustomerId), cancellationToken).ConfigureAwait(false);
            foreach (var profile in batch.Values)
            {
                Add(profile, tenant);
            }
            await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        var count = batch.Count;
        batch.Clear();
        return count;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        _ = _context.CurrentTenant;
        return WriteAsync(() => DeleteAsync(customerId, cancellationToken), cancellationToken);
    }

    private void Add(CustomerProfile profile, TenantId? tenant)
    {
        var entry = _context.Add(profile);
        if (tenant is not null)
        {
            entry.Property<TenantId?>(CrmDbContext.TenantProperty).CurrentValue = tenant;
        }
    }

    // Customer ids are global: a profile row of another tenant with the same id is invisible to the filtered delete, so the
    // insert would collide with it. Refuse first, naming only the id (never the other tenant or its data).
    private async Task CheckNotForeignAsync(TenantId? tenant, Expression<Func<CustomerProfile, bool>> which, CancellationToken cancellationToken)
    {
        if (tenant is not { } current)
        {
            return;
        }
        var foreign = await _context.Set<CustomerProfile>().IgnoreQueryFilters().AsNoTracking().Where(which)
            .Where(p => EF.Property<TenantId?>(p, CrmDbContext.TenantProperty) != current)
            .Select(p => (CustomerId?)p.CustomerId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (foreign is { } id)
        {
            throw InMemoryCustomerProfileStore.Foreign(id, current);
        }
    }

    private Task DeleteAsync(CustomerId customerId, CancellationToken cancellationToken) =>
        DeleteAsync(p => p.CustomerId == customerId, cancellationToken);

    // Child rows first: ExecuteDelete bypasses the change tracker, so EF's cascade does not run for it.
    private async Task DeleteAsync(Expression<Func<CustomerProfile, bool>> which, CancellationToken cancellationToken)
    {
        var profiles = _context.Set<CustomerProfile>().Where(which);
        await profiles.SelectMany(p => p.Attributes).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await profiles.SelectMany(p => p.PurchaseStats).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await profiles.SelectMany(p => p.PurchaseDays).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await profiles.SelectMany(p => p.Holdings).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await profiles.SelectMany(p => p.ConsentPeriods).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await profiles.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        // Inside a transaction the host opened on this context (as EfUnitOfWork allows) the write joins it and the host
        // commits; otherwise the write is its own transaction.
        var transaction = _context.Database.CurrentTransaction is null
            ? await _context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            await write().ConfigureAwait(false);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _context.ChangeTracker.Clear();
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async IAsyncEnumerable<IReadOnlyList<CustomerId>> Stream(Criterion<CustomerProfile> criterion, IQueryable<CustomerId> query, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<CustomerId> enumerator;
        try
        {
            enumerator = query.AsAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
        }
        catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
        {
            throw Untranslatable(criterion, ex);
        }
        await using (enumerator.ConfigureAwait(false))
        {
            var batch = new List<CustomerId>(Math.Min(batchSize, 4096));
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (InvalidOperationException ex) when (UntranslatableSpecificationException.IsTranslationFailure(ex))
                {
                    throw Untranslatable(criterion, ex);
                }
                if (!more)
                {
                    break;
                }
                cancellationToken.ThrowIfCancellationRequested();
                batch.Add(enumerator.Current);
                if (batch.Count == batchSize)
                {
                    yield return batch;
                    batch = new List<CustomerId>(Math.Min(batchSize, 4096));
                }
            }
            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
    }

    // Names the smallest failing condition: splits the rule at AND, OR and NOT and tries each part on its own.
    private UntranslatableSpecificationException Untranslatable(Criterion<CustomerProfile> criterion, InvalidOperationException ex)
    {
        var parameter = criterion.Expression.Parameters[0];
        var failing = Smallest(criterion.Expression.Body) ?? criterion.Expression.Body;
        return new UntranslatableSpecificationException("segment rule", failing.ToString(), ex);

        Expression? Smallest(Expression node)
        {
            if (Translates(node))
            {
                return null;
            }
            var parts = node switch
            {
                BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } b => new[] { b.Left, b.Right },
                UnaryExpression { NodeType: ExpressionType.Not } u => [u.Operand],
                _ => [],
            };
            foreach (var part in parts)
            {
                if (Smallest(part) is { } inner)
                {
                    return inner;
                }
            }
            return node;
        }

        bool Translates(Expression body)
        {
            try
            {
                _ = Profiles.Where(Expression.Lambda<Func<CustomerProfile, bool>>(body, parameter)).ToQueryString();
                return true;
            }
            catch (InvalidOperationException e) when (UntranslatableSpecificationException.IsTranslationFailure(e))
            {
                return false;
            }
        }
    }
}
