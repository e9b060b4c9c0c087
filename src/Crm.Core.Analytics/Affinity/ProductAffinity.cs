using Crm.Core.Customers;
using Crm.Core.Purchases;

namespace Crm.Core.Analytics.Affinity;

/// <summary>What one "transaction" of the association analysis is.</summary>
public enum AffinityBasis
{
    /// <summary>Each purchase (basket) is one transaction: "bought together".</summary>
    Basket = 0,

    /// <summary>Everything a customer ever bought is one transaction: "bought by the same customers".</summary>
    Customer = 1,
}

/// <summary>Options of the association analysis.</summary>
/// <remarks>Immutable record; use <c>with</c> to change a copy.</remarks>
public sealed record AffinityOptions
{
    /// <summary>The defaults: minimum support 0.001, at least 2 co-occurrences, top 10 per product.</summary>
    public static AffinityOptions Default { get; } = new();

    /// <summary>
    /// Pairs (and products) occurring in fewer than this share of transactions are dropped (default 0.001). Rare pairs
    /// have huge but meaningless lifts; this is the main noise control.
    /// </summary>
    public double MinSupport { get; init; } = 0.001;

    /// <summary>Pairs seen together fewer times than this are dropped whatever the support (default 2).</summary>
    public int MinPairCount { get; init; } = 2;

    /// <summary>How many associations <see cref="ProductAffinityModel{TItem}.TopAssociations"/> keeps per product (default 10).</summary>
    public int TopK { get; init; } = 10;

    internal void Validate()
    {
        Preconditions.CheckArgument(MinSupport >= 0 && MinSupport <= 1, nameof(MinSupport), "The minimum support must lie in [0, 1].");
        Preconditions.CheckArgumentRange(nameof(MinPairCount), MinPairCount, 1, int.MaxValue);
        Preconditions.CheckArgumentRange(nameof(TopK), TopK, 1, 100_000);
    }
}

/// <summary>The association rule "who has <see cref="Antecedent"/> also has <see cref="Consequent"/>".</summary>
/// <typeparam name="TItem">The product key (SKU, category, …).</typeparam>
/// <param name="Antecedent">The product held.</param>
/// <param name="Consequent">The associated product.</param>
/// <param name="Count">Transactions containing both.</param>
/// <param name="Support">Count / transactions.</param>
/// <param name="Confidence">P(consequent | antecedent) = count / transactions with the antecedent.</param>
/// <param name="Lift">Confidence / P(consequent): above 1 means the pair occurs more often than chance.</param>
public sealed record ProductAssociation<TItem>(TItem Antecedent, TItem Consequent, int Count, double Support, double Confidence, double Lift);

/// <summary>What a customer holds, for product-to-customer ranking.</summary>
/// <typeparam name="TItem">The product key.</typeparam>
/// <param name="CustomerId">The customer.</param>
/// <param name="Items">The products they bought or hold.</param>
public sealed record CustomerHoldings<TItem>(CustomerId CustomerId, IReadOnlyCollection<TItem> Items);

/// <summary>A customer ranked for a target product, with the reasons.</summary>
/// <typeparam name="TItem">The product key.</typeparam>
/// <param name="CustomerId">The customer.</param>
/// <param name="Score">1 − Π(1 − confidence) over the reasons: the chance that at least one of their products leads to the target.</param>
/// <param name="Reasons">The associations from products they hold to the target (lift &gt; 1), strongest first.</param>
public sealed record CustomerRecommendation<TItem>(CustomerId CustomerId, double Score, IReadOnlyList<ProductAssociation<TItem>> Reasons);

/// <summary>
/// Product-to-product affinity (support, confidence, lift over baskets or customers) and product-to-customer
/// ranking. Build the model with the <c>Analyze</c> / <c>FromPurchases</c> factories.
/// </summary>
public static class ProductAffinity
{
    /// <summary>Analyses transactions given as item collections (duplicates within one are ignored).</summary>
    /// <typeparam name="TItem">The product key; equality decides identity.</typeparam>
    /// <param name="transactions">Baskets, or per-customer holdings.</param>
    /// <param name="basis">What one collection stands for (reported back; the counting is the same).</param>
    /// <param name="options">Thresholds; <see cref="AffinityOptions.Default"/> when null.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transactions"/> or an element is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ProductAffinityModel<TItem> Analyze<TItem>(IEnumerable<IEnumerable<TItem>> transactions, AffinityBasis basis = AffinityBasis.Basket, AffinityOptions? options = null)
        where TItem : notnull
    {
        Preconditions.CheckNotNull(transactions);
        Preconditions.CheckDefined(basis);
        options ??= AffinityOptions.Default;
        options.Validate();
        return ProductAffinityModel<TItem>.Build(transactions, basis, options);
    }

    /// <summary>
    /// Analyses purchases at the level <paramref name="level"/> chooses: <c>line =&gt; line.Sku</c> for SKUs,
    /// <c>line =&gt; line.Category</c> for categories. Only product lines count (not delivery or fees); refunds are
    /// skipped; lines for which <paramref name="level"/> returns null are skipped.
    /// </summary>
    /// <typeparam name="TItem">The product key.</typeparam>
    /// <param name="purchases">The purchases.</param>
    /// <param name="level">Maps a line to its product key, or null to skip it.</param>
    /// <param name="basis">Baskets (each purchase) or customers (all purchases of a customer).</param>
    /// <param name="options">Thresholds; <see cref="AffinityOptions.Default"/> when null.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or the purchases contain null.</exception>
    public static ProductAffinityModel<TItem> FromPurchases<TItem>(IEnumerable<Purchase> purchases, Func<PurchaseLine, TItem?> level, AffinityBasis basis = AffinityBasis.Basket, AffinityOptions? options = null)
        where TItem : notnull
    {
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(level);
        var list = purchases.ToList();
        Preconditions.CheckArgument(list.TrueForAll(p => p is not null), nameof(purchases), "Purchases must not contain null.");
        var baskets = list.Where(p => !p.IsRefund).Select(p => (p.CustomerId, Items: Items(p, level)));
        IEnumerable<IEnumerable<TItem>> transactions = basis == AffinityBasis.Customer
            ? baskets.GroupBy(b => b.CustomerId).Select(g => g.SelectMany(b => b.Items).ToArray())
            : baskets.Select(b => b.Items);
        return Analyze(transactions, basis, options);
    }

    /// <summary>Collects each customer's holdings at the given level, for <see cref="ProductAffinityModel{TItem}.RankCustomers"/>.</summary>
    /// <typeparam name="TItem">The product key.</typeparam>
    /// <param name="purchases">The purchases.</param>
    /// <param name="level">Maps a line to its product key, or null to skip it.</param>
    /// <returns>One entry per customer.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<CustomerHoldings<TItem>> HoldingsFromPurchases<TItem>(IEnumerable<Purchase> purchases, Func<PurchaseLine, TItem?> level)
        where TItem : notnull
    {
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(level);
        return purchases.Where(p => p is not null && !p.IsRefund)
            .GroupBy(p => p.CustomerId)
            .Select(g => new CustomerHoldings<TItem>(g.Key, g.SelectMany(p => Items(p, level)).Distinct().ToArray()))
            .ToArray();
    }

    private static TItem[] Items<TItem>(Purchase purchase, Func<PurchaseLine, TItem?> level) where TItem : notnull =>
        purchase.Lines.Where(l => l.Kind == PurchaseLineKind.Product && l.Quantity > 0)
            .Select(level).Where(i => i is not null).Select(i => i!).ToArray();
}
