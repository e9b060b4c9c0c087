using Crm.Core.Rfm;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Rfm;

/// <summary>
/// The partitioned bulk path against a plain per-customer aggregation, for any chunk size, partition count and thread
/// count (tiny layouts so that little data crosses chunks, spreads over many partitions and makes tables grow).
/// </summary>
public class BulkAggregatorTest
{
    private static readonly LocalDate AsOf = RfmArbitraries.AsOf;
    private static readonly int LastDay = EpochDays.FromDate(AsOf);
    private static readonly int NoWindow = int.MinValue + 2;

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) }, MaxTest = 200)]
    public bool Any_layout_and_thread_count_gives_the_plain_aggregation(RfmColumns columns, PositiveInt chunk, PositiveInt rowsPerPartition, byte partitionBits, bool window)
    {
        var firstDay = window ? LastDay - 29 : NoWindow;
        var layout = new BulkLayout(1 + (chunk.Get % 50), 1 + (rowsPerPartition.Get % 8), partitionBits % 6, MinParallelRows: 0);
        var expected = Reference(columns, firstDay);
        var sequential = BulkAggregator.TryAggregate(columns.Keys, columns.Dates, columns.Amounts, firstDay, LastDay, 1, layout);
        var two = BulkAggregator.TryAggregate(columns.Keys, columns.Dates, columns.Amounts, firstDay, LastDay, 2, layout);
        var three = BulkAggregator.TryAggregate(columns.Keys, columns.Dates, columns.Amounts, firstDay, LastDay, 3, layout);
        if (expected is null)
        {
            // Some counted amount is not whole cents (or too large): every thread count hands over to the exact path.
            return sequential is null && two is null && three is null;
        }
        // Parallel runs give the very same columns, in the same order, not just the same set.
        return sequential is not null && two is not null && three is not null
            && Describe(sequential).Order().SequenceEqual(expected)
            && Describe(two).SequenceEqual(Describe(sequential))
            && Describe(three).SequenceEqual(Describe(sequential));
    }

    [Property]
    public bool Cents_conversion_accepts_exactly_the_whole_cents_within_32_bits(int magnitude, byte scale, bool negative, bool wide)
    {
        var amount = new decimal(magnitude, wide ? 1 : 0, 0, negative, (byte)(scale % 7));
        var converted = Cents.TryFrom(amount, out var cents);
        var scaled = amount * 100m;
        var expected = scaled == decimal.Truncate(scaled) && Math.Abs(scaled) <= int.MaxValue;
        return converted == expected && (!converted || cents == scaled);
    }

    [Fact]
    public void Tables_grow_past_their_first_size_and_results_do_not_depend_on_threads()
    {
        // 6,000 customers with 2 rows each: the first table size assumes ~8 rows per customer, so every table grows.
        var keys = Enumerable.Range(0, 12_000).Select(i => ((long)(i % 6_000) * 2_654_435_761L) - 7_000_000_000L).ToArray();
        var dates = keys.Select((_, i) => AsOf.PlusDays(-(i % 45))).ToArray();
        var amounts = keys.Select((_, i) => (i % 17 == 0 ? -1 : 1) * (i % 997) / 100m).ToArray();
        var columns = new RfmColumns(AsOf, keys, dates, amounts);
        var expected = Reference(columns, NoWindow)!;
        foreach (var layout in new[] { new BulkLayout(1 << 22, 1 << 20, 8, 0), new BulkLayout(5_000, 700, 3, 0), BulkLayout.Default })
        {
            var sequential = BulkAggregator.TryAggregate(keys, dates, amounts, NoWindow, LastDay, 1, layout)!;
            Assert.Equal(expected, Describe(sequential).Order());
            Assert.Equal(Describe(sequential), Describe(BulkAggregator.TryAggregate(keys, dates, amounts, NoWindow, LastDay, 2, layout)!));
        }
    }

    [Fact]
    public void Empty_input_rows_outside_the_window_and_refunds_only_score_nobody()
    {
        var layout = new BulkLayout(3, 1, 2, 0);
        Assert.Empty(BulkAggregator.TryAggregate(Array.Empty<long>(), Array.Empty<LocalDate>(), Array.Empty<decimal>(), NoWindow, LastDay, 2, layout)!.Customers);
        long[] keys = [1, 2, 3, 1];
        LocalDate[] dates = [AsOf.PlusDays(1), AsOf.PlusDays(-30), AsOf, AsOf];
        decimal[] amounts = [5m, 5m, -2m, -0.01m];
        var result = BulkAggregator.TryAggregate(keys, dates, amounts, LastDay - 29, LastDay, 2, layout)!;
        Assert.Empty(result.Customers);
    }

    [Fact]
    public void A_non_iso_date_is_the_callers_argument_error_whatever_the_thread_count()
    {
        var keys = Enumerable.Range(0, 1_000).Select(i => (long)i).ToArray();
        var dates = keys.Select(_ => AsOf).ToArray();
        dates[777] = new LocalDate(2024, 6, 1, CalendarSystem.Julian);
        var amounts = keys.Select(_ => 1m).ToArray();
        foreach (var threads in new[] { 1, 2 })
        {
            Assert.Throws<ArgumentException>(() => BulkAggregator.TryAggregate(keys, dates, amounts, NoWindow, LastDay, threads, new BulkLayout(300, 10, 4, 0)));
        }
    }

    [Fact]
    public void Pooled_working_memory_is_returned_after_a_hand_over_to_the_exact_path()
    {
        long[] keys = [1, 2];
        LocalDate[] dates = [AsOf, AsOf];
        var layout = new BulkLayout(1, 1, 1, 0);
        Assert.Null(BulkAggregator.TryAggregate(keys, dates, new[] { 1m, 0.001m }, NoWindow, LastDay, 2, layout));
        var result = BulkAggregator.TryAggregate(keys, dates, new[] { 1m, 2m }, NoWindow, LastDay, 2, layout)!;
        Assert.Equal([(1L, LastDay, 1, 100L), (2L, LastDay, 1, 200L)], Describe(result).Order());
    }

    [Fact]
    public void Scores_of_many_customers_do_not_depend_on_threads_for_any_strategy()
    {
        // Enough customers that the three dimensions are scored on separate threads.
        var random = new Random(5);
        var keys = Enumerable.Range(0, 150_000).Select(i => (long)(i % 70_000) * 1_000_003L).ToArray();
        var dates = keys.Select(_ => AsOf.PlusDays(-random.Next(400))).ToArray();
        var amounts = keys.Select(_ => random.Next(-500, 90_000) / 100m).ToArray();
        RfmScoring[] strategies = [RfmScoring.TieAwareQuantiles, RfmScoring.EqualCount, RfmScoring.FixedThresholds([30, 90, 180, 365], [1, 2, 3, 4], [10m, 100m, 300m, 600m])];
        foreach (var scoring in strategies)
        {
            var options = new RfmOptions(AsOf) { Scoring = scoring };
            var one = RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options);
            var two = RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options with { MaxDegreeOfParallelism = 2 });
            Assert.InRange(one.Count, 65_536, 70_000);
            Assert.Equal(one.Customers.ToArray(), two.Customers.ToArray());
            Assert.Equal(one.RecencyScores.ToArray(), two.RecencyScores.ToArray());
            Assert.Equal(one.FrequencyScores.ToArray(), two.FrequencyScores.ToArray());
            Assert.Equal(one.MonetaryScores.ToArray(), two.MonetaryScores.ToArray());
            Assert.Equal(Enumerable.Range(0, one.Count).Select(one.SegmentAt), Enumerable.Range(0, two.Count).Select(two.SegmentAt));
        }
    }

    /// <summary>The definition, row by row: in-window rows; purchases (≥ 0) set frequency and latest day; every row adds to monetary.</summary>
    private static List<(long Key, int LastDay, int Frequency, long Cents)>? Reference(RfmColumns columns, int firstDay)
    {
        var rows = Enumerable.Range(0, columns.Keys.Length)
            .Select(i => (Key: columns.Keys[i], Day: EpochDays.FromDate(columns.Dates[i]), Cents: columns.Amounts[i] * 100m))
            .Where(r => r.Day >= firstDay && r.Day <= LastDay)
            .ToList();
        if (rows.Any(r => r.Cents != decimal.Truncate(r.Cents) || Math.Abs(r.Cents) > int.MaxValue))
        {
            return null;
        }
        return rows.GroupBy(r => r.Key)
            .Where(g => g.Any(r => r.Cents >= 0))
            .Select(g => (g.Key, g.Where(r => r.Cents >= 0).Max(r => r.Day), g.Count(r => r.Cents >= 0), (long)g.Sum(r => r.Cents)))
            .Order()
            .ToList();
    }

    private static List<(long Key, int LastDay, int Frequency, long Cents)> Describe(CustomerMetrics<long> metrics) =>
        Enumerable.Range(0, metrics.Customers.Length)
            .Select(i => (metrics.Customers[i], metrics.LastDay[i], metrics.Frequency[i], metrics.Monetary.Minor![i]))
            .ToList();
}
