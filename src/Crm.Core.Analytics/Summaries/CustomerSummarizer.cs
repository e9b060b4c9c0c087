using Crm.Core.Customers;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Analytics.Summaries;

/// <summary>
/// Builds <see cref="CustomerSummary"/> rows from transactions exactly as <c>lifetimes</c>'
/// <c>summary_data_from_transaction_data</c> does at day granularity, so that parameters fitted here agree with
/// the published CDNOW results.
/// </summary>
/// <remarks>
/// Rules: purchases on the same day are merged (amounts summed); rows after the calibration end are ignored;
/// x = distinct purchase days − 1; t_x = (last − first purchase day) / period; T = (calibration end − first
/// purchase day) / period; m = mean of the merged daily amounts excluding the first day (0 when x = 0).
/// A day whose merged amount is negative (refunds outweigh purchases) is a return, not a purchase: it is not a
/// purchase day and adds no spend, so m is never negative (the models need spend ≥ 0); zero-amount days count, as in
/// CDNOW. Customers whose first purchase falls after the calibration end are not in the result. Results are ordered by
/// customer id (ordinal). Stateless and thread-safe.
/// </remarks>
public static class CustomerSummarizer
{
    /// <summary>Summarises the calibration period ending (inclusive) on <paramref name="calibrationEnd"/>.</summary>
    /// <param name="transactions">The transactions, in any order.</param>
    /// <param name="calibrationEnd">The last day of the calibration period.</param>
    /// <param name="period">The time unit of recency and age.</param>
    /// <returns>One summary per customer with a purchase on or before the calibration end, ordered by customer id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transactions"/> is null.</exception>
    /// <exception cref="ArgumentException">A transaction has a default customer id, or a customer's amounts add up beyond decimal's range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not defined.</exception>
    public static IReadOnlyList<CustomerSummary> Summarize(IEnumerable<CustomerTransaction> transactions, LocalDate calibrationEnd, PeriodUnit period)
        => SummarizeWithHoldout(transactions, calibrationEnd, calibrationEnd, period).Select(s => s.Calibration).ToArray();

    /// <summary>
    /// Summarises the calibration period and counts what each customer did in the holdout period
    /// (the day after <paramref name="calibrationEnd"/> up to <paramref name="holdoutEnd"/> inclusive).
    /// </summary>
    /// <param name="transactions">The transactions, in any order.</param>
    /// <param name="calibrationEnd">The last day of the calibration period.</param>
    /// <param name="holdoutEnd">The last day of the holdout period; equal to the calibration end for no holdout.</param>
    /// <param name="period">The time unit of recency, age and holdout duration.</param>
    /// <returns>One row per customer acquired on or before the calibration end, ordered by customer id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transactions"/> is null.</exception>
    /// <exception cref="ArgumentException">The holdout ends before the calibration, a transaction has a default customer id, or a customer's amounts add up beyond decimal's range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not defined.</exception>
    public static IReadOnlyList<CalibrationHoldoutSummary> SummarizeWithHoldout(IEnumerable<CustomerTransaction> transactions, LocalDate calibrationEnd, LocalDate holdoutEnd, PeriodUnit period)
    {
        Preconditions.CheckNotNull(transactions);
        Preconditions.CheckArgument(holdoutEnd >= calibrationEnd, nameof(holdoutEnd), "The holdout period must not end before the calibration period.");
        double days = period.Days();

        // Merge to one amount per (customer, day) first: that is what makes several orders on one day one purchase.
        // Purchases and refunds of a day are summed apart, so whether a day's amounts fit in a decimal does not depend
        // on the order of the rows (same-signed sums only grow).
        var perCustomer = new Dictionary<CustomerId, SortedDictionary<LocalDate, (decimal Bought, decimal Refunded)>>();
        foreach (var t in transactions)
        {
            Preconditions.CheckNotDefault(t.CustomerId, nameof(transactions));
            if (t.Date > holdoutEnd)
            {
                continue;
            }
            if (!perCustomer.TryGetValue(t.CustomerId, out var daysBought))
            {
                daysBought = [];
                perCustomer.Add(t.CustomerId, daysBought);
            }
            var (bought, refunded) = daysBought.GetValueOrDefault(t.Date);
            daysBought[t.Date] = t.Amount >= 0m ? (Add(bought, t.Amount, t.CustomerId), refunded) : (bought, Add(refunded, -t.Amount, t.CustomerId));
        }

        var result = new List<CalibrationHoldoutSummary>(perCustomer.Count);
        foreach (var (customer, allDays) in perCustomer.OrderBy(p => p.Key.Value, StringComparer.Ordinal))
        {
            var daysBought = allDays.Select(d => (Day: d.Key, Amount: d.Value.Bought - d.Value.Refunded)).Where(d => d.Amount >= 0m).ToList();
            if (daysBought.Count == 0)
            {
                continue; // only returns: never a purchase
            }
            var first = daysBought[0].Day;
            if (first > calibrationEnd)
            {
                continue; // not yet acquired in the calibration period
            }
            var x = -1;
            var last = first;
            var repeatSpend = 0m;
            var holdoutCount = 0;
            var holdoutSpend = 0m;
            foreach (var (day, amount) in daysBought)
            {
                if (day <= calibrationEnd)
                {
                    x++;
                    last = day;
                    if (day != first)
                    {
                        repeatSpend = Add(repeatSpend, amount, customer);
                    }
                }
                else
                {
                    holdoutCount++;
                    holdoutSpend = Add(holdoutSpend, amount, customer);
                }
            }
            var recency = Period.Between(first, last, PeriodUnits.Days).Days / days;
            var age = Period.Between(first, calibrationEnd, PeriodUnits.Days).Days / days;
            var monetary = x == 0 ? 0m : repeatSpend / x;
            var calibration = new CustomerSummary(customer, first, x, recency, age, monetary);
            var holdoutDuration = Period.Between(calibrationEnd, holdoutEnd, PeriodUnits.Days).Days / days;
            result.Add(new CalibrationHoldoutSummary(calibration, holdoutCount, holdoutSpend, holdoutDuration));
        }
        return result;
    }

    /// <summary>
    /// Converts purchases to transactions on the local day of <paramref name="zone"/>. Refunds are left out: the
    /// models count buying occasions, and a return is not one (net the amounts beforehand if spend should be net).
    /// </summary>
    /// <param name="purchases">The purchases.</param>
    /// <param name="zone">The shop's time zone, which decides the calendar day of a purchase.</param>
    /// <returns>One transaction per non-refund purchase, amount = the purchase total.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or the sequence contains null.</exception>
    public static IEnumerable<CustomerTransaction> FromPurchases(IEnumerable<Purchase> purchases, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(zone);
        return Iterate(purchases, zone);

        static IEnumerable<CustomerTransaction> Iterate(IEnumerable<Purchase> purchases, DateTimeZone zone)
        {
            foreach (var p in purchases)
            {
                Preconditions.CheckNotNull(p, nameof(purchases));
                if (!p.IsRefund)
                {
                    yield return new CustomerTransaction(p.CustomerId, p.OccurredAt.InZone(zone).Date, p.Total.Amount);
                }
            }
        }
    }

    // Sums of non-negative daily amounts, refused (naming the argument) rather than overflowing.
    private static decimal Add(decimal total, decimal amount, CustomerId customer)
    {
        Preconditions.CheckArgument(!Saturating.Overflows(total, amount), "transactions", $"The amounts of customer '{customer}' add up beyond decimal's range.");
        return total + amount;
    }
}
