using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Clv;

public class ClvCalculatorTest
{
    private static readonly ClvCalculator Calculator = new(
        new BgNbdModel(new BgNbdParameters(0.2426, 4.4136, 0.7929, 2.4259), PeriodUnit.Week),
        new GammaGammaModel(new GammaGammaParameters(6.25, 3.74, 15.44)));

    private static readonly CustomerSummary First = new(new CustomerId("00004"), new LocalDate(1997, 1, 1), 2, 30.43, 38.86, 22.35m);

    [Fact]
    public void Clv_NoDiscount_IsSpendTimesExpectedPurchases()
    {
        var rf = First.ToRecencyFrequency();
        var clv = Calculator.Clv(rf, 22.35, new ClvHorizon(39, PeriodUnit.Week));
        var expected = Calculator.Spend.ConditionalExpectedAverageSpend(2, 22.35) * Calculator.Purchases.ConditionalExpectedPurchases(39, rf);
        Assert.Equal(expected, clv, 9);
    }

    [Fact]
    public void Clv_WithDiscount_IsLowerAndMatchesPeriodSum()
    {
        var rf = First.ToRecencyFrequency();
        var discounted = Calculator.Clv(rf, 22.35, new ClvHorizon(52, PeriodUnit.Week, 0.01));
        var plain = Calculator.Clv(rf, 22.35, new ClvHorizon(52, PeriodUnit.Week));
        Assert.True(discounted < plain);
        var manual = 0.0;
        for (var k = 1; k <= 52; k++)
        {
            manual += (Calculator.Purchases.ConditionalExpectedPurchases(k, rf) - Calculator.Purchases.ConditionalExpectedPurchases(k - 1, rf)) / Math.Pow(1.01, k);
        }
        Assert.Equal(manual * Calculator.Spend.ConditionalExpectedAverageSpend(2, 22.35), discounted, 9);
    }

    [Fact]
    public void Clv_HorizonInOtherUnit_ThrowsNamingTheUnits()
    {
        var ex = Assert.Throws<ArgumentException>(() => Calculator.Clv(First.ToRecencyFrequency(), 22.35, new ClvHorizon(365, PeriodUnit.Day)));
        Assert.Equal("horizon", ex.ParamName);
        Assert.Contains("Weeks", ex.Message);
    }

    [Fact]
    public void Predict_ReturnsOneRowPerCustomerInOrder()
    {
        var second = new CustomerSummary(new CustomerId("00021"), new LocalDate(1997, 1, 1), 0, 0, 38.86, 0m);
        var predictions = Calculator.Predict([First, second], new ClvHorizon(39, PeriodUnit.Week));
        Assert.Equal(["00004", "00021"], predictions.Select(p => p.CustomerId.Value));
        Assert.Equal(0.7266, predictions[0].ProbabilityAlive, 4);
        Assert.Equal(1.226, predictions[0].ExpectedPurchases, 3);
        Assert.Equal(1.0, predictions[1].ProbabilityAlive);
        Assert.Equal(Calculator.Spend.PopulationMeanSpend, predictions[1].ExpectedAverageSpend, 9);
    }

    [Fact]
    public void Predict_SharedFrequencyAndAge_EqualsPerCustomerClv()
    {
        // Predict computes the horizon sums once per (x, T) pair; customers sharing one must still get their own P(alive).
        var horizon = new ClvHorizon(26, PeriodUnit.Week, 0.002);
        CustomerSummary[] customers =
        [
            First, First with { }, new(new CustomerId("b"), new LocalDate(1997, 1, 1), 2, 5.0, 38.86, 40m),
            new(new CustomerId("c"), new LocalDate(1997, 1, 1), 0, 0, 38.86, 0m), new(new CustomerId("d"), new LocalDate(1997, 3, 1), 2, 5.0, 30.0, 40m),
        ];
        var predictions = Calculator.Predict(customers, horizon);
        for (var i = 0; i < customers.Length; i++)
        {
            var rf = customers[i].ToRecencyFrequency();
            Assert.Equal(Calculator.Clv(rf, (double)customers[i].MonetaryValue, horizon), predictions[i].Clv, 9);
            Assert.Equal(Calculator.Purchases.ConditionalExpectedPurchases(26, rf), predictions[i].ExpectedPurchases, 12);
        }
        Assert.True(predictions[2].ProbabilityAlive < predictions[0].ProbabilityAlive);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(10, 1.0)]
    [InlineData(10, -0.1)]
    public void Horizon_OutOfRange_Throws(int periods, double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClvHorizon(periods, PeriodUnit.Week, rate));
}
