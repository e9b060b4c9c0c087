using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Analytics.Tests.BgNbd;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;

namespace Crm.Core.Analytics.Tests.Clv;

/// <summary>Invariants of CLV and of the spend model that hold for every parameter set and history.</summary>
public class ClvCalculatorProperties
{
    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Clv_is_non_negative_and_non_increasing_in_the_discount_rate(
        PurchaseModelCase purchases, SpendModelCase spend, CustomerHistoryCase customer, NonNegativeInt first, NonNegativeInt second)
    {
        var calculator = Calculator(purchases, spend);
        var (lower, higher) = ((first.Get % 1000) / 2000.0, (second.Get % 1000) / 2000.0); // rates in [0, 0.5)
        (lower, higher) = (Math.Min(lower, higher), Math.Max(lower, higher));
        var rf = BgNbdModelProperties.History(customer);
        var atLower = calculator.Clv(rf, customer.MonetaryValue, new ClvHorizon(26, PeriodUnit.Week, lower));
        var atHigher = calculator.Clv(rf, customer.MonetaryValue, new ClvHorizon(26, PeriodUnit.Week, higher));
        return atHigher >= 0 && atHigher <= atLower + (1e-9 * Math.Max(1, atLower));
    }

    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Clv_is_non_decreasing_in_the_horizon(PurchaseModelCase purchases, SpendModelCase spend, CustomerHistoryCase customer, NonNegativeInt first, NonNegativeInt second)
    {
        var calculator = Calculator(purchases, spend);
        var (shorter, longer) = (1 + (first.Get % 40), 1 + (second.Get % 40));
        (shorter, longer) = (Math.Min(shorter, longer), Math.Max(shorter, longer));
        var rf = BgNbdModelProperties.History(customer);
        var a = calculator.Clv(rf, customer.MonetaryValue, new ClvHorizon(shorter, PeriodUnit.Week, 0.01));
        var b = calculator.Clv(rf, customer.MonetaryValue, new ClvHorizon(longer, PeriodUnit.Week, 0.01));
        return a >= 0 && b >= a - (1e-9 * Math.Max(1, b));
    }

    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Expected_spend_lies_between_the_customers_mean_and_the_population_mean(SpendModelCase spend, CustomerHistoryCase customer)
    {
        // Gamma-Gamma shrinks the observed mean towards the population mean, more so the fewer purchases it rests on.
        var model = new GammaGammaModel(new GammaGammaParameters(spend.P, spend.Q, spend.V));
        var expected = model.ConditionalExpectedAverageSpend(customer.Frequency, customer.MonetaryValue);
        var population = model.PopulationMeanSpend;
        if (customer.Frequency == 0)
        {
            return Math.Abs(expected - population) <= 1e-12 * population;
        }
        var (low, high) = (Math.Min(population, customer.MonetaryValue), Math.Max(population, customer.MonetaryValue));
        return expected >= low * (1 - 1e-12) && expected <= high * (1 + 1e-12);
    }

    private static ClvCalculator Calculator(PurchaseModelCase purchases, SpendModelCase spend) =>
        new(BgNbdModelProperties.Model(purchases), new GammaGammaModel(new GammaGammaParameters(spend.P, spend.Q, spend.V)));
}
