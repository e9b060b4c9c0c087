using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Crm.Core.Customers;
using Crm.Core.Diagnostics;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>The instruments are process-wide and their counters untagged, so these tests run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EfDiagnosticsCollection
{
    public const string Name = "EF diagnostics (not parallel)";
}

/// <summary>Bulk ingestion and RFM in the database emit the documented spans and counters, with no customer id in any tag.</summary>
[Collection(EfDiagnosticsCollection.Name)]
public sealed class SqliteDiagnosticsTest : DatabaseTest
{
    private const string Marker = "secret-person";
    private const string TestSourceName = "Crm.Core.EntityFrameworkCore.Tests.Diagnostics";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-diagnostics";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("diagnostics"));

    [Fact]
    public async Task Ingestion_and_database_rfm_emit_spans_and_counters()
    {
        var tenant = new TenantId("t" + Guid.NewGuid().ToString("N"));
        var asOf = new LocalDate(2024, 3, 31);
        var at = asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var purchases = Enumerable.Range(0, 5).Select(i => Purchase.Create(
            new TransactionId($"{tenant}-{i}"), new CustomerId($"{Marker}-{i % 3}"), at, Channel.Web, new Money(10m + i, Currency.EUR), tenant)).ToList();

        var stopped = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name is CrmDiagnostics.ActivitySourceName or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        var measurements = new ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == CrmDiagnostics.MeterName)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => measurements.Enqueue((i.Name, v, t.ToArray())));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => measurements.Enqueue((i.Name, v, t.ToArray())));
        meters.Start();

        RfmResult<CustomerId> rfm;
        using (var root = TestSource.StartActivity("test-root") ?? throw new InvalidOperationException("The test listener did not sample the root."))
        {
            await using (var scope = Services.CreateAsyncScope())
            {
                var result = await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>().IngestAsync(purchases, batchSize: 2);
                Assert.Equal(5, result.Inserted);
            }
            await using (var scope = Services.CreateAsyncScope())
            {
                // Never-saved copies of stored purchases: their transaction ids are stored, so all are skipped.
                var result = await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>().IngestAsync(purchases.Take(3).Select(p => Purchase.Create(p.Id, p.CustomerId, p.OccurredAt, p.Channel, p.Total, tenant)), batchSize: 2);
                Assert.Equal(3, result.Skipped);
            }
            await using (var scope = Services.CreateAsyncScope())
            {
                rfm = await scope.ServiceProvider.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(new RfmOptions(asOf), tenant);
            }
            root.Stop();
            var spans = stopped.Where(a => a.TraceId == root.TraceId && a.Source.Name == CrmDiagnostics.ActivitySourceName).ToList();

            var ingests = spans.Where(a => a.OperationName == CrmDiagnostics.PurchaseIngestSpan).ToList();
            Assert.Equal(2, ingests.Count);
            Assert.Equal(5L, ingests[0].GetTagItem("crm.purchases.inserted"));
            Assert.Equal(0L, ingests[0].GetTagItem("crm.purchases.skipped"));
            Assert.Equal(2, ingests[0].GetTagItem("crm.purchases.batch_size"));
            Assert.Equal(0L, ingests[1].GetTagItem("crm.purchases.inserted"));
            Assert.Equal(3L, ingests[1].GetTagItem("crm.purchases.skipped"));

            var compute = Assert.Single(spans, a => a.OperationName == CrmDiagnostics.RfmComputeSpan);
            Assert.Equal("database", compute.GetTagItem("crm.rfm.input"));
            Assert.Equal(3L, compute.GetTagItem("crm.rfm.rows"));
            Assert.Equal(3, compute.GetTagItem("crm.rfm.customers"));
            Assert.Equal(3, rfm.Count);

            Assert.Equal(5, measurements.Where(m => m.Instrument == CrmDiagnostics.PurchasesInsertedCounter).Sum(m => m.Value));
            Assert.Equal(3, measurements.Where(m => m.Instrument == CrmDiagnostics.PurchasesSkippedCounter).Sum(m => m.Value));
            Assert.Single(measurements, m => m.Instrument == CrmDiagnostics.RfmDurationHistogram);

            var tagValues = spans.SelectMany(a => a.TagObjects.Select(t => t.Value?.ToString() ?? string.Empty))
                .Concat(measurements.SelectMany(m => m.Tags.Select(t => t.Value?.ToString() ?? string.Empty)));
            Assert.DoesNotContain(tagValues, v => v.Contains(Marker, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Ingestion_logs_the_finished_run_and_a_stop_with_counts_only()
    {
        var tenant = new TenantId("t" + Guid.NewGuid().ToString("N"));
        var at = Instant.FromUtc(2024, 3, 1, 12, 0);
        Purchase New(int i, TenantId owner) =>
            Purchase.Create(new TransactionId($"{tenant}-{i}"), new CustomerId($"{Marker}-{i}"), at, Channel.Web, new Money(10m, Currency.EUR), owner);
        var logger = new FakeLogger<PurchaseIngestion>();

        await using (var scope = Services.CreateAsyncScope())
        {
            var ingestion = new PurchaseIngestion(scope.ServiceProvider.GetRequiredService<CrmDbContext>(), logger);
            await ingestion.IngestAsync([New(0, tenant), New(1, tenant), New(2, tenant)], batchSize: 2);
        }
        var finished = logger.Collector.LatestRecord;
        Assert.Equal(4001, finished.Id.Id);
        Assert.Equal(LogLevel.Information, finished.Level);
        Assert.StartsWith("Purchase ingestion finished: 3 inserted, 0 skipped as already stored, in 2 batches, in ", finished.Message, StringComparison.Ordinal);

        // A null in the second batch stops the run after the first one committed (purchase 1 is skipped as stored).
        await using (var scope = Services.CreateAsyncScope())
        {
            var ingestion = new PurchaseIngestion(scope.ServiceProvider.GetRequiredService<CrmDbContext>(), logger);
            await Assert.ThrowsAnyAsync<ArgumentException>(() => ingestion.IngestAsync([New(3, tenant), New(1, tenant), null!], batchSize: 2));
        }
        var stopped = logger.Collector.LatestRecord;
        Assert.Equal(4002, stopped.Id.Id);
        Assert.Equal(LogLevel.Warning, stopped.Level);
        Assert.Null(stopped.Exception); // its message may name a purchase; the caller has it
        Assert.StartsWith("Purchase ingestion stopped by System.ArgumentException after 1 inserted and 1 skipped in 1 committed batches", stopped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }
}
