using System.Runtime.InteropServices;
using Crm.Core.Customers;

namespace Crm.Core.Analytics.Affinity;

/// <summary>
/// The result of an association analysis: item supports, every pair above the thresholds, and the top
/// associations per product; ranks customers for a product.
/// </summary>
/// <typeparam name="TItem">The product key.</typeparam>
/// <remarks>Immutable after construction and thread-safe.</remarks>
public sealed class ProductAffinityModel<TItem>
    where TItem : notnull
{
    private readonly TItem[] _items;
    private readonly Dictionary<TItem, int> _index;
    private readonly int[] _itemCounts;
    private readonly Dictionary<long, int> _pairCounts;
    private readonly ProductAssociation<TItem>[][] _top;

    private ProductAffinityModel(AffinityBasis basis, int transactions, TItem[] items, Dictionary<TItem, int> index, int[] itemCounts, Dictionary<long, int> pairCounts, int topK)
    {
        Basis = basis;
        Transactions = transactions;
        _items = items;
        _index = index;
        _itemCounts = itemCounts;
        _pairCounts = pairCounts;
        var perItem = new List<ProductAssociation<TItem>>[items.Length];
        foreach (var (key, count) in pairCounts)
        {
            var (i, j) = ((int)(key >> 32), (int)(key & 0xFFFFFFFF));
            (perItem[i] ??= []).Add(Association(i, j, count));
            (perItem[j] ??= []).Add(Association(j, i, count));
        }
        _top = perItem.Select(list => list is null
                ? []
                : list.OrderByDescending(a => a.Lift).ThenByDescending(a => a.Count).Take(topK).ToArray())
            .ToArray();
    }

    /// <summary>What one transaction stands for.</summary>
    public AffinityBasis Basis { get; }

    /// <summary>The number of transactions (baskets or customers) analysed.</summary>
    public int Transactions { get; }

    /// <summary>The number of product pairs kept.</summary>
    public int PairCount => _pairCounts.Count;

    /// <summary>The products above the minimum support.</summary>
    public IReadOnlyList<TItem> Products => _items;

    /// <summary>The share of transactions containing <paramref name="product"/> (0 when unknown or below the minimum support).</summary>
    /// <param name="product">The product.</param>
    /// <returns>The support.</returns>
    public double Support(TItem product) =>
        _index.TryGetValue(ItemChecks.NotNull(product), out var i) ? (double)_itemCounts[i] / Transactions : 0;

    /// <summary>The rule <paramref name="antecedent"/> → <paramref name="consequent"/>, or null when the pair is below the thresholds.</summary>
    /// <param name="antecedent">The product held.</param>
    /// <param name="consequent">The associated product.</param>
    /// <returns>The association or null.</returns>
    public ProductAssociation<TItem>? Association(TItem antecedent, TItem consequent)
    {
        if (!_index.TryGetValue(ItemChecks.NotNull(antecedent), out var i) || !_index.TryGetValue(ItemChecks.NotNull(consequent), out var j) || i == j)
        {
            return null;
        }
        return _pairCounts.TryGetValue(Key(i, j), out var count) ? Association(i, j, count) : null;
    }

    /// <summary>The strongest associations from <paramref name="product"/>, by lift (ties: more co-occurrences first), at most TopK.</summary>
    /// <param name="product">The product.</param>
    /// <returns>The associations; empty for an unknown product.</returns>
    public IReadOnlyList<ProductAssociation<TItem>> TopAssociations(TItem product) =>
        _index.TryGetValue(ItemChecks.NotNull(product), out var i) ? _top[i] : [];

    /// <summary>
    /// Ranks customers who do not yet hold <paramref name="target"/> by how strongly what they hold points to it.
    /// Customers with no positive association (lift &gt; 1) to the target are left out.
    /// </summary>
    /// <param name="target">The product to offer.</param>
    /// <param name="customers">What each customer holds.</param>
    /// <param name="top">How many customers to return, ≥ 1.</param>
    /// <returns>The best customers, highest score first (ties by customer id, ordinal).</returns>
    /// <exception cref="ArgumentNullException">An argument or element is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is below 1.</exception>
    public IReadOnlyList<CustomerRecommendation<TItem>> RankCustomers(TItem target, IEnumerable<CustomerHoldings<TItem>> customers, int top)
    {
        ItemChecks.NotNull(target);
        Preconditions.CheckNotNull(customers);
        Preconditions.CheckArgumentRange(nameof(top), top, 1, int.MaxValue);
        var result = new List<CustomerRecommendation<TItem>>();
        if (!_index.TryGetValue(target, out var t))
        {
            return result;
        }
        foreach (var customer in customers)
        {
            Preconditions.CheckNotNull(customer, nameof(customers));
            if (customer.Items.Contains(target))
            {
                continue; // already has it: offering it again is noise
            }
            var reasons = new List<ProductAssociation<TItem>>();
            foreach (var held in customer.Items.Distinct())
            {
                if (_index.TryGetValue(held, out var h) && h != t && _pairCounts.TryGetValue(Key(h, t), out var count))
                {
                    var association = Association(h, t, count);
                    if (association.Lift > 1)
                    {
                        reasons.Add(association);
                    }
                }
            }
            if (reasons.Count == 0)
            {
                continue;
            }
            var miss = 1.0;
            foreach (var r in reasons)
            {
                miss *= 1 - r.Confidence;
            }
            reasons.Sort((x, y) => y.Confidence.CompareTo(x.Confidence));
            result.Add(new CustomerRecommendation<TItem>(customer.CustomerId, 1 - miss, reasons));
        }
        return result.OrderByDescending(r => r.Score).ThenBy(r => r.CustomerId.Value, StringComparer.Ordinal).Take(top).ToArray();
    }

    internal static ProductAffinityModel<TItem> Build(IEnumerable<IEnumerable<TItem>> transactions, AffinityBasis basis, AffinityOptions options)
    {
        // Pass 1: intern items as ints and store each transaction's distinct items flat (offsets + values), so that
        // the pair pass touches only int arrays.
        var index = new Dictionary<TItem, int>();
        var values = new List<int>();
        var offsets = new List<int> { 0 };
        var scratch = new List<int>();
        foreach (var transaction in transactions)
        {
            Preconditions.CheckNotNull(transaction, nameof(transactions));
            scratch.Clear();
            foreach (var item in transaction)
            {
                ItemChecks.NotNull(item, nameof(transactions));
                ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(index, item, out var exists);
                if (!exists)
                {
                    id = index.Count - 1;
                }
                scratch.Add(id);
            }
            scratch.Sort();
            var previous = -1;
            foreach (var id in scratch)
            {
                if (id != previous)
                {
                    values.Add(id);
                    previous = id;
                }
            }
            offsets.Add(values.Count);
        }
        var n = offsets.Count - 1;
        var counts = new int[index.Count];
        foreach (var id in values)
        {
            counts[id]++;
        }
        // A pair is never more frequent than its rarer item, so items below the threshold cannot be in a kept pair
        // (the Apriori property): drop them before the quadratic pass.
        var minCount = Math.Max(options.MinPairCount, (int)Math.Ceiling(options.MinSupport * n - 1e-9));
        var remap = new int[counts.Length];
        var kept = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            remap[i] = counts[i] >= minCount ? kept++ : -1;
        }
        var items = new TItem[kept];
        var keptIndex = new Dictionary<TItem, int>(kept);
        var keptCounts = new int[kept];
        foreach (var (item, id) in index)
        {
            if (remap[id] >= 0)
            {
                items[remap[id]] = item;
                keptIndex[item] = remap[id];
                keptCounts[remap[id]] = counts[id];
            }
        }

        // Count pairs in a dense triangular array when the kept items allow (5,000 items: 12.5 M counters, 50 MB):
        // an increment is then one array access. Beyond that, a dictionary with a mixing hash.
        var frequent = new Dictionary<long, int>(PairKeyComparer.Instance);
        var valueSpan = CollectionsMarshal.AsSpan(values);
        var basket = new List<int>();
        if ((long)kept * (kept - 1) / 2 <= DenseLimit)
        {
            var dense = new int[(long)kept * (kept - 1) / 2];
            ForEachPair(valueSpan, offsets, remap, basket, (i, j) => dense[TriangleIndex(i, j, kept)]++);
            for (var i = 0; i < kept; i++)
            {
                for (var j = i + 1; j < kept; j++)
                {
                    var count = dense[TriangleIndex(i, j, kept)];
                    if (count >= minCount)
                    {
                        frequent.Add(Key(i, j), count);
                    }
                }
            }
        }
        else
        {
            var pairs = new Dictionary<long, int>(PairKeyComparer.Instance);
            ForEachPair(valueSpan, offsets, remap, basket, (i, j) => CollectionsMarshal.GetValueRefOrAddDefault(pairs, Key(i, j), out _)++);
            foreach (var (key, count) in pairs)
            {
                if (count >= minCount)
                {
                    frequent.Add(key, count);
                }
            }
        }
        return new ProductAffinityModel<TItem>(basis, n, items, keptIndex, keptCounts, frequent, options.TopK);
    }

    // At most 16 M dense pair counters (64 MB), i.e. about 5,800 kept items.
    private const long DenseLimit = 1 << 24;

    /// <summary>Calls <paramref name="count"/> once per pair of kept items (i &lt; j) in every transaction.</summary>
    private static void ForEachPair(ReadOnlySpan<int> values, List<int> offsets, int[] remap, List<int> basket, Action<int, int> count)
    {
        for (var b = 0; b < offsets.Count - 1; b++)
        {
            basket.Clear();
            for (var k = offsets[b]; k < offsets[b + 1]; k++)
            {
                var id = remap[values[k]];
                if (id >= 0)
                {
                    basket.Add(id);
                }
            }
            basket.Sort(); // remapped ids are not in item order; (i, j) must have i < j
            for (var x = 0; x < basket.Count; x++)
            {
                for (var y = x + 1; y < basket.Count; y++)
                {
                    count(basket[x], basket[y]);
                }
            }
        }
    }

    private static long TriangleIndex(int i, int j, int n) => ((long)i * ((2L * n) - i - 1) / 2) + (j - i - 1);

    // Unordered pair key: smaller index in the high half. Remapped indices are not ordered by item, so sort here.
    private static long Key(int i, int j) => i < j ? ((long)i << 32) | (uint)j : ((long)j << 32) | (uint)i;

    private ProductAssociation<TItem> Association(int antecedent, int consequent, int count)
    {
        double n = Transactions;
        var confidence = (double)count / _itemCounts[antecedent];
        return new ProductAssociation<TItem>(_items[antecedent], _items[consequent], count, count / n, confidence, confidence / (_itemCounts[consequent] / n));
    }
}

/// <summary>
/// Hashes pair keys well. <c>long.GetHashCode</c> is (low ^ high), so the pairs (i, j) of items below 1,024 share
/// 1,024 hash codes: counting pairs over a million baskets took minutes instead of a second.
/// </summary>
internal sealed class PairKeyComparer : IEqualityComparer<long>
{
    public static readonly PairKeyComparer Instance = new();

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long key)
    {
        var h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) ^ (int)h;
    }
}

/// <summary>Null checks for generic item keys (which may be value types, so <c>Preconditions.CheckNotNull</c> does not apply).</summary>
internal static class ItemChecks
{
    public static T NotNull<T>(T value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
        return value;
    }
}
