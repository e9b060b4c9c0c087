using System.Runtime.CompilerServices;
using Crm.Core.Customers;

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
/// </remarks>
public sealed class InMemoryCustomerProfileStore : ICustomerProfileStore
{
    private readonly ProfileTable _table = new();
    private readonly Lock _gate = new();

    /// <summary>How many profiles are stored.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _table.Count;
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        CustomerProfile? profile;
        lock (_gate)
        {
            profile = _table.Find(customerId);
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
        return Stream(criterion, batchSize, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    public Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_table.CountMatching(criterion));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The profile's customer id is default.</exception>
    public Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckArgument(!profile.CustomerId.IsDefault, nameof(profile), "The profile has no customer id; set CustomerId first.");
        cancellationToken.ThrowIfCancellationRequested();
        var copy = profile.Copy();
        lock (_gate)
        {
            _table.Upsert(copy);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _table.Remove(customerId);
        }
        return Task.CompletedTask;
    }

    private async IAsyncEnumerable<IReadOnlyList<CustomerId>> Stream(Criterion<CustomerProfile> criterion, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<CustomerId> matches;
        lock (_gate)
        {
            matches = _table.Match(criterion);
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
