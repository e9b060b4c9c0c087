using Crm.Core.Rfm;
using FsCheck;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Rfm;

/// <summary>The cut-off selection behind tie-aware scores: every strategy (counting, buckets, quickselect) must return sorted[rank].</summary>
public class OrderStatisticsTest
{
    [Property(MaxTest = 300)]
    public bool Selected_values_are_those_of_the_sorted_column(NonEmptyArray<long> raw, byte spread, PositiveInt outlier, PositiveInt rankSeed)
    {
        // Spread the values from a narrow range (counted) to the full 64 bits (buckets), with an optional far outlier
        // so that most values share one bucket and the selection recurses.
        var values = raw.Get.Select(v => (spread % 4) switch { 0 => v % 50, 1 => v % 1_000_000_000, 2 => v, _ => v >> 20 }).ToArray();
        if (outlier.Get % 3 == 0)
        {
            values[0] = long.MaxValue - outlier.Get;
        }
        var ranks = Ranks(values.Length, rankSeed.Get);
        var sorted = values.Order().ToArray();
        return OrderStatistics.Select<long>(values, ranks).SequenceEqual(ranks.Select(r => sorted[r]))
            && OrderStatistics.Select<int>(values.Select(v => (int)v).ToArray(), ranks)
                .SequenceEqual(ranks.Select(r => values.Select(v => (int)v).Order().ElementAt(r)))
            && OrderStatistics.Select<decimal>(values.Select(v => (decimal)v).ToArray(), ranks).SequenceEqual(ranks.Select(r => (decimal)sorted[r]));
    }

    [Fact]
    public void A_wide_column_of_a_million_values_gives_the_quintile_cut_offs()
    {
        var random = new Random(11);
        // Skewed like monetary sums: most small, a few very large.
        var values = Enumerable.Range(0, 1_000_000).Select(_ => (long)(100 / Math.Pow(1 - random.NextDouble(), 1.5))).ToArray();
        int[] ranks = [199_999, 399_999, 599_999, 799_999];
        var sorted = values.Order().ToArray();
        Assert.Equal(ranks.Select(r => sorted[r]), OrderStatistics.Select<long>(values, ranks));
    }

    /// <summary>1 to 9 ascending ranks inside 0..n−1 (repeats allowed, as with many bins over few values).</summary>
    private static int[] Ranks(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 1 + (seed % 9)).Select(_ => random.Next(n)).Order().ToArray();
    }
}
