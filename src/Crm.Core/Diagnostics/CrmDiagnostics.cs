using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Crm.Core.Diagnostics;

/// <summary>
/// The names under which Crm.Core's long-running operations emit <see cref="Activity"/> spans and
/// <see cref="System.Diagnostics.Metrics"/> measurements. A host sees them in OpenTelemetry by adding
/// <see cref="ActivitySourceName"/> as a trace source and <see cref="MeterName"/> as a meter; no other code is needed.
/// </summary>
/// <remarks>
/// Tags never carry personal data: segment ids, counts, durations and the kind of input only, never customer ids or
/// exception messages (which may name a customer); a failed span records the exception type as <c>error.type</c>.
/// When nobody listens, the instrumented methods allocate nothing extra.
/// </remarks>
public static class CrmDiagnostics
{
    /// <summary>The name of the <see cref="ActivitySource"/> of every Crm.Core span.</summary>
    public const string ActivitySourceName = "Crm.Core";

    /// <summary>The name of the <see cref="Meter"/> of every Crm.Core instrument.</summary>
    public const string MeterName = "Crm.Core";

    /// <summary>Span of one segment refresh or preview (tags <c>crm.segment.id</c>, <c>crm.segment.entered</c>, <c>crm.segment.left</c>, <c>crm.segment.member_count</c>, <c>crm.segment.applied</c>).</summary>
    public const string SegmentRefreshSpan = "crm.segment.refresh";

    /// <summary>Span of refreshing every segment (tag <c>crm.segment.count</c>); each segment's refresh is a child span.</summary>
    public const string SegmentRefreshAllSpan = "crm.segment.refresh_all";

    /// <summary>Span of one RFM computation (tags <c>crm.rfm.input</c>, <c>crm.rfm.rows</c>, <c>crm.rfm.customers</c>).</summary>
    public const string RfmComputeSpan = "crm.rfm.compute";

    /// <summary>Span of one lifecycle batch evaluation (tags <c>crm.lifecycle.customers</c>, <c>crm.lifecycle.changed</c>).</summary>
    public const string LifecycleEvaluateSpan = "crm.lifecycle.evaluate";

    /// <summary>Span of one bulk purchase ingestion (tags <c>crm.purchases.batch_size</c>, <c>crm.purchases.inserted</c>, <c>crm.purchases.skipped</c>).</summary>
    public const string PurchaseIngestSpan = "crm.purchases.ingest";

    /// <summary>Counter of customers entering segments through refreshes (unit <c>{customer}</c>, tag <c>crm.segment.id</c>).</summary>
    public const string SegmentEnteredCounter = "crm.segment.entered";

    /// <summary>Counter of customers leaving segments through refreshes (unit <c>{customer}</c>, tag <c>crm.segment.id</c>).</summary>
    public const string SegmentLeftCounter = "crm.segment.left";

    /// <summary>Histogram of RFM computation durations (unit <c>s</c>, tag <c>crm.rfm.input</c>).</summary>
    public const string RfmDurationHistogram = "crm.rfm.duration";

    /// <summary>Counter of engagement status changes found by lifecycle evaluation (unit <c>{customer}</c>).</summary>
    public const string LifecycleStatusChangesCounter = "crm.lifecycle.status_changes";

    /// <summary>Counter of purchases inserted by bulk ingestion (unit <c>{purchase}</c>).</summary>
    public const string PurchasesInsertedCounter = "crm.purchases.inserted";

    /// <summary>Counter of purchases skipped by bulk ingestion as already stored (unit <c>{purchase}</c>).</summary>
    public const string PurchasesSkippedCounter = "crm.purchases.skipped";

    /// <summary>
    /// Span around a BG/NBD or Gamma-Gamma maximum-likelihood fit (Crm.Core.Analytics). Tags: <c>crm.analytics.model</c>
    /// (<c>bg_nbd</c>, <c>gamma_gamma</c>), and on success <c>crm.analytics.customers</c> and <c>crm.analytics.iterations</c>.
    /// </summary>
    public const string ModelFitSpan = "crm.analytics.fit";

    /// <summary>Histogram of model-fit durations in seconds, tagged with <c>crm.analytics.model</c> and <c>crm.analytics.outcome</c> (<c>success</c>, <c>failure</c>).</summary>
    public const string ModelFitDurationHistogram = "crm.analytics.fit.duration";

    /// <summary>
    /// Counter of loyalty operations committed through <c>LoyaltyService</c> (unit <c>{operation}</c>); tags
    /// <c>crm.loyalty.programme</c> and <c>crm.loyalty.operation</c> (<c>accrual</c>, <c>event</c>, <c>redemption</c>,
    /// <c>reversal</c>, <c>adjustment</c>, <c>cancellation</c>, <c>expiry</c>, <c>transfer</c>). Repeats of an applied key are not counted.
    /// </summary>
    public const string LoyaltyOperationsCounter = "crm.loyalty.operations";

    /// <summary>Counter of points awarded by committed accruals and event awards (unit <c>{point}</c>); tags <c>crm.loyalty.programme</c>, <c>crm.loyalty.operation</c>.</summary>
    public const string LoyaltyPointsAwardedCounter = "crm.loyalty.points.awarded";

    /// <summary>Counter of points spent by committed redemptions (unit <c>{point}</c>); tag <c>crm.loyalty.programme</c>. Cancelled redemptions are not subtracted: they count as <c>cancellation</c> operations.</summary>
    public const string LoyaltyPointsRedeemedCounter = "crm.loyalty.points.redeemed";

    /// <summary>Counter of points recorded as expired by committed expiry runs (unit <c>{point}</c>); tag <c>crm.loyalty.programme</c>.</summary>
    public const string LoyaltyPointsExpiredCounter = "crm.loyalty.points.expired";

    private static readonly string? Version = typeof(CrmDiagnostics).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Counter<long> SegmentEntered = Meter.CreateCounter<long>(SegmentEnteredCounter, "{customer}", "Customers that entered a segment through a refresh.");

    internal static readonly Counter<long> SegmentLeft = Meter.CreateCounter<long>(SegmentLeftCounter, "{customer}", "Customers that left a segment through a refresh.");

    internal static readonly Histogram<double> RfmDuration = Meter.CreateHistogram<double>(RfmDurationHistogram, "s", "Duration of an RFM computation.");

    internal static readonly Counter<long> LifecycleStatusChanges = Meter.CreateCounter<long>(LifecycleStatusChangesCounter, "{customer}", "Engagement status changes found by lifecycle evaluation.");

    internal static readonly Counter<long> PurchasesInserted = Meter.CreateCounter<long>(PurchasesInsertedCounter, "{purchase}", "Purchases inserted by bulk ingestion.");

    internal static readonly Counter<long> PurchasesSkipped = Meter.CreateCounter<long>(PurchasesSkippedCounter, "{purchase}", "Purchases skipped by bulk ingestion because their transaction id was already stored.");

    internal static readonly Histogram<double> ModelFitDuration = Meter.CreateHistogram<double>(ModelFitDurationHistogram, "s", "Duration of a customer-value model fit.");

    /// <summary>Marks <paramref name="activity"/> failed with the exception's type only: messages may name a customer.</summary>
    internal static void RecordFailure(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetTag("error.type", exception.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        }
    }

    /// <summary>Records an RFM duration when anyone listens (the timestamp is taken unconditionally: it allocates nothing).</summary>
    internal static void RecordRfmDuration(long startTimestamp, string input)
    {
        if (RfmDuration.Enabled)
        {
            RfmDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("crm.rfm.input", input));
        }
    }
}
