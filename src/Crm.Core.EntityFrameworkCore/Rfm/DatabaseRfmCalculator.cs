using System.Diagnostics;
using Crm.Core.Customers;
using Crm.Core.Diagnostics;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Rfm;

/// <summary>
/// RFM pushed down to the database: one <c>GROUP BY customer_id</c> over the stored purchases computes each customer's
/// latest purchase, purchase count and net amount, and only those per-customer rows travel to the library, which scores
/// and segments them (<see cref="RfmCalculator.Score"/>). The result equals
/// <see cref="RfmCalculator.Compute(IEnumerable{Purchase}, RfmOptions)"/> over the same purchases.
/// </summary>
/// <remarks>
/// <para>
/// Day boundaries in <see cref="RfmOptions.Zone"/> are turned into instants before the query (the window is
/// [start of the first day, start of the day after the as-of date)), and the latest purchase instant is converted to a
/// date afterwards: converting an instant to a local date never reverses order, so the latest instant gives the
/// latest date. The database therefore needs no time-zone support, and SQLite and PostgreSQL agree.
/// </para>
/// <para>Each stored purchase is one transaction (transaction ids are unique), so no line grouping is needed.</para>
/// <para>Resolve it per scope (registered by <c>UseEntityFrameworkCore</c>). Memory grows with scored customers only.</para>
/// </remarks>
public sealed class DatabaseRfmCalculator
{
    private readonly CrmDbContext _context;

    /// <summary>Creates the calculator over the scope's context.</summary>
    /// <param name="context">The scope's context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public DatabaseRfmCalculator(CrmDbContext context) => _context = Preconditions.CheckNotNull(context);

    /// <summary>Computes RFM over the stored purchases (of one tenant, when given).</summary>
    /// <param name="options">As-of date, window, zone, bins, strategy and segment map.</param>
    /// <param name="tenant">Only this tenant's purchases; null for all rows. With tenant isolation (<c>UseTenancy()</c>) only the
    /// current tenant's purchases are read whatever is passed, and passing another tenant throws.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>
    /// The scored customers, sorted by customer id (ordinal). Its <see cref="RfmResult{TCustomer}.Currency"/> is null when
    /// no purchase lies in range (only rows in range are read).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' parts disagree.</exception>
    /// <exception cref="RfmCurrencyMismatchException">The purchases in range are in more than one currency.</exception>
    /// <exception cref="TenantRequiredException">Tenant isolation is on and there is no current tenant.</exception>
    /// <exception cref="TenantMismatchException">Tenant isolation is on and <paramref name="tenant"/> is another tenant.</exception>
    public async Task<RfmResult<CustomerId>> ComputeAsync(RfmOptions options, TenantId? tenant = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(options);
        // With tenant isolation the query filter already limits the purchases to the current tenant; asking for another
        // tenant's figures is a mistake, not an empty result.
        if (_context.CurrentTenant is { } current && tenant is { } requested && requested != current)
        {
            throw new TenantMismatchException($"The RFM computation for tenant '{requested}'", current);
        }
        var zone = options.Zone;
        var end = options.AsOf.PlusDays(1).AtStartOfDayInZone(zone).ToInstant();
        Instant? start = options.WindowDays is int window ? options.AsOf.PlusDays(1 - window).AtStartOfDayInZone(zone).ToInstant() : null;

        var purchases = _context.Set<Purchase>().AsNoTracking().Where(p => p.OccurredAt < end);
        if (start is Instant from)
        {
            purchases = purchases.Where(p => p.OccurredAt >= from);
        }
        if (tenant is TenantId t)
        {
            purchases = purchases.Where(p => p.TenantId == t);
        }
        var rows = purchases
            .GroupBy(p => new { p.CustomerId, p.Total.Currency })
            .Select(g => new
            {
                g.Key.CustomerId,
                g.Key.Currency,
                LastPurchase = g.Max(p => p.Total.Amount >= 0m ? (Instant?)p.OccurredAt : null),
                Frequency = g.Count(p => p.Total.Amount >= 0m),
                Monetary = g.Sum(p => p.Total.Amount),
            });

        var started = Stopwatch.GetTimestamp();
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.RfmComputeSpan);
        try
        {
            var summaries = new List<RfmCustomerSummary>();
            Currency? currency = null;
            long groups = 0;
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (++groups % RfmProgress.ReportInterval == 0)
                {
                    options.Progress?.Report(new RfmProgress(RfmStage.Reading, groups, 0));
                }
                currency ??= row.Currency;
                if (row.Currency != currency.Value)
                {
                    throw new RfmCurrencyMismatchException(currency.Value, row.Currency, row.CustomerId.Value, transaction: null);
                }
                // Customers with refunds only are not scored (the same rule as in memory).
                if (row.LastPurchase is Instant last)
                {
                    summaries.Add(new RfmCustomerSummary(row.CustomerId, last.InZone(zone).Date, row.Frequency, row.Monetary));
                }
            }
            var result = RfmCalculator.ScoreCore([.. summaries], currency, options);
            // Rows here are the per-customer groups the database returned, not the purchases it read.
            RfmCalculator.Completed(activity, started, "database", groups, result.Count, options);
            return result;
        }
        catch (Exception e)
        {
            RfmCalculator.Failed(activity, e, "database", options);
            throw;
        }
    }
}
