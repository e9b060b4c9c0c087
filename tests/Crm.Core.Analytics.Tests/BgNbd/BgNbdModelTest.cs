using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;

namespace Crm.Core.Analytics.Tests.BgNbd;

public class BgNbdModelTest
{
    // Full-precision maximum-likelihood estimate on the unrounded CDNOW summary (CLVTools; data README).
    private static readonly BgNbdParameters Mle = new(0.2425945, 4.4136019, 0.7929199, 2.4258881);
    private static readonly BgNbdModel Reference = new(new BgNbdParameters(0.2426, 4.4136, 0.7929, 2.4259), PeriodUnit.Week);

    private static readonly Lazy<BgNbdFit> CdnowFit = new(() =>
    {
        var summary = CustomerSummarizer.Summarize(CdnowData.Transactions, CdnowData.CalibrationEnd, PeriodUnit.Week);
        return BgNbdModel.Fit(summary.Select(s => s.ToRecencyFrequency()), PeriodUnit.Week);
    });

    [Fact]
    public void Fit_CdnowTransactions_ReproducesPublishedParameters()
    {
        var p = CdnowFit.Value.Parameters;
        Assert.Equal(2357, CdnowFit.Value.Customers);
        AssertRelative(0.2426, p.R, 1e-3);
        AssertRelative(4.4136, p.Alpha, 1e-3);
        AssertRelative(0.7929, p.A, 1e-3);
        AssertRelative(2.4259, p.B, 1e-3);
        Assert.Equal(-9582.43, CdnowFit.Value.LogLikelihood, 0.01);
    }

    [Fact]
    public void Fit_CdnowTransactions_ConvergesToTheMaximumLikelihoodEstimate()
    {
        var fit = CdnowFit.Value;
        AssertRelative(Mle.R, fit.Parameters.R, 1e-4);
        AssertRelative(Mle.Alpha, fit.Parameters.Alpha, 1e-4);
        AssertRelative(Mle.A, fit.Parameters.A, 1e-4);
        AssertRelative(Mle.B, fit.Parameters.B, 1e-4);
        Assert.True(fit.GradientNorm < 1e-9, $"gradient {fit.GradientNorm}");
    }

    [Fact]
    public void Fit_CdnowTransactions_StandardErrorsMatchLifetimes()
    {
        var se = CdnowFit.Value.StandardErrors;
        AssertRelative(0.012557, se.R, 0.01);
        AssertRelative(0.378221, se.Alpha, 0.01);
        AssertRelative(0.185719, se.A, 0.01);
        AssertRelative(0.705345, se.B, 0.01);
    }

    [Fact]
    public void Fit_RoundedSummaryFile_MatchesItsOwnPublishedEstimate()
    {
        var rows = CdnowData.ReadCsv("cdnow_customers_summary.csv")
            .Select(f => new RecencyFrequency(int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), CdnowData.Number(f[2]), CdnowData.Number(f[3])));
        var fit = BgNbdModel.Fit(rows, PeriodUnit.Week);
        AssertRelative(0.242593, fit.Parameters.R, 1e-4);
        AssertRelative(4.413537, fit.Parameters.Alpha, 1e-4);
        AssertRelative(0.792886, fit.Parameters.A, 1e-4);
        AssertRelative(2.425755, fit.Parameters.B, 1e-4);
        Assert.Equal(-9582.4256, fit.LogLikelihood, 0.001);
    }

    [Fact]
    public void AnalyticGradient_MatchesFiniteDifferences()
    {
        var data = CustomerSummarizer.Summarize(CdnowData.Transactions, CdnowData.CalibrationEnd, PeriodUnit.Week).Select(s => s.ToRecencyFrequency()).ToArray();
        var likelihood = BgNbdLikelihood.Create(data);
        double[] p = [0.3, 5.0, 0.6, 2.0];
        var gradient = new double[4];
        likelihood.LogLikelihood(p[0], p[1], p[2], p[3], gradient);
        for (var i = 0; i < 4; i++)
        {
            var h = 1e-6 * p[i];
            var up = (double[])p.Clone();
            var down = (double[])p.Clone();
            up[i] += h;
            down[i] -= h;
            var numeric = (likelihood.LogLikelihood(up[0], up[1], up[2], up[3], []) - likelihood.LogLikelihood(down[0], down[1], down[2], down[3], [])) / (2 * h);
            AssertRelative(numeric, gradient[i], 1e-5);
        }
    }

    [Fact]
    public void ConditionalExpectedPurchases_PublishedExample()
        => Assert.Equal(1.226, Reference.ConditionalExpectedPurchases(39, new RecencyFrequency(2, 30.43, 38.86)), 3);

    [Theory]
    [InlineData(0.1429, 0.0078)]
    [InlineData(1, 0.0532)]
    [InlineData(3, 0.1506)]
    [InlineData(31.8571, 1.0405)]
    [InlineData(32, 1.0437)]
    [InlineData(78, 1.8576)]
    public void ExpectedPurchases_PublishedValues(double t, double expected)
        // Hardie's spreadsheet values; lifetimes checks them to 3 decimals. Ours differ by at most 4.3e-4 (t = 78),
        // and agree with an arbitrary-precision evaluation to 1e-10 (next test).
        => Assert.InRange(Reference.ExpectedPurchases(t), expected - 5e-4, expected + 5e-4);

    [Theory]
    [InlineData(1, 0.05318554122653868)]
    [InlineData(3, 0.15063450121286545)]
    [InlineData(32, 1.0437639538152004)]
    [InlineData(78, 1.8580239048662945)]
    public void ExpectedPurchases_MatchesArbitraryPrecisionEvaluation(double t, double expected)
        // mpmath (30 digits) of FHL eq. 7 with r, α, a, b = 0.2426, 4.4136, 0.7929, 2.4259.
        => AssertRelative(expected, Reference.ExpectedPurchases(t), 1e-10);

    [Fact]
    public void ProbabilityAlive_NoRepeatPurchase_IsOne()
        => Assert.Equal(1.0, Reference.ProbabilityAlive(new RecencyFrequency(0, 0, 38.86)));

    [Fact]
    public void ProbabilityAlive_PublishedExample()
        => Assert.Equal(0.7266, Reference.ProbabilityAlive(new RecencyFrequency(2, 30.43, 38.86)), 4);

    [Fact]
    public void ProbabilityOfPurchases_PublishedValues()
    {
        // lifetimes pins these with the published (rounded) parameters.
        var lifetimes = new BgNbdModel(new BgNbdParameters(0.243, 4.414, 0.793, 2.426), PeriodUnit.Week);
        AssertRelative(1.07869e-07, lifetimes.ProbabilityOfPurchases(2, 10), 1e-4);
        Assert.Equal(0.5737864, lifetimes.ProbabilityOfPurchases(39, 0), 6);
    }

    [Fact]
    public void ProbabilityOfPurchases_SumsToOneAndMatchesExpectation()
    {
        var probabilities = Enumerable.Range(0, 400).Select(n => Reference.ProbabilityOfPurchases(20, n)).ToArray();
        Assert.Equal(1.0, probabilities.Sum(), 6);
        Assert.Equal(Reference.ExpectedPurchases(20), probabilities.Select((p, n) => p * n).Sum(), 4);
    }

    [Fact]
    public void Predictions_LargeFrequency_StayFinite()
    {
        var heavy = new RecencyFrequency(5000, 38, 39);
        var expected = Reference.ConditionalExpectedPurchases(52, heavy);
        var alive = Reference.ProbabilityAlive(heavy);
        Assert.True(double.IsFinite(expected) && expected > 0, $"E[Y] = {expected}");
        Assert.InRange(alive, 0, 1);
        Assert.Equal(0.0, Reference.ProbabilityAlive(new RecencyFrequency(5000, 1, 39)), 12);
    }

    [Fact]
    public void Predict_Batch_EqualsSingleCustomerPredictions()
    {
        RecencyFrequency[] customers =
        [
            new(2, 30.43, 38.86), new(0, 0, 38.86), new(2, 10, 38.86), new(7, 35, 39), new(2, 10, 12), new(0, 0, 0),
        ];
        var alive = new double[customers.Length];
        var expected = new double[customers.Length];
        Reference.Predict(39, customers, alive, expected);
        for (var i = 0; i < customers.Length; i++)
        {
            Assert.Equal(Reference.ProbabilityAlive(customers[i]), alive[i], 15);
            Assert.Equal(Reference.ConditionalExpectedPurchases(39, customers[i]), expected[i], 12);
        }
        Assert.Throws<ArgumentException>(() => Reference.Predict(39, customers, new double[1], expected));
    }

    [Fact]
    public void ExpectedPurchases_AEqualToOne_IsFiniteAndBetweenItsNeighbours()
    {
        // a = 1 makes FHL eq. 7 0/0; the limit lies between the values just below and above.
        var at = new BgNbdModel(new BgNbdParameters(0.5, 4, 1, 2.5), PeriodUnit.Week).ExpectedPurchases(20);
        var below = new BgNbdModel(new BgNbdParameters(0.5, 4, 0.999, 2.5), PeriodUnit.Week).ExpectedPurchases(20);
        var above = new BgNbdModel(new BgNbdParameters(0.5, 4, 1.001, 2.5), PeriodUnit.Week).ExpectedPurchases(20);
        Assert.True(double.IsFinite(at));
        Assert.InRange(at, Math.Min(below, above), Math.Max(below, above));
    }

    [Fact]
    public void Fit_NoRepeatPurchases_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => BgNbdModel.Fit([new RecencyFrequency(0, 0, 10), new RecencyFrequency(0, 0, 5)], PeriodUnit.Week));
        Assert.Equal("data", ex.ParamName);
    }

    internal static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected} ± {tolerance:P3}, got {actual}");
}
