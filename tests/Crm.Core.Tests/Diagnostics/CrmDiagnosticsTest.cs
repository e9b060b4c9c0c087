using System.Diagnostics;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Diagnostics;
using Crm.Core.Lifecycle;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Diagnostics;

[Collection(DiagnosticsCollection.Name)]
public class CrmDiagnosticsTest
{
    // Customer ids carry a marker so that a leak into any tag is visible.
    private const string Marker = "secret-person";
    private static CustomerId Customer(int i) => new($"{Marker}-{i}");

    private static readonly SegmentId Frequent = new("obs-frequent");
    private static readonly SegmentId Vip = new("obs-vip");

    private static void AssertNoCustomerIdInTags(DiagnosticsCapture capture) =>
        Assert.DoesNotContain(capture.AllTagValues(), v => v.Contains(Marker, StringComparison.Ordinal));

    private sealed class ListProgress<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2024, 3, 1, 12, 0)));
        services.AddSingleton<IDomainEventDispatcher>(new RecordingDomainEventDispatcher());
        services.AddCrmCore().UseInMemoryStore();
        return services.BuildServiceProvider();
    }

    private static async Task<T> Run<T>(ServiceProvider provider, Func<SegmentService, Task<T>> action)
    {
        using var scope = provider.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }

    [Fact]
    public void Names_are_the_documented_ones()
    {
        Assert.Equal("Crm.Core", CrmDiagnostics.ActivitySourceName);
        Assert.Equal("Crm.Core", CrmDiagnostics.MeterName);
        Assert.Equal("crm.segment.refresh", CrmDiagnostics.SegmentRefreshSpan);
        Assert.Equal("crm.rfm.compute", CrmDiagnostics.RfmComputeSpan);
        Assert.Equal("crm.segment.entered", CrmDiagnostics.SegmentEnteredCounter);
        Assert.Equal("crm.segment.left", CrmDiagnostics.SegmentLeftCounter);
    }

    [Fact]
    public async Task Segment_refresh_emits_a_span_per_segment_and_entered_left_counters_without_customer_ids()
    {
        using var provider = Services();
        var profiles = provider.GetRequiredService<ICustomerProfileStore>();
        for (var i = 0; i < 3; i++)
        {
            await profiles.UpsertAsync(new CustomerProfile(Customer(i)) { PurchaseCount = 5 }.WithEmailMarketingConsent());
        }
        await Run(provider, s => s.DefineDynamicAsync(Frequent, "Frequent", new FieldCondition("purchases.count", RuleOperator.Gte, 2)));
        await Run(provider, s => s.DefineDynamicAsync(Vip, "Vip", new FieldCondition("purchases.count", RuleOperator.Gte, 10)));

        using var capture = new DiagnosticsCapture();
        await Run(provider, s => s.RefreshAsync(Frequent));
        await profiles.UpsertAsync(new CustomerProfile(Customer(0)) { PurchaseCount = 0 }.WithEmailMarketingConsent());
        var progress = new ListProgress<SegmentRefreshProgress>();
        var all = await Run(provider, s => s.RefreshAllAsync(progress));

        var refreshes = capture.SpansNamed(CrmDiagnostics.SegmentRefreshSpan);
        Assert.Equal(3, refreshes.Count);
        var first = refreshes[0];
        Assert.Equal("obs-frequent", first.GetTagItem("crm.segment.id"));
        Assert.Equal(3, first.GetTagItem("crm.segment.entered"));
        Assert.Equal(0, first.GetTagItem("crm.segment.left"));
        Assert.Equal(3L, first.GetTagItem("crm.segment.member_count"));
        Assert.Equal(true, first.GetTagItem("crm.segment.applied"));
        var again = refreshes.Single(a => a != first && (string?)a.GetTagItem("crm.segment.id") == "obs-frequent");
        Assert.Equal(0, again.GetTagItem("crm.segment.entered"));
        Assert.Equal(1, again.GetTagItem("crm.segment.left"));
        Assert.Equal(2L, again.GetTagItem("crm.segment.member_count"));

        var refreshAll = Assert.Single(capture.SpansNamed(CrmDiagnostics.SegmentRefreshAllSpan));
        Assert.Equal(2, refreshAll.GetTagItem("crm.segment.count"));
        Assert.Equal(refreshAll.SpanId, again.ParentSpanId);

        Assert.Equal(3, capture.Sum(CrmDiagnostics.SegmentEnteredCounter, "crm.segment.id", "obs-frequent"));
        Assert.Equal(1, capture.Sum(CrmDiagnostics.SegmentLeftCounter, "crm.segment.id", "obs-frequent"));
        Assert.Equal(0, capture.Sum(CrmDiagnostics.SegmentEnteredCounter, "crm.segment.id", "obs-vip"));

        Assert.Equal([1, 2], progress.Reports.Select(r => r.Completed));
        Assert.All(progress.Reports, r => Assert.Equal(2, r.Total));
        Assert.Equal(all, progress.Reports.Select(r => r.Latest));
        AssertNoCustomerIdInTags(capture);
    }

    [Fact]
    public async Task Segment_preview_is_a_span_marked_not_applied_and_counts_nothing()
    {
        using var provider = Services();
        var profiles = provider.GetRequiredService<ICustomerProfileStore>();
        await profiles.UpsertAsync(new CustomerProfile(Customer(1)) { PurchaseCount = 5 }.WithEmailMarketingConsent());
        await Run(provider, s => s.DefineDynamicAsync(Frequent, "Frequent", new FieldCondition("purchases.count", RuleOperator.Gte, 2)));

        using var capture = new DiagnosticsCapture();
        await Run(provider, s => s.PreviewAsync(Frequent));

        var span = Assert.Single(capture.SpansNamed(CrmDiagnostics.SegmentRefreshSpan));
        Assert.Equal(false, span.GetTagItem("crm.segment.applied"));
        Assert.Equal(1, span.GetTagItem("crm.segment.entered"));
        Assert.Equal(0, capture.Sum(CrmDiagnostics.SegmentEnteredCounter));
    }

    [Fact]
    public void Rfm_from_purchases_and_from_columns_emit_a_span_with_counts_and_a_duration()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var purchases = Enumerable.Range(0, 4).Select(i => Purchase.Create(
            new TransactionId($"t{i}"), Customer(i % 2), asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), Channel.Web, new Money(10m + i, Currency.EUR))).ToList();

        using var capture = new DiagnosticsCapture();
        var fromPurchases = RfmCalculator.Compute(purchases, new RfmOptions(asOf));
        var fromColumns = RfmCalculator.Compute(new long[] { 1, 2, 2 }, new[] { asOf, asOf, asOf.PlusDays(-3) }, new[] { 1m, 2m, 3m }, Currency.EUR, new RfmOptions(asOf));

        var spans = capture.SpansNamed(CrmDiagnostics.RfmComputeSpan);
        Assert.Equal(2, spans.Count);
        Assert.Equal("purchases", spans[0].GetTagItem("crm.rfm.input"));
        Assert.Equal(4L, spans[0].GetTagItem("crm.rfm.rows"));
        Assert.Equal(fromPurchases.Count, spans[0].GetTagItem("crm.rfm.customers"));
        Assert.Equal(2, fromPurchases.Count);
        Assert.Equal("columns", spans[1].GetTagItem("crm.rfm.input"));
        Assert.Equal(3L, spans[1].GetTagItem("crm.rfm.rows"));
        Assert.Equal(2, spans[1].GetTagItem("crm.rfm.customers"));
        Assert.Equal(2, fromColumns.Count);

        var durations = capture.Measurements.Where(m => m.Instrument == CrmDiagnostics.RfmDurationHistogram).ToList();
        Assert.Equal(2, durations.Count);
        Assert.All(durations, d => Assert.True(d.Value >= 0));
        Assert.Equal(["purchases", "columns"], durations.Select(d => (string?)d.Tags.Single(t => t.Key == "crm.rfm.input").Value));
        AssertNoCustomerIdInTags(capture);
    }

    [Fact]
    public void Rfm_failure_marks_the_span_with_the_exception_type_only()
    {
        var asOf = new LocalDate(2024, 6, 30);
        var at = asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        Purchase[] purchases =
        [
            Purchase.Create(new TransactionId("t1"), Customer(1), at, Channel.Web, new Money(1m, Currency.EUR)),
            Purchase.Create(new TransactionId("t2"), Customer(2), at, Channel.Web, new Money(1m, Currency.USD)),
        ];

        using var capture = new DiagnosticsCapture();
        Assert.Throws<RfmCurrencyMismatchException>(() => RfmCalculator.Compute(purchases, new RfmOptions(asOf)));

        var span = Assert.Single(capture.SpansNamed(CrmDiagnostics.RfmComputeSpan));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(RfmCurrencyMismatchException).FullName, span.GetTagItem("error.type"));
        AssertNoCustomerIdInTags(capture);
    }

    [Fact]
    public void Lifecycle_batch_emits_a_span_and_counts_status_changes()
    {
        var start = new LocalDate(2025, 1, 1);
        var summary = PurchaseSummary.FromPurchaseDates(Enumerable.Range(0, 3).Select(i => start.PlusDays(i * 7)));
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc);
        var batch = Enumerable.Range(0, 5).Select(i => new CustomerEngagement(Customer(i), summary, EngagementStatus.None)).ToArray();
        var changes = new List<EngagementStatusChanged>();

        using var capture = new DiagnosticsCapture();
        var changed = evaluator.EvaluateBatch(batch, Instant.FromUtc(2025, 6, 1, 0, 0), changes);
        var again = evaluator.EvaluateBatch(batch, Instant.FromUtc(2025, 6, 1, 0, 0), changes);

        Assert.Equal(5, changed);
        Assert.Equal(0, again);
        var spans = capture.SpansNamed(CrmDiagnostics.LifecycleEvaluateSpan);
        Assert.Equal(2, spans.Count);
        Assert.Equal(5, spans[0].GetTagItem("crm.lifecycle.customers"));
        Assert.Equal(5, spans[0].GetTagItem("crm.lifecycle.changed"));
        Assert.Equal(0, spans[1].GetTagItem("crm.lifecycle.changed"));
        Assert.Equal(5, capture.Sum(CrmDiagnostics.LifecycleStatusChangesCounter));
        AssertNoCustomerIdInTags(capture);
    }

    [Fact]
    public void Without_listeners_the_lifecycle_hot_path_allocates_nothing()
    {
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc);
        var batch = new[] { new CustomerEngagement(Customer(1), PurchaseSummary.FromPurchaseDates([new LocalDate(2025, 1, 1)]), EngagementStatus.None) };
        var changes = new List<EngagementStatusChanged>(4);
        var asOf = Instant.FromUtc(2025, 6, 1, 0, 0);
        evaluator.EvaluateBatch(batch, asOf, changes); // warms up the pool and records the change

        var before = GC.GetAllocatedBytesForCurrentThread();
        var changed = evaluator.EvaluateBatch(batch, asOf, changes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, changed);
        Assert.Equal(0, allocated);
    }
}
