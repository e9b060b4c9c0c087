using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Purchases;
using Crm.Core.DependencyInjection;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NodaTime;

namespace Crm.Core.Tests.Diagnostics;

/// <summary>IProgress reports of the long-running operations, and the library's ILogger messages.</summary>
public class ProgressAndLoggingTest
{
    private const string Marker = "secret-person";

    private sealed class ListProgress<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }

    [Fact]
    public void Rfm_over_a_purchase_stream_reports_reading_every_interval_and_completion_once()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var at = asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var rows = RfmProgress.ReportInterval * 2 + 5;
        var purchases = Enumerable.Range(0, rows).Select(i => Purchase.Create(
            new TransactionId($"t{i}"), new CustomerId($"c{i % 10}"), at, Channel.Web, new Money(1m, Currency.EUR)));
        var progress = new ListProgress<RfmProgress>();

        var result = RfmCalculator.Compute(purchases, new RfmOptions(asOf) { Progress = progress });

        Assert.Equal(
        [
            new RfmProgress(RfmStage.Reading, RfmProgress.ReportInterval, 0),
            new RfmProgress(RfmStage.Reading, RfmProgress.ReportInterval * 2, 0),
            new RfmProgress(RfmStage.Completed, rows, 10),
        ], progress.Reports);
        Assert.Equal(10, result.Count);
    }

    [Fact]
    public void Rfm_logs_its_completion_and_failures_with_counts_and_types_only()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var at = asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var logger = new FakeLogger();
        var options = new RfmOptions(asOf) { Logger = logger };
        var purchases = Enumerable.Range(0, 6).Select(i => Purchase.Create(
            new TransactionId($"t{i}"), new CustomerId($"{Marker}-{i % 3}"), at, Channel.Web, new Money(1m, Currency.EUR))).ToList();

        RfmCalculator.Compute(purchases, options);
        var completed = logger.Collector.LatestRecord;
        Assert.Equal(6001, completed.Id.Id);
        Assert.Equal(LogLevel.Information, completed.Level);
        Assert.StartsWith("RFM computed from purchases: 6 rows read, 3 customers scored, in ", completed.Message, StringComparison.Ordinal);

        purchases.Add(Purchase.Create(new TransactionId("t-usd"), new CustomerId($"{Marker}-usd"), at, Channel.Web, new Money(1m, Currency.USD)));
        Assert.Throws<RfmCurrencyMismatchException>(() => RfmCalculator.Compute(purchases, options));
        var failed = logger.Collector.LatestRecord;
        Assert.Equal(6002, failed.Id.Id);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal($"RFM computation from purchases failed with {typeof(RfmCurrencyMismatchException).FullName}.", failed.Message);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public void Rfm_scoring_of_summaries_logs_like_a_computation()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var logger = new FakeLogger();
        var options = new RfmOptions(asOf) { Logger = logger };
        var summaries = Enumerable.Range(0, 4).Select(i => new RfmCustomerSummary(new CustomerId($"{Marker}-{i}"), asOf, 1 + i, 10m * (i + 1))).ToList();

        var result = RfmCalculator.Score(summaries, Currency.EUR, options);
        Assert.Equal(4, result.Count);
        var completed = logger.Collector.LatestRecord;
        Assert.Equal((6001, LogLevel.Information), (completed.Id.Id, completed.Level));
        Assert.StartsWith("RFM computed from summaries: 4 rows read, 4 customers scored, in ", completed.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => RfmCalculator.Score([summaries[0], summaries[0]], Currency.EUR, options));
        Assert.Equal("RFM computation from summaries failed with System.ArgumentException.", logger.Collector.LatestRecord.Message);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public void Rfm_over_columns_reports_completion_only()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var progress = new ListProgress<RfmProgress>();

        RfmCalculator.Compute(new long[] { 1, 2, 2 }, new[] { asOf, asOf, asOf }, new[] { 1m, 2m, 3m }, Currency.EUR, new RfmOptions(asOf) { Progress = progress });

        Assert.Equal([new RfmProgress(RfmStage.Completed, 3, 2)], progress.Reports);
    }

    [Fact]
    public async Task Lifecycle_evaluation_reports_running_totals_after_every_batch()
    {
        var start = new LocalDate(2025, 1, 1);
        var bought = PurchaseSummary.FromPurchaseDates([start]);
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc);
        // Three customers get a status (they bought), two never did and stay without one.
        var customers = Enumerable.Range(0, 5)
            .Select(i => new CustomerEngagement(new CustomerId($"c{i}"), i < 3 ? bought : PurchaseSummary.Empty, EngagementStatus.None)).ToList();
        var asOf = Instant.FromUtc(2025, 2, 1, 0, 0);

        var progress = new ListProgress<LifecycleEvaluationProgress>();
        var changes = evaluator.EvaluateAll(customers, asOf, batchSize: 2, progress).ToList();

        Assert.Equal(3, changes.Count);
        Assert.Equal([new(2, 2), new(4, 3), new(5, 3)], progress.Reports);

        var asyncProgress = new ListProgress<LifecycleEvaluationProgress>();
        var asyncChanges = new List<EngagementStatusChanged>();
        await foreach (var change in evaluator.EvaluateAllAsync(customers.ToAsyncEnumerable(), asOf, batchSize: 4, asyncProgress))
        {
            asyncChanges.Add(change);
        }
        Assert.Equal(changes, asyncChanges);
        Assert.Equal([new(4, 3), new(5, 3)], asyncProgress.Reports);
    }

    [Fact]
    public void Lifecycle_evaluation_of_nothing_reports_nothing()
    {
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc);
        var progress = new ListProgress<LifecycleEvaluationProgress>();

        Assert.Empty(evaluator.EvaluateAll([], Instant.FromUtc(2025, 2, 1, 0, 0), progress: progress));
        Assert.Empty(progress.Reports);
    }

    [Fact]
    public async Task Concurrency_retries_are_logged_with_the_aggregate_type_only()
    {
        var services = new ServiceCollection().AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug)).BuildServiceProvider();
        var sink = services.GetFakeLogCollector();
        var scopes = services.GetRequiredService<IServiceScopeFactory>();

        var calls = 0;
        await scopes.ExecuteWithConcurrencyRetryAsync((_, _) =>
            ++calls < 3 ? throw new ConcurrencyConflictException("Customer", Marker, 4, 5) : Task.CompletedTask);

        Assert.Equal(3, calls);
        Assert.Equal(2, sink.Count);
        Assert.All(sink.GetSnapshot(), e =>
        {
            Assert.Equal(LogLevel.Debug, e.Level);
            Assert.Equal(1001, e.Id.Id);
            Assert.Equal(typeof(ConcurrencyRetry).FullName, e.Category);
            Assert.Contains("Customer", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Marker, e.Message, StringComparison.Ordinal);
        });

        sink.Clear();
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => scopes.ExecuteWithConcurrencyRetryAsync((_, _) =>
            throw new ConcurrencyConflictException("Customer", Marker, 4, 5), maxAttempts: 2));
        var entries = sink.GetSnapshot();
        Assert.Equal([LogLevel.Debug, LogLevel.Warning], entries.Select(e => e.Level));
        Assert.Equal(1002, entries[1].Id.Id);
        Assert.DoesNotContain(entries, e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retrying_without_logging_registered_works_silently()
    {
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        var calls = 0;

        await scopes.ExecuteWithConcurrencyRetryAsync((_, _) => ++calls < 2 ? throw new ConcurrencyConflictException("Customer", "1", 1, 2) : Task.CompletedTask);

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Segment_refreshes_are_logged_with_segment_ids_and_counts_only()
    {
        var services = new ServiceCollection();
        services.AddSingleton<NodaTime.IClock>(new NodaTime.Testing.FakeClock(Instant.FromUtc(2024, 3, 1, 12, 0)));
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services.AddCrmCore().UseInMemoryStore();
        using var provider = services.BuildServiceProvider();
        var sink = provider.GetFakeLogCollector();
        var profiles = provider.GetRequiredService<ICustomerProfileStore>();
        for (var i = 0; i < 3; i++)
        {
            await profiles.UpsertAsync(new CustomerProfile(new CustomerId($"{Marker}-{i}")) { PurchaseCount = 5 }.WithEmailMarketingConsent());
        }
        var segment = new SegmentId("log-frequent");
        using (var scope = provider.CreateScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<SegmentService>();
            await service.DefineDynamicAsync(segment, "Frequent", new FieldCondition("purchases.count", RuleOperator.Gte, 2));
            await service.PreviewAsync(segment);
            await service.RefreshAsync(segment);
        }

        var entries = sink.GetSnapshot().Where(e => e.Category == typeof(SegmentService).FullName).ToList();
        Assert.Equal([2002, 2001], entries.Select(e => e.Id.Id));
        Assert.Equal([LogLevel.Debug, LogLevel.Information], entries.Select(e => e.Level));
        Assert.StartsWith("Segment log-frequent refreshed: 3 entered, 0 left, 3 members", entries[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sink.GetSnapshot(), e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public void Lifecycle_evaluation_logs_each_batch_and_the_finished_run_with_counts_only()
    {
        var logger = new FakeLogger<EngagementEvaluator>();
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc, logger);
        var bought = PurchaseSummary.FromPurchaseDates([new LocalDate(2025, 1, 1)]);
        var customers = Enumerable.Range(0, 5)
            .Select(i => new CustomerEngagement(new CustomerId($"{Marker}-{i}"), i < 3 ? bought : PurchaseSummary.Empty, EngagementStatus.None));

        var changes = evaluator.EvaluateAll(customers, Instant.FromUtc(2025, 2, 1, 0, 0), batchSize: 2).ToList();

        Assert.Equal(3, changes.Count);
        var entries = logger.Collector.GetSnapshot();
        Assert.Equal([3001, 3001, 3001, 3002], entries.Select(e => e.Id.Id));
        Assert.Equal([LogLevel.Debug, LogLevel.Debug, LogLevel.Debug, LogLevel.Information], entries.Select(e => e.Level));
        Assert.Equal("Lifecycle batch evaluated: 2 customers, 2 status changes.", entries[0].Message);
        Assert.StartsWith("Lifecycle evaluation finished: 5 customers in 3 batches, 3 status changes, in ", entries[3].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Message.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public void Lifecycle_evaluation_without_a_logger_behaves_the_same_as_with_one()
    {
        var bought = PurchaseSummary.FromPurchaseDates([new LocalDate(2025, 1, 1)]);
        var customers = Enumerable.Range(0, 3).Select(i => new CustomerEngagement(new CustomerId($"c{i}"), bought, EngagementStatus.None)).ToList();
        var asOf = Instant.FromUtc(2025, 2, 1, 0, 0);
        var logger = new FakeLogger();

        var silent = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc, logger: null).EvaluateAll(customers, asOf).ToList();
        var logged = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc, logger).EvaluateAll(customers, asOf).ToList();

        Assert.Equal(3, silent.Count);
        Assert.Equal(silent, logged);
        Assert.Equal([3001, 3002], logger.Collector.GetSnapshot().Select(e => e.Id.Id)); // the logging is what differs
    }

    [Fact]
    public void A_refused_lifecycle_batch_is_logged_with_the_exception_type_only()
    {
        var logger = new FakeLogger<EngagementEvaluator>();
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc, logger);
        var late = PurchaseSummary.FromPurchaseDates([new LocalDate(2025, 3, 1)]);
        CustomerEngagement[] batch = [new(new CustomerId($"{Marker}-late"), late, EngagementStatus.None)];

        Assert.Throws<ArgumentException>(() => evaluator.EvaluateBatch(batch, Instant.FromUtc(2025, 2, 1, 0, 0), new List<EngagementStatusChanged>()));

        var entry = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((3003, LogLevel.Warning), (entry.Id.Id, entry.Level));
        Assert.Equal("Lifecycle batch of 1 customers failed with System.ArgumentException; the exception reaches the caller.", entry.Message);
        Assert.Null(entry.Exception); // its message could name the customer
        Assert.Equal(EngagementStatus.None, batch[0].Status);
    }
}
