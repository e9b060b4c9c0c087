using System.Diagnostics;
using Crm.Core.Customers;
using Crm.Core.Diagnostics;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Rfm;

/// <summary>
/// Computes recency, frequency and monetary metrics, scores and segments. Two input forms: the convenient
/// <see cref="IEnumerable{T}"/> of <see cref="Purchase"/>, and a bulk columnar form (customer keys, dates, amounts)
/// built for millions of rows. For rows streamed from a file, use <see cref="RfmAccumulator"/>.
/// </summary>
/// <remarks>
/// Definitions (all forms): rows dated on or before the as-of date A (and after A − W with a window of W days) count.
/// Rows group into transactions by (customer, transaction id); a transaction's amount is the sum of its rows and its
/// date the latest of theirs. Amount ≥ 0 is a purchase, &lt; 0 a refund. recency_days = A − date of the latest
/// purchase; frequency = number of purchases; monetary = sum of all transactions, refunds included. Customers without
/// a purchase in range are not scored. Every call computes from scratch; the methods are thread-safe.
/// </remarks>
public static class RfmCalculator
{
    /// <summary>Computes RFM from purchases (a <see cref="Purchase"/> sharing a transaction id with another of the same customer is another line of that order).</summary>
    /// <param name="purchases">The purchases and refunds, in any order.</param>
    /// <param name="options">As-of date, window, zone, bins, strategy and segment map.</param>
    /// <returns>The scored customers, sorted by customer id (ordinal).</returns>
    /// <exception cref="ArgumentNullException">An argument is null or the sequence contains null.</exception>
    /// <exception cref="ArgumentException">The options' parts disagree.</exception>
    /// <exception cref="RfmCurrencyMismatchException">The purchases are in more than one currency.</exception>
    public static RfmResult<CustomerId> Compute(IEnumerable<Purchase> purchases, RfmOptions options)
    {
        Preconditions.CheckNotNull(purchases);
        var accumulator = new RfmAccumulator(options);
        var started = Stopwatch.GetTimestamp();
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.RfmComputeSpan);
        try
        {
            long rows = 0;
            foreach (var purchase in purchases)
            {
                Preconditions.CheckArgument(purchase is not null, nameof(purchases), "The sequence must not contain null.");
                accumulator.Add(purchase.CustomerId, purchase.TransactionId, purchase.OccurredAt, purchase.Total);
                if (++rows % RfmProgress.ReportInterval == 0)
                {
                    options.Progress?.Report(new RfmProgress(RfmStage.Reading, rows, 0));
                }
            }
            var result = accumulator.ToResult();
            Completed(activity, started, PurchasesInput, rows, result.Count, options);
            return result;
        }
        catch (Exception e)
        {
            Failed(activity, e, PurchasesInput, options);
            throw;
        }
    }

    private const string PurchasesInput = "purchases";
    private const string ColumnsInput = "columns";
    private const string SummariesInput = "summaries";

    /// <summary>Tags the span and records the duration; customer keys never go on tags, only counts.</summary>
    internal static void Completed(Activity? activity, long started, string input, long rows, int customers, RfmOptions options)
    {
        options.Progress?.Report(new RfmProgress(RfmStage.Completed, rows, customers));
        if (activity is not null)
        {
            activity.SetTag("crm.rfm.input", input);
            activity.SetTag("crm.rfm.rows", rows);
            activity.SetTag("crm.rfm.customers", customers);
        }
        CrmDiagnostics.RecordRfmDuration(started, input);
        if (options.Logger is { } logger)
        {
            CrmLog.RfmComputed(logger, input, rows, customers, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Marks the span as failed and logs the failure (the caller rethrows).</summary>
    internal static void Failed(Activity? activity, Exception exception, string input, RfmOptions? options)
    {
        CrmDiagnostics.RecordFailure(activity, exception);
        if (options?.Logger is { } logger)
        {
            CrmLog.RfmFailed(logger, input, CrmLog.TypeOf(exception));
        }
    }

    /// <summary>
    /// Computes RFM from columns: row i is customer <paramref name="customerKeys"/>[i] buying on <paramref name="dates"/>[i]
    /// for <paramref name="amounts"/>[i]. Each row is a transaction of its own (one order = one row); use the overload
    /// with transaction keys for line-level rows.
    /// </summary>
    /// <param name="customerKeys">The host's 64-bit customer keys (map string ids to numbers once, e.g. with a dictionary).</param>
    /// <param name="dates">The dates, ISO calendar, already in the host's business time zone.</param>
    /// <param name="amounts">The amounts in <paramref name="currency"/>; negative for refunds.</param>
    /// <param name="currency">The one currency of every amount.</param>
    /// <param name="options">As-of date, window, bins, strategy, segment map and <see cref="RfmOptions.MaxDegreeOfParallelism"/>.</param>
    /// <returns>The scored customers, in no particular order; equal-count ties are broken by ascending key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The columns differ in length, a date is not ISO, the currency is default, or the options disagree.</exception>
    /// <remarks>
    /// Amounts that are whole cents are summed as 64-bit integers; if any amount has finer precision the whole
    /// computation falls back to exact decimal arithmetic, so results never depend on the path.
    /// </remarks>
    public static RfmResult<long> Compute(ReadOnlyMemory<long> customerKeys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, Currency currency, RfmOptions options) =>
        Compute(customerKeys, ReadOnlyMemory<long>.Empty, dates, amounts, currency, options);

    /// <summary>
    /// Computes RFM from columns with a transaction key per row: rows sharing customer and transaction key are lines of
    /// one order. Pass an empty <paramref name="transactionKeys"/> when every row is its own transaction.
    /// </summary>
    /// <param name="customerKeys">The host's 64-bit customer keys.</param>
    /// <param name="transactionKeys">The order each row belongs to, or empty.</param>
    /// <param name="dates">The dates, ISO calendar, already in the host's business time zone.</param>
    /// <param name="amounts">The amounts in <paramref name="currency"/>; negative for refunds.</param>
    /// <param name="currency">The one currency of every amount.</param>
    /// <param name="options">As-of date, window, bins, strategy, segment map and parallelism.</param>
    /// <returns>The scored customers, in no particular order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The columns differ in length, a date is not ISO, the currency is default, or the options disagree.</exception>
    public static RfmResult<long> Compute(ReadOnlyMemory<long> customerKeys, ReadOnlyMemory<long> transactionKeys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, Currency currency, RfmOptions options)
    {
        Preconditions.CheckNotNull(options);
        options.Validate(nameof(options));
        Preconditions.CheckArgument(!currency.IsDefault, nameof(currency), "A currency is required.");
        var n = customerKeys.Length;
        Preconditions.CheckArgument(dates.Length == n && amounts.Length == n, nameof(dates), $"Every column needs one value per row: {n} customer keys, {dates.Length} dates, {amounts.Length} amounts.");
        Preconditions.CheckArgument(transactionKeys.IsEmpty || transactionKeys.Length == n, nameof(transactionKeys), $"Give one transaction key per row ({n}), or none.");
        Currency? resultCurrency = n == 0 ? null : currency;
        var started = Stopwatch.GetTimestamp();
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.RfmComputeSpan);
        try
        {
            RfmResult<long>? result = null;
            if (transactionKeys.IsEmpty)
            {
                var fast = BulkAggregator.TryAggregate(customerKeys, dates, amounts, options.FirstDay, options.LastDay, options.EffectiveParallelism);
                result = fast?.ToResult(options, resultCurrency);
            }
            result ??= ExactBulk(customerKeys.Span, transactionKeys.Span, dates.Span, amounts.Span, options).ToResult(options, resultCurrency);
            Completed(activity, started, ColumnsInput, n, result.Count, options);
            return result;
        }
        catch (Exception e)
        {
            Failed(activity, e, ColumnsInput, options);
            throw;
        }
    }

    /// <summary>
    /// Scores customers whose metrics were aggregated elsewhere (for example by one <c>GROUP BY</c> in a database, so that
    /// millions of purchases never leave it): tie-aware or equal-count scores and segments exactly as if the purchases had
    /// been given to <see cref="Compute(IEnumerable{Purchase}, RfmOptions)"/>.
    /// </summary>
    /// <param name="summaries">One entry per scored customer, in any order.</param>
    /// <param name="currency">The one currency of every monetary value; may be null only when there are no summaries.</param>
    /// <param name="options">As-of date, window, bins, strategy and segment map (the zone is the one the dates were taken in).</param>
    /// <returns>The scored customers, sorted by customer id (ordinal).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The currency is missing while there are summaries; a summary has a default customer, a frequency below 1 or a last purchase date outside the
    /// options' range; or a customer appears twice.
    /// </exception>
    public static RfmResult<CustomerId> Score(IEnumerable<RfmCustomerSummary> summaries, Currency? currency, RfmOptions options)
    {
        Preconditions.CheckNotNull(summaries);
        Preconditions.CheckNotNull(options);
        var started = Stopwatch.GetTimestamp();
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.RfmComputeSpan);
        try
        {
            var rows = summaries.ToArray();
            var result = ScoreCore(rows, currency, options);
            Completed(activity, started, SummariesInput, rows.Length, result.Count, options);
            return result;
        }
        catch (Exception e)
        {
            Failed(activity, e, SummariesInput, options);
            throw;
        }
    }

    /// <summary>
    /// <see cref="Score"/> without its span, metric and log, for callers that report the whole computation themselves
    /// (the database calculator, whose input is the purchases it grouped). Sorts <paramref name="rows"/> in place.
    /// </summary>
    internal static RfmResult<CustomerId> ScoreCore(RfmCustomerSummary[] rows, Currency? currency, RfmOptions options)
    {
        options.Validate(nameof(options));
        Preconditions.CheckArgument(rows.Length == 0 || currency is { IsDefault: false }, nameof(currency), "A currency is required when there are customers to score.");
        Array.Sort(rows, static (a, b) => a.Customer.CompareTo(b.Customer));
        var n = rows.Length;
        var customers = new CustomerId[n];
        var lastDay = new int[n];
        var frequency = new int[n];
        var monetary = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            Preconditions.CheckArgument(!row.Customer.IsDefault, "summaries", $"Summary {i} has no customer id.");
            Preconditions.CheckArgument(i == 0 || !row.Customer.Equals(rows[i - 1].Customer), "summaries", $"Customer '{row.Customer}' appears more than once; give one summary per customer.");
            Preconditions.CheckArgument(row.Frequency >= 1, "summaries", $"Customer '{row.Customer}' has frequency {row.Frequency}; only customers with at least one purchase are scored.");
            var day = EpochDays.FromDate(row.LastPurchaseDate);
            Preconditions.CheckArgument(day >= options.FirstDay && day <= options.LastDay, "summaries", $"Customer '{row.Customer}' last bought on {row.LastPurchaseDate:uuuu-MM-dd}, outside the computation's range (as of {options.AsOf:uuuu-MM-dd}, window {options.WindowDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
            customers[i] = row.Customer;
            lastDay[i] = day;
            frequency[i] = row.Frequency;
            monetary[i] = row.Monetary;
        }
        var metrics = new CustomerMetrics<CustomerId>(customers, lastDay, frequency, ExactAggregator<CustomerId, TransactionId>.ToCentsIfExact(monetary));
        return metrics.ToResult(options, currency);
    }

    private static CustomerMetrics<long> ExactBulk(ReadOnlySpan<long> keys, ReadOnlySpan<long> transactions, ReadOnlySpan<LocalDate> dates, ReadOnlySpan<decimal> amounts, RfmOptions options)
    {
        var aggregator = new ExactAggregator<long, long>();
        var firstDay = options.FirstDay;
        var lastDay = options.LastDay;
        var hasTransactions = !transactions.IsEmpty;
        for (var i = 0; i < keys.Length; i++)
        {
            var day = EpochDays.FromDate(dates[i]);
            if (day >= firstDay && day <= lastDay)
            {
                aggregator.Add(keys[i], hasTransactions ? transactions[i] : 0, hasTransactions, day, amounts[i]);
            }
        }
        return aggregator.Build(sortBy: null);
    }
}
