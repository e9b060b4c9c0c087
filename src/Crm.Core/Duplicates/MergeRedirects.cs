using Crm.Core.Customers;
using Crm.Core.Storage;

namespace Crm.Core.Duplicates;

/// <summary>Following a merged record's redirects to the customer it stands for now.</summary>
internal static class MergeRedirects
{
    /// <summary>
    /// The customer <paramref name="customer"/>'s merges lead to: the customer itself when it was never merged; null
    /// when it is null, when a redirect names a record that is not stored, or when the redirects run in a circle (a
    /// damaged store).
    /// </summary>
    /// <remarks>
    /// There is no hop limit: every merge of a survivor into another customer adds a hop, and nothing bounds how often
    /// that happens. A circle is caught by remembering the records already passed instead.
    /// </remarks>
    public static async Task<Customer?> FollowAsync(IReadRepository<Customer, CustomerId> customers, Customer? customer, CancellationToken cancellationToken)
    {
        HashSet<CustomerId>? passed = null;
        while (customer?.MergedInto is { } next)
        {
            passed ??= [customer.Id];
            if (!passed.Add(next))
            {
                return null;
            }
            customer = await customers.GetByIdAsync(next, cancellationToken).ConfigureAwait(false);
        }
        return customer;
    }
}
