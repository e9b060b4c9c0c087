using System.Globalization;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Summaries;

public class CustomerSummarizerTest
{
    private static readonly Lazy<IReadOnlyList<CustomerSummary>> Cdnow = new(() =>
        CustomerSummarizer.Summarize(CdnowData.Transactions, CdnowData.CalibrationEnd, PeriodUnit.Week));

    [Fact]
    public void Summarize_Cdnow_MatchesSummaryFileRowByRow()
    {
        var expected = CdnowData.ReadCsv("cdnow_customers_summary.csv");
        var ids = CdnowData.SampleIds;
        var actual = Cdnow.Value;
        Assert.Equal(2357, actual.Count);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var summary in actual)
        {
            // The sample file carries the master id; the summary files number customers 1..2357 in the same order.
            var row = expected[ids[summary.CustomerId.Value] - 1];
            Assert.Equal(int.Parse(row[1], CultureInfo.InvariantCulture), summary.Frequency);
            Assert.Equal(CdnowData.Number(row[2]), summary.Recency, 0.0051);
            Assert.Equal(CdnowData.Number(row[3]), summary.Age, 0.0051);
        }
    }

    [Fact]
    public void Summarize_Cdnow_MatchesSummaryWithTransactionsFileRowByRow()
    {
        var expected = CdnowData.ReadCsv("cdnow_customers_summary_with_transactions.csv");
        var ids = CdnowData.SampleIds;
        Assert.Equal(expected.Count, Cdnow.Value.Count);
        foreach (var summary in Cdnow.Value)
        {
            var row = expected[ids[summary.CustomerId.Value] - 1];
            Assert.Equal(int.Parse(row[1], CultureInfo.InvariantCulture), summary.Frequency);
            Assert.Equal(CdnowData.Number(row[2]), summary.Recency, 0.0051);
            Assert.Equal(CdnowData.Number(row[3]), summary.Age, 0.0051);
            Assert.Equal(CdnowData.Number(row[4]), (double)summary.MonetaryValue, 0.0051);
        }
    }

    [Fact]
    public void Summarize_Cdnow_OneRowPerSampleCustomerOrderedById()
    {
        // The summary files follow the sample id (file order), not the master id: 00018 is sample customer 58.
        // The row-by-row tests above therefore join through the sample file's id column.
        var ids = CdnowData.SampleIds;
        Assert.Equal(Enumerable.Range(1, 2357), Cdnow.Value.Select(s => ids[s.CustomerId.Value]).Order());
        Assert.Equal(Cdnow.Value.Select(s => s.CustomerId.Value).Order(StringComparer.Ordinal), Cdnow.Value.Select(s => s.CustomerId.Value));
    }

    [Fact]
    public void SummarizeWithHoldout_Cdnow_MatchesPublishedHoldoutCounts()
    {
        var rows = CustomerSummarizer.SummarizeWithHoldout(CdnowData.Transactions, CdnowData.CalibrationEnd, CdnowData.HoldoutEnd, PeriodUnit.Week);
        Assert.Equal(1882, rows.Sum(r => r.HoldoutFrequency));
        Assert.Equal(334, rows.Where(r => r.Calibration.Frequency == 0).Sum(r => r.HoldoutFrequency));
        Assert.Equal(39.0, rows[0].HoldoutDuration, 9);
    }

    [Fact]
    public void Summarize_MergesSameDayPurchasesAndExcludesFirstDayFromMonetary()
    {
        var id = new CustomerId("c1");
        var start = new LocalDate(2024, 1, 1);
        CustomerTransaction[] transactions =
        [
            new(id, start, 100m),
            new(id, start.PlusDays(7), 10m),
            new(id, start.PlusDays(7), 20m),
            new(id, start.PlusDays(14), 60m),
            new(id, start.PlusDays(40), 999m), // after the calibration end: ignored
        ];
        var summary = Assert.Single(CustomerSummarizer.Summarize(transactions, start.PlusDays(21), PeriodUnit.Week));
        Assert.Equal(2, summary.Frequency);
        Assert.Equal(2.0, summary.Recency);
        Assert.Equal(3.0, summary.Age);
        Assert.Equal(45m, summary.MonetaryValue);
    }

    [Fact]
    public void Summarize_DayPeriod_CountsDays()
    {
        var id = new CustomerId("c1");
        var start = new LocalDate(2024, 1, 1);
        var summary = Assert.Single(CustomerSummarizer.Summarize([new(id, start, 1m), new(id, start.PlusDays(3), 1m)], start.PlusDays(10), PeriodUnit.Day));
        Assert.Equal((1, 3.0, 10.0), (summary.Frequency, summary.Recency, summary.Age));
    }

    [Fact]
    public void Summarize_CustomerAcquiredAfterCalibrationEnd_IsLeftOut()
    {
        var start = new LocalDate(2024, 1, 1);
        Assert.Empty(CustomerSummarizer.Summarize([new(new CustomerId("late"), start.PlusDays(5), 1m)], start, PeriodUnit.Week));
    }

    [Fact]
    public void SummarizeWithHoldout_HoldoutBeforeCalibration_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CustomerSummarizer.SummarizeWithHoldout([], new LocalDate(2024, 2, 1), new LocalDate(2024, 1, 1), PeriodUnit.Week));
        Assert.Equal("holdoutEnd", ex.ParamName);
    }

    [Fact]
    public void Summarize_NullTransactions_Throws() =>
        Assert.Equal("transactions", Assert.Throws<ArgumentNullException>(() => CustomerSummarizer.Summarize(null!, new LocalDate(2024, 1, 1), PeriodUnit.Week)).ParamName);
}
