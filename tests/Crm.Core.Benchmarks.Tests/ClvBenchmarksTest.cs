using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;

namespace Crm.Core.Benchmarks.Tests;

/// <summary>Runs every ClvBenchmarks method on small data and checks it computes what its name says.</summary>
public sealed class ClvBenchmarksTest
{
    private static readonly Lazy<ClvBenchmarks> Benchmarks = new(() =>
    {
        var benchmarks = new ClvBenchmarks { Customers = 20_000, Baskets = 20_000, Skus = 500 };
        benchmarks.Setup();
        return benchmarks;
    });

    [Fact]
    public void FitCdnow_ReproducesThePublishedEstimates()
    {
        // r + α + a + b + p + q + v of the published fits: 0.2426 + 4.4136 + 0.7929 + 2.4259 + 6.25 + 3.74 + 15.44.
        Assert.Equal(33.305, Benchmarks.Value.FitCdnow(), 1);
    }

    [Fact]
    public void Fits_OnSimulatedCustomers_RecoverTheTruthInBothTimeLayouts()
    {
        var truth = ClvBenchmarks.Truth.R + ClvBenchmarks.Truth.Alpha + ClvBenchmarks.Truth.A + ClvBenchmarks.Truth.B
            + ClvBenchmarks.SpendTruth.P + ClvBenchmarks.SpendTruth.Q + ClvBenchmarks.SpendTruth.V;
        Assert.InRange(Benchmarks.Value.FitMillionDays(), truth * 0.85, truth * 1.15);
        Assert.InRange(Benchmarks.Value.FitMillionContinuous(), truth * 0.85, truth * 1.15);
    }

    [Fact]
    public void DaysData_IsDayGranularAndContinuousDataIsNot()
    {
        var (days, continuous, _, _) = Benchmarks.Value.Data;
        Assert.All(days, d => Assert.Equal(d.Age * 7, Math.Round(d.Age * 7), 9));
        Assert.All(days, d => Assert.InRange(d.Recency, 0, d.Age));
        Assert.True(continuous.Select(c => c.Age).Distinct().Count() > continuous.Length * 0.99);
    }

    [Fact]
    public void PredictMethods_EqualSingleCustomerPredictions()
    {
        var benchmarks = Benchmarks.Value;
        var model = new BgNbdModel(ClvBenchmarks.Truth, PeriodUnit.Week);
        foreach (var (run, rows) in new (Func<double>, RecencyFrequency[])[] { (benchmarks.PredictMillionDays, benchmarks.Data.Days), (benchmarks.PredictMillionContinuous, benchmarks.Data.Continuous) })
        {
            run();
            var (alive, expected) = benchmarks.Predictions;
            for (var i = 0; i < rows.Length; i += 997)
            {
                Assert.Equal(model.ProbabilityAlive(rows[i]), alive[i], 12);
                Assert.Equal(model.ConditionalExpectedPurchases(52, rows[i]), expected[i], 10);
            }
        }
    }

    [Fact]
    public void ClvMillionDays_PredictsEveryCustomerNonNegative()
    {
        var predictions = Benchmarks.Value.ClvMillionDays();
        Assert.Equal(20_000, predictions.Count);
        Assert.All(predictions, p => Assert.True(p.Clv >= 0 && p.ProbabilityAlive is >= 0 and <= 1));
    }

    [Fact]
    public void AffinityMillionBaskets_FindsThePopularPairs()
    {
        var model = Benchmarks.Value.AffinityMillionBaskets();
        Assert.Equal(20_000, model.Transactions);
        Assert.NotEqual(0, model.PairCount);
        Assert.Contains("SKU-00000", model.Products);
    }
}
