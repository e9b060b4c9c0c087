using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Summaries;

/// <summary>Invariants of the customer summary over generated purchase rows (some after the calibration end, some refunds).</summary>
public class CustomerSummarizerProperties
{
    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Summaries_are_consistent(RfmRowSet set)
    {
        var end = set.AsOf;
        var summaries = CustomerSummarizer.Summarize(Transactions(set), end, PeriodUnit.Week);
        var days = PurchaseDays(Transactions(set)).Where(d => d.Date <= end).ToArray();
        var acquired = days.Select(d => d.CustomerId).Distinct().Count();
        return summaries.Count == acquired && summaries.All(s =>
            s.Frequency >= 0 && s.Recency >= 0 && s.Recency <= s.Age && (s.Frequency > 0 || s.Recency == 0) && s.MonetaryValue >= 0
            && s.FirstPurchase <= end && Math.Abs((s.Age * 7) - Period.Between(s.FirstPurchase, end, PeriodUnits.Days).Days) < 1e-9
            && s.Frequency == days.Count(d => d.CustomerId == s.CustomerId) - 1);
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Row_order_changes_nothing(RfmRowSet set, int seed)
    {
        var rows = Transactions(set).ToArray();
        var shuffled = rows.ToArray();
        new Random(seed).Shuffle(shuffled);
        return CustomerSummarizer.Summarize(rows, set.AsOf, PeriodUnit.Week).SequenceEqual(CustomerSummarizer.Summarize(shuffled, set.AsOf, PeriodUnit.Week));
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Splitting_a_purchase_into_two_on_the_same_day_changes_nothing(RfmRowSet set)
    {
        var rows = Transactions(set).ToArray();
        var split = rows.SelectMany(t => new[] { t with { Amount = t.Amount / 2 }, t with { Amount = t.Amount - (t.Amount / 2) } });
        return CustomerSummarizer.Summarize(rows, set.AsOf, PeriodUnit.Day).SequenceEqual(CustomerSummarizer.Summarize(split, set.AsOf, PeriodUnit.Day));
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool The_calibration_part_of_a_holdout_summary_is_the_plain_summary(RfmRowSet set)
    {
        var rows = Transactions(set).ToArray();
        var withHoldout = CustomerSummarizer.SummarizeWithHoldout(rows, set.AsOf.PlusDays(-20), set.AsOf.PlusDays(10), PeriodUnit.Week);
        var holdoutDays = PurchaseDays(rows).Where(r => r.Date > set.AsOf.PlusDays(-20) && r.Date <= set.AsOf.PlusDays(10));
        return withHoldout.Select(h => h.Calibration).SequenceEqual(CustomerSummarizer.Summarize(rows, set.AsOf.PlusDays(-20), PeriodUnit.Week))
            && withHoldout.All(h => h.HoldoutFrequency == holdoutDays.Where(r => r.CustomerId == h.Calibration.CustomerId).Select(r => r.Date).Distinct().Count());
    }

    // Purchase days: a customer's days whose amounts add up to at least zero (a day of net refunds is a return).
    private static IEnumerable<(CustomerId CustomerId, LocalDate Date)> PurchaseDays(IEnumerable<CustomerTransaction> rows) =>
        rows.GroupBy(r => (r.CustomerId, r.Date)).Where(g => g.Sum(r => r.Amount) >= 0m).Select(g => g.Key);

    private static IEnumerable<CustomerTransaction> Transactions(RfmRowSet set) =>
        set.Rows.Select(r => new CustomerTransaction(r.Customer, r.Date, r.Amount));
}
