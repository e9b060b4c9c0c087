using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Testing;
using NodaTime;
using static Crm.Core.Tests.Rfm.RfmTestData;

namespace Crm.Core.Tests.Rfm;

public class RfmCalculatorTest
{
    private static RfmRow Row(string customer, string? txn, LocalDate date, decimal amount) =>
        new(C(customer), txn is null ? null : T(txn), date, amount);

    [Fact]
    public void Row_on_as_of_date_counts_and_row_after_it_does_not()
    {
        var result = Compute([Row("a", null, AsOf, 10m), Row("a", null, AsOf.PlusDays(1), 99m)], new RfmOptions(AsOf));
        var a = Assert.Single(result);
        Assert.Equal(0, a.RecencyDays);
        Assert.Equal(1, a.Frequency);
        Assert.Equal(10m, a.Monetary);
    }

    [Fact]
    public void Window_keeps_rows_after_as_of_minus_window_only()
    {
        var options = new RfmOptions(AsOf) { WindowDays = 10 };
        var result = Compute([Row("a", null, AsOf.PlusDays(-9), 5m), Row("a", null, AsOf.PlusDays(-10), 7m), Row("b", null, AsOf.PlusDays(-10), 7m)], options);
        var a = Assert.Single(result);
        Assert.Equal(C("a"), a.Customer);
        Assert.Equal(9, a.RecencyDays);
        Assert.Equal(1, a.Frequency);
        Assert.Equal(5m, a.Monetary);
    }

    [Fact]
    public void Refunds_reduce_monetary_but_neither_count_nor_make_recent()
    {
        var result = Compute([Row("a", "o1", AsOf.PlusDays(-20), 50m), Row("a", "r1", AsOf, -15m)], new RfmOptions(AsOf));
        var a = Assert.Single(result);
        Assert.Equal(20, a.RecencyDays);
        Assert.Equal(1, a.Frequency);
        Assert.Equal(35m, a.Monetary);
    }

    [Fact]
    public void Customer_with_only_refunds_is_not_scored()
    {
        var result = Compute([Row("a", "o1", AsOf, 10m), Row("b", "r1", AsOf, -10m)], new RfmOptions(AsOf));
        Assert.Equal([C("a")], result.Select(c => c.Customer));
    }

    [Fact]
    public void Lines_of_one_order_are_one_transaction_with_summed_amount_and_latest_date()
    {
        var result = Compute(
            [Row("a", "o1", AsOf.PlusDays(-5), 10m), Row("a", "o1", AsOf.PlusDays(-3), -4m), Row("a", "o1", AsOf.PlusDays(-7), 2.5m)],
            new RfmOptions(AsOf));
        var a = Assert.Single(result);
        Assert.Equal(1, a.Frequency);
        Assert.Equal(3, a.RecencyDays);
        Assert.Equal(8.5m, a.Monetary);
    }

    [Fact]
    public void Order_netting_negative_is_a_refund()
    {
        var result = Compute(
            [Row("a", "o1", AsOf.PlusDays(-30), 10m), Row("a", "o2", AsOf, 5m), Row("a", "o2", AsOf, -9m)],
            new RfmOptions(AsOf));
        var a = Assert.Single(result);
        Assert.Equal(1, a.Frequency);
        Assert.Equal(30, a.RecencyDays);
        Assert.Equal(6m, a.Monetary);
    }

    [Fact]
    public void Same_transaction_id_of_two_customers_is_two_transactions_and_rows_without_id_are_separate()
    {
        var result = Compute(
            [Row("a", "o1", AsOf, 1m), Row("b", "o1", AsOf, 1m), Row("a", null, AsOf, 1m), Row("a", null, AsOf, 1m)],
            new RfmOptions(AsOf));
        Assert.Equal([3, 1], result.Select(c => c.Frequency));
    }

    [Fact]
    public void Instants_are_dated_in_the_zone_so_late_evening_utc_is_next_day_in_berlin()
    {
        // 2024-06-30T22:30Z is 2024-07-01 00:30 in Berlin (UTC+2): after the as-of date there, on it in UTC.
        var instant = Instant.FromUtc(2024, 6, 30, 22, 30);
        var earlier = Instant.FromUtc(2024, 6, 28, 12, 0);
        var berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var purchases = new[]
        {
            Purchase.Create(T("o1"), C("a"), instant, Channel.Web, Eur(10m)),
            Purchase.Create(T("o2"), C("a"), earlier, Channel.Web, Eur(1m)),
        };
        var utc = Assert.Single(RfmCalculator.Compute(purchases, new RfmOptions(AsOf)));
        var local = Assert.Single(RfmCalculator.Compute(purchases, new RfmOptions(AsOf) { Zone = berlin }));
        Assert.Equal((0, 2, 11m), (utc.RecencyDays, utc.Frequency, utc.Monetary));
        Assert.Equal((2, 1, 1m), (local.RecencyDays, local.Frequency, local.Monetary));
    }

    [Fact]
    public void Purchase_lines_sharing_a_transaction_id_are_one_order()
    {
        var at = Instant.FromUtc(2024, 6, 1, 10, 0);
        var purchases = new[]
        {
            Purchase.Create(T("o1"), C("a"), at, Channel.Web, Eur(10m)),
            Purchase.Create(T("o1"), C("a"), at.Plus(Duration.FromDays(2)), Channel.Web, Eur(5m)),
        };
        var a = Assert.Single(RfmCalculator.Compute(purchases, new RfmOptions(AsOf)));
        Assert.Equal((1, 27, 15m), (a.Frequency, a.RecencyDays, a.Monetary));
    }

    [Fact]
    public void Mixed_currencies_throw_naming_customer_and_transaction_and_do_not_apply_the_row()
    {
        var accumulator = new RfmAccumulator(new RfmOptions(AsOf));
        accumulator.Add(C("a"), T("o1"), AsOf, Eur(10m));
        var e = Assert.Throws<RfmCurrencyMismatchException>(() => accumulator.Add(C("b"), T("o9"), AsOf, new Money(3m, Currency.USD)));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("'o9'", e.Message);
        Assert.Contains("USD", e.Message);
        Assert.Equal([C("a")], accumulator.ToResult().Select(c => c.Customer));
    }

    [Fact]
    public void Tie_aware_scores_follow_the_formula_and_give_ties_equal_scores()
    {
        // Frequencies 1,1,1,2,5 (N = 5, k = 5): F = 1 + floor(5 · #less / 5) = 1, 1, 1, 4, 5.
        var rows = new List<RfmRow>();
        var frequencies = new[] { 1, 1, 1, 2, 5 };
        for (var c = 0; c < frequencies.Length; c++)
        {
            for (var i = 0; i < frequencies[c]; i++)
            {
                rows.Add(Row($"c{c}", null, AsOf.PlusDays(-c), 10m));
            }
        }
        var result = Compute(rows, new RfmOptions(AsOf));
        Assert.Equal([1, 1, 1, 4, 5], result.Select(c => c.Score.F));
        // Monetary 10, 10, 10, 20, 50: the same shape.
        Assert.Equal([1, 1, 1, 4, 5], result.Select(c => c.Score.M));
        // Recency 0..4 days, all distinct: R = 1 + #{older} = 5, 4, 3, 2, 1.
        Assert.Equal([5, 4, 3, 2, 1], result.Select(c => c.Score.R));
    }

    [Fact]
    public void Equal_count_cuts_like_ntile_with_ties_broken_by_customer_id()
    {
        // Seven customers with one purchase each of the same amount: NTILE(3) sizes 3, 2, 2 in id order.
        var rows = Enumerable.Range(0, 7).Select(i => Row($"c{i}", null, AsOf, 1m)).ToArray();
        var result = Compute(rows, new RfmOptions(AsOf) { Bins = 3, Scoring = RfmScoring.EqualCount });
        Assert.Equal([1, 1, 1, 2, 2, 3, 3], result.Select(c => c.Score.M));
        Assert.Equal([1, 1, 1, 2, 2, 3, 3], result.Select(c => c.Score.F));
        Assert.Equal([1, 1, 1, 2, 2, 3, 3], result.Select(c => c.Score.R));
    }

    [Fact]
    public void Equal_count_sorts_recency_oldest_first()
    {
        var rows = Enumerable.Range(0, 4).Select(i => Row($"c{i}", null, AsOf.PlusDays(-i), 1m)).ToArray();
        var result = Compute(rows, new RfmOptions(AsOf) { Bins = 2, Scoring = RfmScoring.EqualCount });
        Assert.Equal([2, 2, 1, 1], result.Select(c => c.Score.R));
    }

    [Fact]
    public void Fixed_thresholds_send_values_on_an_edge_up_for_f_and_m_and_down_for_r()
    {
        var scoring = RfmScoring.FixedThresholds([7], [2], [100m]);
        var rows = new[]
        {
            Row("a", null, AsOf.PlusDays(-7), 100m), Row("a", null, AsOf.PlusDays(-8), 0m),
            Row("b", null, AsOf.PlusDays(-6), 99.99m),
        };
        var result = Compute(rows, new RfmOptions(AsOf) { Bins = 2, Scoring = scoring });
        Assert.Equal([new RfmScore(1, 2, 2), new RfmScore(2, 1, 1)], result.Select(c => c.Score));
    }

    [Fact]
    public void Fixed_thresholds_are_validated()
    {
        Assert.Throws<ArgumentException>(() => RfmScoring.FixedThresholds([5, 5], [1, 2], [1m, 2m]));
        Assert.Throws<ArgumentException>(() => RfmScoring.FixedThresholds([5], [1, 2], [1m]));
        Assert.Throws<ArgumentException>(() => RfmScoring.FixedThresholds([], [], []));
        var mismatched = new RfmOptions(AsOf) { Scoring = RfmScoring.FixedThresholds([5], [2], [1m]) };
        Assert.Throws<ArgumentException>(() => new RfmAccumulator(mismatched));
    }

    [Fact]
    public void Score_prints_as_digits()
    {
        Assert.Equal("545", new RfmScore(5, 4, 5).ToString());
        Assert.Equal("10-3-7", new RfmScore(10, 3, 7).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RfmScore(0, 1, 1));
    }

    [Fact]
    public void Options_reject_out_of_range_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RfmOptions(AsOf) { WindowDays = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RfmOptions(AsOf) { Bins = 1 });
        Assert.Throws<ArgumentNullException>(() => new RfmOptions(AsOf) { Zone = null! });
        Assert.Throws<ArgumentException>(() => new RfmOptions(AsOf) { MaxDegreeOfParallelism = 0 });
        Assert.Throws<ArgumentException>(() => new RfmAccumulator(new RfmOptions(AsOf) { Bins = 4, SegmentMap = RfmSegmentMap.Default }));
    }

    [Fact]
    public void Segment_report_counts_shares_and_revenue_shares()
    {
        // N = 2: a is more recent and frequent than b, so R = F = 1 + floor(5 · 1 / 2) = 3 (Need Attention); b is R1 F1.
        var rows = new List<RfmRow>();
        for (var i = 0; i < 3; i++)
        {
            rows.Add(Row("a", null, AsOf, 25m));
        }
        rows.Add(Row("b", null, AsOf.PlusDays(-40), 25m));
        var result = Compute(rows, new RfmOptions(AsOf));
        Assert.Equal(["Need Attention", "Hibernating"], result.Select(c => c.Segment));
        var report = result.SegmentReport();
        Assert.Equal(RfmSegmentMap.Default.Segments, report.Select(s => s.Segment));
        var champions = report.Single(s => s.Segment == "Need Attention");
        Assert.Equal((1, 0.5, 75m, 0.75), (champions.Count, champions.CustomerShare, champions.Monetary, champions.RevenueShare));
        Assert.Equal(2, report.Sum(s => s.Count));
        Assert.Equal(100m, result.TotalMonetary);
    }

    [Fact]
    public void Top_percent_takes_the_highest_spenders_rounding_up()
    {
        var rows = Enumerable.Range(0, 30).Select(i => Row($"c{i:00}", null, AsOf, i + 1)).ToArray();
        var result = Compute(rows, new RfmOptions(AsOf));
        Assert.Equal([C("c29"), C("c28")], result.Top(5m).Select(c => c.Customer));
        Assert.Equal(30, result.Top(100m).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => result.Top(0m));
    }

    [Fact]
    public void Empty_input_gives_an_empty_result()
    {
        var result = RfmCalculator.Compute([], new RfmOptions(AsOf));
        Assert.Empty(result);
        Assert.Null(result.Currency);
        Assert.All(result.SegmentReport(), s => Assert.Equal(0, s.Count));
    }

    [Fact]
    public void Bulk_columns_agree_with_the_exact_path_including_finer_than_cent_amounts_and_parallel()
    {
        var random = new Random(7);
        var n = 200_000;
        var keys = new long[n];
        var dates = new LocalDate[n];
        var amounts = new decimal[n];
        var accumulator = new RfmAccumulator(new RfmOptions(AsOf) { WindowDays = 300 });
        for (var i = 0; i < n; i++)
        {
            keys[i] = random.NextInt64(-5000, 5000) * 7_919_000_013L;
            dates[i] = AsOf.PlusDays(-random.Next(-5, 400));
            amounts[i] = random.Next(-2_000, 50_000) / 100m;
            accumulator.Add(C(keys[i].ToString(System.Globalization.CultureInfo.InvariantCulture)), null, dates[i], Eur(amounts[i]));
        }
        var expected = Describe(accumulator.ToResult(), c => c.Value);
        var options = new RfmOptions(AsOf) { WindowDays = 300 };
        Assert.Equal(expected, Describe(RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options), k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, Describe(RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options with { MaxDegreeOfParallelism = 2 }), k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var chunkRows = BulkAggregator.ChunkRows;
        try
        {
            BulkAggregator.ChunkRows = 70_000; // several scatter chunks, as with more than 4M rows
            Assert.Equal(expected, Describe(RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options with { MaxDegreeOfParallelism = 2 }), k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(expected, Describe(RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options), k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            BulkAggregator.ChunkRows = chunkRows;
        }

        // One amount finer than a cent sends the whole computation down the exact decimal path.
        amounts[0] += 0.001m;
        var exact = new RfmAccumulator(options);
        for (var i = 0; i < n; i++)
        {
            exact.Add(C(keys[i].ToString(System.Globalization.CultureInfo.InvariantCulture)), null, dates[i], Eur(amounts[i]));
        }
        Assert.Equal(Describe(exact.ToResult(), c => c.Value), Describe(RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options), k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Bulk_columns_with_transaction_keys_group_lines()
    {
        long[] keys = [1, 1, 2];
        long[] transactions = [10, 10, 10];
        LocalDate[] dates = [AsOf.PlusDays(-2), AsOf, AsOf];
        decimal[] amounts = [3m, 4m, 1m];
        var result = RfmCalculator.Compute(keys, transactions, dates, amounts, Currency.EUR, new RfmOptions(AsOf));
        var one = result.Single(c => c.Customer == 1);
        Assert.Equal((0, 1, 7m), (one.RecencyDays, one.Frequency, one.Monetary));
        Assert.Throws<ArgumentException>(() => RfmCalculator.Compute(keys, dates, amounts.AsMemory(0, 2), Currency.EUR, new RfmOptions(AsOf)));
    }
}
