using System.Diagnostics;
using System.Runtime.CompilerServices;
using Crm.Core.Diagnostics;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// Loads purchases in bulk (imports, nightly feeds): batches of inserts, one transaction and one round of
/// statements per batch, with the transaction id as the idempotency key.
/// </summary>
/// <remarks>
/// <para>
/// Purchases whose transaction id is already stored (or repeated within the input) are skipped and counted, so a
/// feed that failed half-way can simply be ingested again: every batch is all-or-nothing, and batches already
/// committed are skipped on the retry. No domain events are dispatched (purchases raise none).
/// </para>
/// <para>
/// Resolve it per scope (registered by <c>UseEntityFrameworkCore</c>); it uses the scope's <see cref="CrmDbContext"/>
/// and leaves it empty. Not thread-safe; run one ingestion per scope.
/// </para>
/// <para>
/// With tenant isolation (<c>UseTenancy()</c>) purchases without a tenant get the current one, a purchase carrying another
/// tenant is refused, and a transaction id already stored under another tenant fails the batch with
/// <see cref="DuplicateAggregateException"/> (ids are global; only the current tenant's own ids are skipped).
/// </para>
/// </remarks>
public sealed class PurchaseIngestion
{
    /// <summary>The batch size used when none is given.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>The largest batch size accepted.</summary>
    public const int MaxBatchSize = 50_000;

    private readonly CrmDbContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the ingestion over <paramref name="context"/>.</summary>
    /// <param name="context">The scope's context.</param>
    /// <param name="logger">
    /// Receives one message per finished or failed ingestion (counts and duration only, event ids 4001 and 4002); null,
    /// or no logging registered, for none.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public PurchaseIngestion(CrmDbContext context, ILogger<PurchaseIngestion>? logger = null)
    {
        _context = Preconditions.CheckNotNull(context);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Stores <paramref name="purchases"/> in batches, skipping transaction ids already stored.</summary>
    /// <param name="purchases">Never-saved purchases (version 0).</param>
    /// <param name="batchSize">Purchases per transaction, in [1, <see cref="MaxBatchSize"/>].</param>
    /// <param name="progress">Receives the running totals after every committed batch (for a progress display); null for none.</param>
    /// <param name="cancellationToken">Cancels between and within batches; committed batches stay.</param>
    /// <returns>How many purchases were inserted and how many were skipped as already stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purchases"/> is null or yields null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A purchase was already saved (its version is not 0).</exception>
    /// <exception cref="TenantRequiredException">Tenant isolation is on and there is no current tenant.</exception>
    /// <exception cref="TenantMismatchException">Tenant isolation is on and a purchase carries another tenant.</exception>
    /// <exception cref="DuplicateAggregateException">Tenant isolation is on and a transaction id is stored under another tenant.</exception>
    public Task<PurchaseIngestionResult> IngestAsync(IEnumerable<Purchase> purchases, int batchSize = DefaultBatchSize,
        IProgress<PurchaseIngestionResult>? progress = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purchases);
        return IngestAsync(ToAsync(purchases), batchSize, progress, cancellationToken);
    }

    /// <inheritdoc cref="IngestAsync(IEnumerable{Purchase}, int, IProgress{PurchaseIngestionResult}?, CancellationToken)"/>
    public async Task<PurchaseIngestionResult> IngestAsync(IAsyncEnumerable<Purchase> purchases, int batchSize = DefaultBatchSize,
        IProgress<PurchaseIngestionResult>? progress = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckArgumentRange(nameof(batchSize), batchSize, 1, MaxBatchSize);
        var tenant = _context.CurrentTenant;
        long inserted = 0, skipped = 0, batches = 0;
        var started = Stopwatch.GetTimestamp();
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.PurchaseIngestSpan);
        activity?.SetTag("crm.purchases.batch_size", batchSize);
        try
        {
            var batch = new List<Purchase>(batchSize);
            await foreach (var purchase in purchases.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Preconditions.CheckArgument(purchase is not null, nameof(purchases), "The purchases must not contain null.");
                Preconditions.CheckArgument(purchase.Version == 0, nameof(purchases),
                    $"Purchase '{purchase.Id}' was already saved (version {purchase.Version}); ingestion only inserts new purchases.");
                if (tenant is { } current)
                {
                    TenantGuard.CheckWritable(purchase, current);
                }
                batch.Add(purchase);
                if (batch.Count == batchSize)
                {
                    var (i, s) = await WriteBatchAsync(batch, tenant, cancellationToken).ConfigureAwait(false);
                    inserted += i;
                    skipped += s;
                    batches++;
                    batch.Clear();
                    progress?.Report(new PurchaseIngestionResult(inserted, skipped));
                }
            }
            if (batch.Count > 0)
            {
                var (i, s) = await WriteBatchAsync(batch, tenant, cancellationToken).ConfigureAwait(false);
                inserted += i;
                skipped += s;
                batches++;
                progress?.Report(new PurchaseIngestionResult(inserted, skipped));
            }
            CrmLog.PurchaseIngestionFinished(_logger, inserted, skipped, batches, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new PurchaseIngestionResult(inserted, skipped);
        }
        catch (Exception e)
        {
            CrmDiagnostics.RecordFailure(activity, e);
            CrmLog.PurchaseIngestionStopped(_logger, CrmLog.TypeOf(e), inserted, skipped, batches);
            throw;
        }
        finally
        {
            // Committed batches count even when a later one fails: they are stored.
            if (activity is not null)
            {
                activity.SetTag("crm.purchases.inserted", inserted);
                activity.SetTag("crm.purchases.skipped", skipped);
            }
        }
    }

    private async Task<(long Inserted, long Skipped)> WriteBatchAsync(List<Purchase> batch, TenantId? tenant, CancellationToken cancellationToken)
    {
        var ids = batch.Select(p => p.Id).Distinct().ToList();
        // Every tenant's rows: transaction ids are global, so one stored under another tenant cannot be inserted (and must
        // not be skipped as if it were this tenant's). Only the ids are read.
        var stored = await _context.Set<Purchase>().IgnoreQueryFilters().AsNoTracking()
            .Where(p => ids.Contains(p.Id))
            .Select(p => new { p.Id, p.TenantId })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (tenant is not null && stored.FirstOrDefault(p => p.TenantId != tenant) is { } foreign)
        {
            throw new DuplicateAggregateException(nameof(Purchase), foreign.Id.Value);
        }
        var existing = stored.Select(p => p.Id).ToHashSet();
        var fresh = new List<Purchase>(batch.Count);
        foreach (var purchase in batch)
        {
            if (existing.Add(purchase.Id)) // also drops repeats within the batch
            {
                fresh.Add(purchase);
            }
        }
        var claimed = new List<Purchase>();
        try
        {
            foreach (var purchase in fresh)
            {
                if (tenant is { } current && purchase.TenantId is null)
                {
                    purchase.AssignTenant(current);
                    claimed.Add(purchase);
                }
                var entry = _context.Entry(purchase);
                entry.State = EntityState.Added;
                entry.Property(p => p.Version).CurrentValue = 1;
            }
            await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var purchase in fresh)
            {
                purchase.SetVersion(0);
            }
            foreach (var purchase in claimed)
            {
                purchase.ClearTenant(); // a failed batch leaves the caller's purchases as they were
            }
            throw;
        }
        finally
        {
            _context.ChangeTracker.Clear();
        }
        // Counted per committed batch, so a feed failing half-way still reports what it stored.
        if (fresh.Count > 0 && CrmDiagnostics.PurchasesInserted.Enabled)
        {
            CrmDiagnostics.PurchasesInserted.Add(fresh.Count);
        }
        if (batch.Count > fresh.Count && CrmDiagnostics.PurchasesSkipped.Enabled)
        {
            CrmDiagnostics.PurchasesSkipped.Add(batch.Count - fresh.Count);
        }
        return (fresh.Count, batch.Count - fresh.Count);
    }

    private static async IAsyncEnumerable<Purchase> ToAsync(IEnumerable<Purchase> purchases, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var purchase in purchases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return purchase;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }
}

/// <summary>What <see cref="PurchaseIngestion.IngestAsync(IEnumerable{Purchase}, int, IProgress{PurchaseIngestionResult}?, CancellationToken)"/> did, or has done so far when reported as progress.</summary>
/// <param name="Inserted">Purchases stored.</param>
/// <param name="Skipped">Purchases skipped because their transaction id was already stored or repeated in the input.</param>
public readonly record struct PurchaseIngestionResult(long Inserted, long Skipped);
