using System.Globalization;
using Crm.Core.Rfm;

namespace Crm.Core.Benchmarks.Tests;

/// <summary>Every RfmBenchmarks method must compute the same thing, or the timings compare different work.</summary>
public sealed class RfmBenchmarksTest : IDisposable
{
    private readonly RfmBenchmarks _benchmarks = new() { Purchases = 200_000, Customers = 20_000 };

    public RfmBenchmarksTest() => _benchmarks.Setup();

    public void Dispose() => _benchmarks.Cleanup();

    [Fact]
    public void All_methods_return_the_same_customers_metrics_scores_and_segments()
    {
        var expected = Describe(_benchmarks.CrmCore());
        Assert.InRange(expected.Count, 19_000, 20_000); // one-time buyers whose only row is a refund are not scored
        Assert.Equal(expected, Describe(_benchmarks.CrmCoreParallel()));
        Assert.Equal(expected, Describe(_benchmarks.DuckDb()));
        Assert.Equal(expected, Describe(_benchmarks.LinqGroupBy()));
        Assert.NotEqual(0, _benchmarks.SumPass());
    }

    [Fact]
    public void Generated_data_has_the_promised_shape()
    {
        var (keys, dates, amounts) = RfmBenchmarks.Generate(100_000, 10_000, seed: 1);
        var perCustomer = keys.GroupBy(k => k).Select(g => g.Count()).ToArray();
        Assert.Equal(10_000, perCustomer.Length);
        Assert.InRange(perCustomer.Count(c => c == 1) / 10_000.0, 0.29, 0.31);
        Assert.Equal(RfmBenchmarks.AsOf, dates.Max());
        Assert.Equal(RfmBenchmarks.AsOf.PlusDays(-729), dates.Min());
        Assert.All(amounts, a => Assert.Equal(a, Math.Round(a, 2)));
        Assert.Contains(amounts, a => a < 0);
    }

    private static List<string> Describe(RfmResult<long> result) =>
        Sorted(Enumerable.Range(0, result.Count).Select(i => Line(result.Customers[i], result.RecencyDays[i], result.Frequencies[i], result.MonetaryAt(i),
            (result.RecencyScores[i] * 100) + (result.FrequencyScores[i] * 10) + result.MonetaryScores[i], result.SegmentAt(i)!)));

    private static List<string> Describe(ScoreRows rows) =>
        Sorted(Enumerable.Range(0, rows.Keys.Count).Select(i => Line(rows.Keys[i], rows.Recency[i], rows.Frequency[i], rows.Monetary[i], rows.Scores[i], rows.Segments[i])));

    private static string Line(long key, int recency, int frequency, decimal monetary, int score, string segment) =>
        string.Create(CultureInfo.InvariantCulture, $"{key} {recency} {frequency} {monetary:0.00} {score} {segment}");

    private static List<string> Sorted(IEnumerable<string> lines) => lines.Order(StringComparer.Ordinal).ToList();
}
