using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Summaries;

public class NegativeAndExtremeInputTest
{
    private static readonly CustomerId Ann = new("ann");
    private static readonly LocalDate Day1 = new(2026, 1, 1);
    private static readonly BgNbdModel Purchases = new(new BgNbdParameters(0.2426, 4.4136, 0.7929, 2.4259), PeriodUnit.Week);

    [Fact]
    public void A_day_of_net_refunds_is_a_return_not_a_purchase_day_and_spend_is_never_negative()
    {
        CustomerTransaction[] rows = [new(Ann, Day1, 50m), new(Ann, Day1.PlusDays(1), -20m), new(Ann, Day1.PlusDays(8), 30m), new(Ann, Day1.PlusDays(8), -5m)];

        var summary = Assert.Single(CustomerSummarizer.Summarize(rows, Day1.PlusDays(14), PeriodUnit.Day));

        Assert.Equal(1, summary.Frequency); // day 8 (net 25) is the only repeat day; day 2 is only a refund
        Assert.Equal(25m, summary.MonetaryValue);
        Assert.Equal(8, summary.Recency);
        Assert.Empty(CustomerSummarizer.Summarize([new(Ann, Day1, -10m)], Day1.PlusDays(14), PeriodUnit.Day));
    }

    [Fact]
    public void A_summary_with_negative_spend_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CustomerSummary(Ann, Day1, 1, 2, 5, -20m));

        Assert.Equal("monetaryValue", error.ParamName);
    }

    [Fact]
    public void Amounts_beyond_decimals_range_are_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => CustomerSummarizer.Summarize(
            [new(Ann, Day1, 5e28m), new(Ann, Day1.PlusDays(1), 5e28m), new(Ann, Day1.PlusDays(2), 5e28m)], Day1.PlusDays(14), PeriodUnit.Day));

        Assert.Equal("transactions", error.ParamName);
    }

    [Fact]
    public void Predictions_throw_the_documented_exception_not_an_aggregate()
    {
        var customers = new[] { new CustomerSummary(Ann, Day1, 2, 30.43, 38.86, 22.35m).ToRecencyFrequency() };
        var calculator = new ClvCalculator(Purchases, new GammaGammaModel(new GammaGammaParameters(6.25, 3.74, 15.44)));

        Assert.Throws<ArgumentOutOfRangeException>(() => Purchases.Predict(1e15, customers, new double[1], new double[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Purchases.ExpectedPurchases(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => calculator.Spend.ConditionalExpectedAverageSpend(1, -5));
    }
}
