using System.Collections.ObjectModel;
using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>Customers who held a number of products at the start of a period, and how many of them left.</summary>
/// <param name="Label">"1", "2" or "3+".</param>
/// <param name="ProductsHeld">The smallest number of products in the bucket (1, 2 or 3).</param>
/// <param name="Customers">Customers holding that many products at the start of the period.</param>
/// <param name="Churned">Of those, customers holding no product at the end of the period.</param>
public sealed record HoldingsBucket(string Label, int ProductsHeld, int Customers, int Churned)
{
    /// <summary>Churned ÷ customers; 0 for an empty bucket.</summary>
    public double ChurnRate => Customers == 0 ? 0.0 : (double)Churned / Customers;
}

/// <summary>The churn-by-products-held report over a period (see <see cref="HoldingsAnalysis.ChurnByProductsHeld"/>).</summary>
/// <param name="From">The first day of the period: products held on this day decide the bucket.</param>
/// <param name="To">The last day: a customer holding nothing on this day has churned.</param>
/// <param name="Buckets">The buckets 1, 2 and 3+, in that order.</param>
public sealed record HoldingsReport(LocalDate From, LocalDate To, IReadOnlyList<HoldingsBucket> Buckets);

/// <summary>A group of related product categories for cross-selling (e.g. "everyday banking": current account, savings, credit card).</summary>
/// <remarks>Immutable; categories are compared ordinally.</remarks>
public sealed class CategoryFamily
{
    /// <summary>Creates a family.</summary>
    /// <param name="name">The family's name.</param>
    /// <param name="categories">At least two distinct, non-blank categories.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name is blank, a category is blank, or there are fewer than two categories.</exception>
    public CategoryFamily(string name, params IEnumerable<string> categories)
    {
        Name = Preconditions.CheckNotBlank(name);
        Preconditions.CheckNotNull(categories);
        var list = categories.ToList();
        Preconditions.CheckArgument(list.TrueForAll(c => !string.IsNullOrWhiteSpace(c)), nameof(categories), "Categories must not be null or blank.");
        var distinct = list.Distinct(StringComparer.Ordinal).ToArray();
        Preconditions.CheckArgument(distinct.Length >= 2, nameof(categories), "A family needs at least two distinct categories to cross-sell between.");
        Categories = new ReadOnlyCollection<string>(distinct);
    }

    /// <summary>The family's name.</summary>
    public string Name { get; }

    /// <summary>The categories, in the order given.</summary>
    public IReadOnlyList<string> Categories { get; }
}

/// <summary>A customer who holds some but not all of a family's products: a cross-sell candidate.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="ProductsHeld">Products held in the family's categories.</param>
/// <param name="HeldCategories">The family's categories the customer holds.</param>
/// <param name="MissingCategories">The family's categories the customer does not hold: what to offer.</param>
public sealed record CrossSellCandidate(CustomerId CustomerId, int ProductsHeld, IReadOnlyList<string> HeldCategories, IReadOnlyList<string> MissingCategories);

/// <summary>
/// Product-holding analysis over the segmentation read model (<see cref="CustomerProfile.Holdings"/>): churn by the
/// number of products held, and cross-sell candidates. In retail banking customers holding one product leave at about
/// 50 % a year, two about 33 %, three or more about 10 %: <see cref="ChurnByProductsHeld"/> computes the same
/// figures on the host's own data.
/// </summary>
/// <remarks>
/// A holding counts as held on day d when it was opened on or before d (or its opening day is unknown) and it was
/// not closed by d: closed after d when it has a closing day, otherwise still active. Both methods stream: one pass,
/// memory independent of the number of customers (apart from the candidates returned). Thread-safe (stateless).
/// </remarks>
public static class HoldingsAnalysis
{
    /// <summary>
    /// Buckets customers by the products they held on <paramref name="from"/> (1, 2, 3+; customers holding none are
    /// left out) and counts, per bucket, those holding no product on <paramref name="to"/>.
    /// </summary>
    /// <param name="customers">Every customer's profile.</param>
    /// <param name="from">The first day of the period.</param>
    /// <param name="to">The last day of the period; after <paramref name="from"/>.</param>
    /// <returns>The report with the three buckets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static HoldingsReport ChurnByProductsHeld(IEnumerable<CustomerProfile> customers, LocalDate from, LocalDate to)
    {
        Preconditions.CheckNotNull(customers);
        Preconditions.CheckArgument(to > from, nameof(to), "The period must end after it starts.");
        Span<int> counts = stackalloc int[3];
        Span<int> churned = stackalloc int[3];
        foreach (var profile in customers)
        {
            Preconditions.CheckArgument(profile is not null, nameof(customers), "The customers must not contain null.");
            var held = CountHeld(profile.Holdings, from, null);
            if (held == 0)
            {
                continue;
            }
            var bucket = Math.Min(held, 3) - 1;
            counts[bucket]++;
            if (CountHeld(profile.Holdings, to, null) == 0)
            {
                churned[bucket]++;
            }
        }
        return new HoldingsReport(from, to,
        [
            new HoldingsBucket("1", 1, counts[0], churned[0]),
            new HoldingsBucket("2", 2, counts[1], churned[1]),
            new HoldingsBucket("3+", 3, counts[2], churned[2]),
        ]);
    }

    /// <summary>
    /// Customers holding at least <paramref name="minProducts"/> and at most <paramref name="maxProducts"/> products in
    /// <paramref name="family"/>'s categories on <paramref name="asOf"/>, with the categories they still lack.
    /// </summary>
    /// <param name="customers">Every customer's profile.</param>
    /// <param name="family">The category family.</param>
    /// <param name="asOf">The day holdings are judged on.</param>
    /// <param name="minProducts">Fewest products held (default 1).</param>
    /// <param name="maxProducts">Most products held (default 2).</param>
    /// <returns>The candidates, lazily, in input order; customers already holding every category are never candidates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> or <paramref name="family"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are below 1 or out of order.</exception>
    public static IEnumerable<CrossSellCandidate> CrossSellCandidates(IEnumerable<CustomerProfile> customers, CategoryFamily family, LocalDate asOf,
        int minProducts = 1, int maxProducts = 2)
    {
        Preconditions.CheckNotNull(customers);
        Preconditions.CheckNotNull(family);
        Preconditions.CheckArgumentRange(nameof(minProducts), minProducts, 1, 1000);
        Preconditions.CheckArgumentRange(nameof(maxProducts), maxProducts, minProducts, 1000);
        return Iterate(customers, family, asOf, minProducts, maxProducts);
    }

    private static IEnumerable<CrossSellCandidate> Iterate(IEnumerable<CustomerProfile> customers, CategoryFamily family, LocalDate asOf, int min, int max)
    {
        foreach (var profile in customers)
        {
            Preconditions.CheckArgument(profile is not null, nameof(customers), "The customers must not contain null.");
            var holdings = profile.Holdings ?? []; // a profile built by hand may leave its lists null: none held
            var held = CountHeld(holdings, asOf, family.Categories);
            if (held < min || held > max)
            {
                continue;
            }
            var heldCategories = family.Categories.Where(c => holdings.Exists(h => h is not null && IsHeld(h, asOf) && string.Equals(h.Category, c, StringComparison.Ordinal))).ToArray();
            if (heldCategories.Length == family.Categories.Count)
            {
                continue;
            }
            var missing = family.Categories.Except(heldCategories, StringComparer.Ordinal).ToArray();
            yield return new CrossSellCandidate(profile.CustomerId, held, heldCategories, missing);
        }
    }

    private static int CountHeld(List<ProfileHolding>? holdings, LocalDate day, IReadOnlyList<string>? categories)
    {
        var count = 0;
        foreach (var holding in holdings ?? [])
        {
            if (holding is not null && IsHeld(holding, day) && (categories is null || categories.Contains(holding.Category, StringComparer.Ordinal)))
            {
                count++;
            }
        }
        return count;
    }

    private static bool IsHeld(ProfileHolding holding, LocalDate day) =>
        (holding.OpenedOn is null || holding.OpenedOn.Value <= day)
        && (holding.ClosedOn is { } closed ? day < closed : holding.IsActive);
}
