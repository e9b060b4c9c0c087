using System.Runtime.CompilerServices;
using Crm.Core.Customers;
using Crm.Core.Tenancy;

namespace Crm.Core.Segmentation;

/// <summary>
/// Where customer profiles live for segmentation. A database adapter implements it by running
/// <see cref="Criterion{T}.Expression"/> as SQL (<c>profiles.Where(criterion.Expression)</c>); the in-memory
/// implementation runs the compiled delegate.
/// </summary>
public interface ICustomerProfileStore
{
    /// <summary>The profile of one customer, or null when there is none.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default);

    /// <summary>Streams the ids of the customers whose profile satisfies <paramref name="criterion"/>, in batches.</summary>
    /// <param name="criterion">The compiled rule.</param>
    /// <param name="batchSize">At most this many ids per batch.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>Counts the profiles that satisfy <paramref name="criterion"/>.</summary>
    /// <param name="criterion">The compiled rule.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default);

    /// <summary>Stores or replaces a customer's profile (the projector that builds profiles calls this).</summary>
    /// <param name="profile">The profile; the store keeps its own copy.</param>
    /// <exception cref="ArgumentException">The profile's customer id is default or one of its lists contains null.</exception>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default);

    /// <summary>Removes a customer's profile, if there is one.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default);
}

/// <summary>
/// A thread-safe in-memory <see cref="ICustomerProfileStore"/>: the default for tests, the demo and hosts that keep
/// profiles in memory. It stores copies, so a caller cannot change a stored profile through a reference it still holds.
/// </summary>
/// <remarks>
/// <para>Full evaluations (<see cref="StreamMatchingAsync"/>, which a segment refresh uses, and <see cref="CountAsync"/>,
/// which previews use) run over a columnar copy of the profile fields the criterion reads, not over the profile
/// objects: every largest sub-condition on one field is decided once per distinct value of that field and the scan
/// is a table look-up per profile, conditions ordered cheapest first. The members are exactly those of
/// <see cref="Criterion{T}.IsSatisfiedBy"/> (property-tested). The first evaluation that reads a field builds its
/// column (one pass over the profiles); upserts and removals keep built columns up to date.</para>
/// <para>One lock guards the store; an evaluation holds it for the scan only (ids are collected, then streamed).</para>
/// <para>With an <see cref="ITenantContext"/> (tenancy on) each tenant's profiles live in a table of their own, so an
/// evaluation never even scans another tenant's rows; upserts go to the current tenant's table. Customer ids are global:
/// upserting a profile whose customer id is stored under another tenant is refused with <see cref="TenantMismatchException"/>;
/// finding or removing it behaves as if it did not exist.</para>
/// </remarks>
public sealed class InMemoryCustomerProfileStore : ICustomerProfileStore
{
    private readonly ProfileTable _table = new();
    private readonly Lock _gate = new();
    private readonly ITenantContext? _tenantContext;
    private readonly Dictionary<TenantId, ProfileTable> _tenantTables = new();
    private readonly Dictionary<CustomerId, TenantId> _owners = new();

    /// <summary>Creates a store without tenant isolation.</summary>
    public InMemoryCustomerProfileStore()
    {
    }

    /// <summary>Creates a tenant-isolated store: every call reads and writes only the current tenant's profiles.</summary>
    /// <param name="tenantContext">Supplies the current tenant.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tenantContext"/> is null.</exception>
    public InMemoryCustomerProfileStore(ITenantContext tenantContext) => _tenantContext = Preconditions.CheckNotNull(tenantContext);

    /// <summary>How many profiles are stored, of every tenant.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _table.Count + _tenantTables.Values.Sum(t => t.Count);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = TenantGuard.Current(_tenantContext);
        CustomerProfile? profile;
        lock (_gate)
        {
            profile = TableOrNull(tenant)?.Find(customerId);
        }
        // Stored rows are never mutated (upserts replace them), so copying outside the lock is safe.
        return Task.FromResult(profile?.Copy());
    }

    /// <inheritdoc/>
    /// <remarks>The ids are those matching when the stream starts (one consistent scan), in storage order.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        Preconditions.CheckPositive(batchSize);
        return Stream(criterion, TenantGuard.Current(_tenantContext), batchSize, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    public Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = TenantGuard.Current(_tenantContext);
        lock (_gate)
        {
            return Task.FromResult(TableOrNull(tenant)?.CountMatching(criterion) ?? 0L);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The profile's customer id is default or one of its lists contains null.</exception>
    public Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckArgument(!profile.CustomerId.IsDefault, nameof(profile), "The profile has no customer id; set CustomerId first.");
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = TenantGuard.Current(_tenantContext);
        if (tenant is not { } current)
        {
            var copy = profile.Copy();
            lock (_gate)
            {
                _table.Upsert(copy);
            }
            return Task.CompletedTask;
        }
        var owned = profile.Copy();
        lock (_gate)
        {
            if (_owners.TryGetValue(owned.CustomerId, out var owner) && owner != current)
            {
                throw Foreign(owned.CustomerId, current);
            }
            if (!_tenantTables.TryGetValue(current, out var table))
            {
                table = new ProfileTable();
                _tenantTables.Add(current, table);
            }
            table.Upsert(owned);
            _owners[owned.CustomerId] = current;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        var tenant = TenantGuard.Current(_tenantContext);
        lock (_gate)
        {
            if (TableOrNull(tenant)?.Remove(customerId) == true && tenant is not null)
            {
                _owners.Remove(customerId);
            }
        }
        return Task.CompletedTask;
    }

    internal static TenantMismatchException Foreign(CustomerId customerId, TenantId current) =>
        new($"{nameof(CustomerProfile)} '{customerId}'", current);

    /// <summary>The table of <paramref name="tenant"/> (the shared one when tenancy is off), or null when it has none. Call under the lock.</summary>
    private ProfileTable? TableOrNull(TenantId? tenant) =>
        tenant is { } t ? _tenantTables.GetValueOrDefault(t) : _table;

    private async IAsyncEnumerable<IReadOnlyList<CustomerId>> Stream(Criterion<CustomerProfile> criterion, TenantId? tenant, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<CustomerId> matches;
        lock (_gate)
        {
            matches = TableOrNull(tenant)?.Match(criterion) ?? [];
        }
        for (var start = 0; start < matches.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return matches.GetRange(start, Math.Min(batchSize, matches.Count - start));
            if (start + batchSize < matches.Count)
            {
                await Task.Yield();
            }
        }
    }
}
