using System.Runtime.CompilerServices;
using Crm.Core.Customers;
using Crm.Core.Specifications;
using Crm.Core.Storage;

namespace Crm.Core.Duplicates;

/// <summary>
/// Finds possible duplicates of a customer in the store (at registration and import), and scans the whole store for
/// candidate pairs (a periodic clean-up job). Resolve it from dependency injection (registered by <c>AddCrmCore()</c>).
/// </summary>
/// <remarks>
/// <para>
/// Look-ups go through the exact-match specifications (<see cref="CustomersByEmail"/>, <see cref="CustomersByPhone"/>,
/// <see cref="CustomerByExternalId"/>, and <see cref="CustomersByPostalCode"/> for the fuzzy rule), which a database
/// store answers from an index. Merged records (tombstones) are never reported: a match on one is reported as its
/// survivor.
/// </para>
/// <para>Results hold ids, scores and rule names only, never the matching values. Not thread-safe (one per scope).</para>
/// </remarks>
public sealed class DuplicateFinder
{
    private readonly IReadRepository<Customer, CustomerId> _customers;

    /// <summary>Creates the finder over a store.</summary>
    /// <param name="customers">The customers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> is null.</exception>
    public DuplicateFinder(IReadRepository<Customer, CustomerId> customers) => _customers = Preconditions.CheckNotNull(customers);

    /// <summary>The stored customers that may duplicate <paramref name="customer"/> (which need not be stored yet).</summary>
    /// <param name="customer">The customer to check.</param>
    /// <param name="rules">The rules; <see cref="DuplicateRules.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    /// <returns>The candidates, best score first (then by id); never <paramref name="customer"/> itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/> is null.</exception>
    public async Task<IReadOnlyList<DuplicateCandidate>> FindAsync(Customer customer, DuplicateRules? rules = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(customer);
        rules ??= DuplicateRules.Default;
        var probe = MatchProfile.Of(customer);
        var found = new Dictionary<CustomerId, Customer>();

        async Task CollectAsync(Specification<Customer> specification)
        {
            foreach (var match in await _customers.ListAsync(specification, cancellationToken).ConfigureAwait(false))
            {
                var current = await MergeRedirects.FollowAsync(_customers, match, cancellationToken).ConfigureAwait(false);
                if (current is not null && current.Id != customer.Id)
                {
                    found.TryAdd(current.Id, current);
                }
            }
        }

        if (rules.EmailWeight > 0)
        {
            foreach (var email in customer.Emails)
            {
                await CollectAsync(new CustomersByEmail(email.Address)).ConfigureAwait(false);
            }
        }
        if (rules.PhoneWeight > 0)
        {
            foreach (var phone in customer.Phones.Where(p => p.Number.IsValid))
            {
                await CollectAsync(new CustomersByPhone(phone.Number)).ConfigureAwait(false);
            }
        }
        if (rules.ExternalIdWeight > 0)
        {
            foreach (var (system, id) in customer.ExternalIds)
            {
                await CollectAsync(new CustomerByExternalId(system, id)).ConfigureAwait(false);
            }
        }
        if (rules.FuzzyName is { Weight: > 0 })
        {
            foreach (var address in customer.PostalAddresses.Select(p => p.Address).Where(a => a.PostalCode is not null))
            {
                await CollectAsync(new CustomersByPostalCode(address.CountryCode, address.PostalCode!)).ConfigureAwait(false);
            }
        }

        // A survivor found through a tombstone is compared with everything it holds now, like any other candidate.
        var candidates = new List<DuplicateCandidate>();
        foreach (var other in found.Values)
        {
            if (rules.Compare(probe, MatchProfile.Of(other)) is { } candidate)
            {
                candidates.Add(candidate);
            }
        }
        candidates.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.CustomerId.CompareTo(b.CustomerId));
        return candidates;
    }

    /// <summary>
    /// Scans every customer for candidate pairs, streaming: customers are read one at a time and only a compact match
    /// profile of each is kept, and two customers are compared only when they share a blocking key (an email, a phone, an
    /// external id, or a postal code when the fuzzy rule is on), so the work grows with the number of customers
    /// sharing keys, not with its square.
    /// </summary>
    /// <param name="rules">The rules; <see cref="DuplicateRules.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>Each pair once, as soon as its second customer is read (in customer id order); merged records are skipped.</returns>
    /// <remarks>Keys shared by more than <see cref="DuplicateRules.MaxBlockSize"/> customers are not used for comparisons once that size is reached.</remarks>
    public async IAsyncEnumerable<DuplicatePair> ScanAsync(DuplicateRules? rules = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        rules ??= DuplicateRules.Default;
        var blocks = new Dictionary<string, List<MatchProfile>>(StringComparer.Ordinal);
        var compared = new HashSet<CustomerId>();
        await foreach (var customer in _customers.StreamAsync(new AllCustomersById(), cancellationToken).ConfigureAwait(false))
        {
            if (customer.IsMerged)
            {
                continue;
            }
            var profile = MatchProfile.Of(customer);
            compared.Clear();
            var pairs = new List<DuplicatePair>();
            foreach (var key in profile.BlockingKeys(rules).Distinct(StringComparer.Ordinal))
            {
                if (!blocks.TryGetValue(key, out var block))
                {
                    blocks.Add(key, block = new List<MatchProfile>(1));
                }
                if (block.Count >= rules.MaxBlockSize)
                {
                    continue; // an uninformative key: stop growing (and comparing within) it
                }
                foreach (var earlier in block)
                {
                    if (compared.Add(earlier.CustomerId) && rules.Compare(earlier, profile) is { } candidate)
                    {
                        pairs.Add(new DuplicatePair(earlier.CustomerId, profile.CustomerId, candidate.Score, candidate.Evidence));
                    }
                }
                block.Add(profile);
            }
            pairs.Sort(static (a, b) => a.First.CompareTo(b.First));
            foreach (var pair in pairs)
            {
                yield return pair;
            }
        }
    }

    private sealed class AllCustomersById : Specification<Customer>
    {
        public AllCustomersById() => Query.OrderBy(c => c.Id);
    }
}
