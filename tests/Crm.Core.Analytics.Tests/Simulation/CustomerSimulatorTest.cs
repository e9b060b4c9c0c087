using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Simulation;
using Crm.Core.Analytics.Summaries;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Simulation;

public class CustomerSimulatorTest
{
    private static readonly BgNbdParameters Truth = new(0.5, 6.0, 0.8, 2.5);
    private static readonly GammaGammaParameters SpendTruth = new(6, 4, 15);

    [Fact]
    public void Simulate_SameSeed_SameCustomers()
    {
        var one = new CustomerSimulator(Truth, SpendTruth, 11).Simulate(200, 20, 40);
        var two = new CustomerSimulator(Truth, SpendTruth, 11).Simulate(200, 20, 40);
        Assert.Equal(one, two);
        Assert.NotEqual(one, new CustomerSimulator(Truth, SpendTruth, 12).Simulate(200, 20, 40));
    }

    [Fact]
    public void Fit_SimulatedCustomers_RecoversParametersWithinSamplingError()
    {
        var customers = new CustomerSimulator(Truth, SpendTruth, 2024).Simulate(20_000, 26, 52);
        var fit = BgNbdModel.Fit(customers.Select(c => c.Summary), PeriodUnit.Week);
        // Within 3 standard errors of the truth: fails by chance about 1 time in 100 for a given seed, never for this one.
        AssertWithin(Truth.R, fit.Parameters.R, fit.StandardErrors.R);
        AssertWithin(Truth.Alpha, fit.Parameters.Alpha, fit.StandardErrors.Alpha);
        AssertWithin(Truth.A, fit.Parameters.A, fit.StandardErrors.A);
        AssertWithin(Truth.B, fit.Parameters.B, fit.StandardErrors.B);

        var spend = GammaGammaModel.Fit(customers.Select(c => new FrequencyMonetary(c.Summary.Frequency, c.MonetaryValue)));
        AssertWithin(SpendTruth.P, spend.Parameters.P, spend.StandardErrors.P);
        AssertWithin(SpendTruth.Q, spend.Parameters.Q, spend.StandardErrors.Q);
        AssertWithin(SpendTruth.V, spend.Parameters.V, spend.StandardErrors.V);
        Assert.InRange(spend.FrequencySpendCorrelation, -0.05, 0.05); // independent by construction
    }

    [Fact]
    public void ProbabilityAlive_OnSimulatedCustomers_IsCalibrated()
    {
        var customers = new CustomerSimulator(Truth, null, 5).Simulate(20_000, 26, 52);
        var model = new BgNbdModel(Truth, PeriodUnit.Week);
        var predicted = customers.Sum(c => model.ProbabilityAlive(c.Summary));
        var actual = customers.Count(c => c.IsAlive);
        Assert.InRange(predicted, actual * 0.98, actual * 1.02);
    }

    [Fact]
    public void SimulateTransactions_SummarizeAndFit_RoundTrips()
    {
        var start = new LocalDate(2024, 1, 1);
        var end = start.PlusDays(364);
        var transactions = new CustomerSimulator(Truth, SpendTruth, 3).SimulateTransactions(5_000, start, 84, end, PeriodUnit.Week);
        var summary = CustomerSummarizer.Summarize(transactions, end, PeriodUnit.Week);
        Assert.Equal(5_000, summary.Count);
        Assert.Equal("SIM000001", summary[0].CustomerId.Value);
        var fit = BgNbdModel.Fit(summary.Select(s => s.ToRecencyFrequency()), PeriodUnit.Week);
        AssertWithin(Truth.R, fit.Parameters.R, fit.StandardErrors.R * 1.5); // day truncation merges a few purchases
        AssertWithin(Truth.Alpha, fit.Parameters.Alpha, fit.StandardErrors.Alpha * 1.5);
    }

    private static void AssertWithin(double truth, double estimate, double standardError) =>
        Assert.True(Math.Abs(estimate - truth) <= 3 * standardError, $"estimate {estimate} vs truth {truth} (se {standardError})");
}
