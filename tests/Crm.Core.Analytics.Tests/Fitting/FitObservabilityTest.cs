using System.Collections.Concurrent;
using System.Diagnostics;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Crm.Core.Analytics.Tests.Fitting;

/// <summary>
/// Model fits report progress through <see cref="FitOptions.Progress"/>, emit a span hosts can trace and log to
/// <see cref="FitOptions.Logger"/>.
/// </summary>
public class FitObservabilityTest
{
    private static readonly ActivitySource TestSource = new("Crm.Core.Analytics.Tests.Fitting");

    private sealed class ListProgress<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }

    /// <summary>Collects the Crm.Core spans under one root, so spans of tests running in parallel are ignored.</summary>
    private sealed class SpanCapture : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly Activity _root;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanCapture()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is CrmDiagnostics.ActivitySourceName or "Crm.Core.Analytics.Tests.Fitting",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
            _root = TestSource.StartActivity("root") ?? throw new InvalidOperationException("The root activity was not sampled.");
        }

        public List<Activity> Fits => _stopped.Where(a => a.TraceId == _root.TraceId && a.OperationName == CrmDiagnostics.ModelFitSpan).ToList();

        public void Dispose()
        {
            _root.Dispose();
            _listener.Dispose();
        }
    }

    private static IReadOnlyList<CustomerSummary> Cdnow() => CustomerSummarizer.Summarize(CdnowData.Transactions, CdnowData.CalibrationEnd, PeriodUnit.Week);

    [Fact]
    public void BgNbd_fit_reports_every_iteration_and_emits_a_span_with_counts()
    {
        var progress = new ListProgress<FitProgress>();
        using var capture = new SpanCapture();

        var fit = BgNbdModel.Fit(Cdnow().Select(s => s.ToRecencyFrequency()), PeriodUnit.Week, new FitOptions { Progress = progress });

        Assert.NotEmpty(progress.Reports);
        Assert.All(progress.Reports, r => Assert.Equal(("BG/NBD", FitPhase.Full), (r.Model, r.Phase)));
        Assert.Equal(Enumerable.Range(1, progress.Reports.Count), progress.Reports.Select(r => r.Iteration));
        // Line search only accepts improvements: the objective decreases with every report.
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(p => p.Second.Objective < p.First.Objective));
        Assert.True(fit.Iterations >= progress.Reports.Count);

        var span = Assert.Single(capture.Fits);
        Assert.Equal("bg_nbd", span.GetTagItem("crm.analytics.model"));
        Assert.Equal(2357L, span.GetTagItem("crm.analytics.customers"));
        Assert.Equal(fit.Iterations, span.GetTagItem("crm.analytics.iterations"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public void GammaGamma_fit_emits_its_span()
    {
        var rows = Cdnow().Where(s => s.Frequency > 0).Select(s => new FrequencyMonetary(s.Frequency, (double)s.MonetaryValue)).ToList();
        var progress = new ListProgress<FitProgress>();
        using var capture = new SpanCapture();

        var fit = GammaGammaModel.Fit(rows, new FitOptions { Progress = progress });

        Assert.All(progress.Reports, r => Assert.Equal("Gamma-Gamma", r.Model));
        var span = Assert.Single(capture.Fits);
        Assert.Equal("gamma_gamma", span.GetTagItem("crm.analytics.model"));
        Assert.Equal(fit.Customers, Convert.ToInt32(span.GetTagItem("crm.analytics.customers"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_failed_fit_marks_its_span_with_the_exception_type()
    {
        using var capture = new SpanCapture();

        Assert.Throws<ArgumentException>(() => BgNbdModel.Fit([new RecencyFrequency(0, 0, 10), new RecencyFrequency(0, 0, 5)], PeriodUnit.Week));

        var span = Assert.Single(capture.Fits);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(ArgumentException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public void A_fit_logs_model_customers_and_iterations_to_the_options_logger()
    {
        var logger = new FakeLogger();

        var fit = BgNbdModel.Fit(Cdnow().Select(s => s.ToRecencyFrequency()), PeriodUnit.Week, new FitOptions { Logger = logger });

        var entry = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(5001, entry.Id.Id);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.StartsWith($"Model bg_nbd fitted to {fit.Customers} customers in {fit.Iterations} iterations, in ", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_fit_logs_a_warning_with_the_exception_type_and_rethrows()
    {
        var logger = new FakeLogger();

        Assert.Throws<ArgumentException>(() =>
            BgNbdModel.Fit([new RecencyFrequency(0, 0, 10)], PeriodUnit.Week, new FitOptions { Logger = logger }));

        var entry = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(5002, entry.Id.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.StartsWith("Model bg_nbd could not be fitted (System.ArgumentException) after ", entry.Message, StringComparison.Ordinal);
    }
}
