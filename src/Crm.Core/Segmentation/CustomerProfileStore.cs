using System.Collections.Concurrent;
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
/// A thread-safe in-memory <see cref="ICustomerProfileStore"/>: the default for tests and the demo. It stores copies,
/// so a caller cannot change a stored profile through a reference it still holds.
/// </summary>
public sealed class InMemoryCustomerProfileStore : ICustomerProfileStore
{
    private readonly ConcurrentDictionary<CustomerId, CustomerProfile> _profiles = new();

    /// <summary>How many profiles are stored.</summary>
    public int Count => _profiles.Count;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_profiles.TryGetValue(customerId, out var profile) ? profile.Copy() : null);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        Preconditions.CheckPositive(batchSize);
        return Stream(criterion.Compiled, batchSize, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="criterion"/> is null.</exception>
    public Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(criterion);
        cancellationToken.ThrowIfCancellationRequested();
        var predicate = criterion.Compiled;
        long count = 0;
        foreach (var profile in _profiles.Values)
        {
            if (predicate(profile))
            {
                count++;
            }
        }
        return Task.FromResult(count);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The profile's customer id is default.</exception>
    public Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckArgument(!profile.CustomerId.IsDefault, nameof(profile), "The profile has no customer id; set CustomerId first.");
        cancellationToken.ThrowIfCancellationRequested();
        _profiles[profile.CustomerId] = profile.Copy();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        cancellationToken.ThrowIfCancellationRequested();
        _profiles.TryRemove(customerId, out _);
        return Task.CompletedTask;
    }

    private async IAsyncEnumerable<IReadOnlyList<CustomerId>> Stream(Func<CustomerProfile, bool> predicate, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<CustomerId>(Math.Min(batchSize, 4096));
        foreach (var profile in _profiles.Values)
        {
            if (predicate(profile))
            {
                batch.Add(profile.CustomerId);
                if (batch.Count == batchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return batch;
                    batch = new List<CustomerId>(Math.Min(batchSize, 4096));
                    await Task.Yield();
                }
            }
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
