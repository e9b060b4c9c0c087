using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Analytics.Tests.BgNbd;

namespace Crm.Core.Analytics.Tests.GammaGamma;

public class GammaGammaModelTest
{
    private static readonly Lazy<GammaGammaFit> CdnowFit = new(() =>
    {
        var summary = CustomerSummarizer.Summarize(CdnowData.Transactions, CdnowData.CalibrationEnd, PeriodUnit.Week);
        return GammaGammaModel.Fit(summary.Select(s => new FrequencyMonetary(s.Frequency, (double)s.MonetaryValue)));
    });

    [Fact]
    public void Fit_LargeInput_WarmStartsFromASubsampleAndStillReachesTheMaximum()
    {
        // 120,000 repeat customers: above the size from which the fit starts at a 20,000-row subsample's optimum.
        var truth = new GammaGammaParameters(6, 4, 15);
        var random = new Random(9);
        var rows = Enumerable.Range(0, 120_000).Select(_ =>
        {
            var x = random.Next(1, 8);
            var nu = MathNet.Numerics.Distributions.Gamma.Sample(random, truth.Q, truth.V);
            return new FrequencyMonetary(x, MathNet.Numerics.Distributions.Gamma.Sample(random, truth.P * x, nu) / x);
        }).ToArray();
        var fit = GammaGammaModel.Fit(rows);
        Assert.True(fit.GradientNorm <= 1e-9, $"gradient {fit.GradientNorm}");
        Assert.InRange(fit.Parameters.P, truth.P - (3 * fit.StandardErrors.P), truth.P + (3 * fit.StandardErrors.P));
        Assert.InRange(fit.Parameters.Q, truth.Q - (3 * fit.StandardErrors.Q), truth.Q + (3 * fit.StandardErrors.Q));
        Assert.InRange(fit.Parameters.V, truth.V - (3 * fit.StandardErrors.V), truth.V + (3 * fit.StandardErrors.V));
    }

    [Fact]
    public void Fit_CdnowTransactions_ReproducesPublishedParameters()
    {
        var fit = CdnowFit.Value;
        Assert.Equal(946, fit.Customers);
        Assert.Equal(1411, fit.SkippedCustomers);
        // Published p=6.25, q=3.74, v=15.44 are rounded; the full-precision MLE is 6.248801, 3.744588, 15.447751.
        BgNbdModelTest.AssertRelative(6.248801, fit.Parameters.P, 1e-3);
        BgNbdModelTest.AssertRelative(3.744588, fit.Parameters.Q, 1e-3);
        BgNbdModelTest.AssertRelative(15.447751, fit.Parameters.V, 1e-3);
        Assert.InRange(fit.Parameters.P, 6.245, 6.255);
        Assert.InRange(fit.Parameters.Q, 3.735, 3.745);
        Assert.Equal(-4055.92, fit.LogLikelihood, 0.01);
        Assert.True(fit.GradientNorm < 1e-9);
    }

    [Fact]
    public void Fit_CdnowTransactions_ReportsFrequencySpendCorrelation()
        // FHL report a weak correlation (0.11) between frequency and spend on CDNOW.
        => Assert.InRange(CdnowFit.Value.FrequencySpendCorrelation, 0.05, 0.2);

    [Fact]
    public void ConditionalExpectedAverageSpend_MatchesLifetimesForFirstCustomers()
    {
        var model = CdnowFit.Value.Model;
        var rows = CdnowData.ReadCsv("cdnow_customers_summary_with_transactions.csv").Take(10).ToArray();
        double[] expected = [24.66, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
        for (var i = 0; i < rows.Length; i++)
        {
            var x = int.Parse(rows[i][1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected[i], model.ConditionalExpectedAverageSpend(x, CdnowData.Number(rows[i][4])), 0.01);
        }
        Assert.Equal(35.17, model.PopulationMeanSpend, 0.01);
    }

    [Fact]
    public void Fit_HeavyTailedSpend_RefusesUndefinedMean()
    {
        // Customers' spend scales ν drawn with q = 0.6: the population mean spend is infinite, and the fit says so.
        var random = new Random(7);
        var rows = Enumerable.Range(0, 5000).Select(_ =>
        {
            var nu = MathNet.Numerics.Distributions.Gamma.Sample(random, 0.6, 10);
            var x = 1 + random.Next(5);
            return new FrequencyMonetary(x, MathNet.Numerics.Distributions.Gamma.Sample(random, 4.0 * x, nu) / x);
        }).ToArray();
        var ex = Assert.Throws<GammaGammaMeanUndefinedException>(() => GammaGammaModel.Fit(rows));
        Assert.True(ex.Q <= 1, $"q = {ex.Q}");
        Assert.Contains("undefined", ex.Message);
    }

    [Fact]
    public void Parameters_QNotAboveOne_Throws() =>
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => new GammaGammaParameters(2, 1, 3)).ParamName);

    [Fact]
    public void Fit_TooFewRepeatCustomers_Throws() =>
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => GammaGammaModel.Fit([new FrequencyMonetary(0, 0), new FrequencyMonetary(2, 10)])).ParamName);
}
