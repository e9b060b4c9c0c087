using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Crm.Core.Diagnostics;

namespace Crm.Core.Tests.Diagnostics;

/// <summary>
/// The diagnostics tests share process-wide listeners and static instruments, so they run alone (after the parallel
/// tests) instead of seeing measurements of other test classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosticsCollection
{
    public const string Name = "Diagnostics (not parallel)";
}

/// <summary>
/// Records the Crm.Core spans started under its own root activity (so spans of anything else running are ignored)
/// and every Crm.Core measurement while it lives.
/// </summary>
internal sealed class DiagnosticsCapture : IDisposable
{
    private static readonly ActivitySource TestSource = new("Crm.Core.Tests.Diagnostics");

    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly Activity _root;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public DiagnosticsCapture()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name is CrmDiagnostics.ActivitySourceName or "Crm.Core.Tests.Diagnostics",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CrmDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue(new Measurement(i.Name, v, tags.ToArray())));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue(new Measurement(i.Name, v, tags.ToArray())));
        _meters.Start();
        _root = TestSource.StartActivity("test-root") ?? throw new InvalidOperationException("The test listener did not sample the root activity.");
    }

    /// <summary>The Crm.Core spans of this test (children of its root), in the order they stopped.</summary>
    public IReadOnlyList<Activity> Spans =>
        _stopped.Where(a => a.TraceId == _root.TraceId && a.Source.Name == CrmDiagnostics.ActivitySourceName).ToList();

    public IReadOnlyList<Measurement> Measurements => _measurements.ToList();

    public IReadOnlyList<Activity> SpansNamed(string name) => Spans.Where(a => a.OperationName == name).ToList();

    public double Sum(string instrument, string? tag = null, object? tagValue = null) =>
        Measurements.Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, tagValue)))).Sum(m => m.Value);

    /// <summary>Every tag value of every captured span and measurement, as text.</summary>
    public IEnumerable<string> AllTagValues() =>
        Spans.SelectMany(a => a.TagObjects.Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)
                .Append(a.StatusDescription ?? string.Empty).Append(a.DisplayName))
            .Concat(Measurements.SelectMany(m => m.Tags.Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)));

    public void Dispose()
    {
        _root.Dispose();
        _meters.Dispose();
        _activities.Dispose();
    }

    public sealed record Measurement(string Instrument, double Value, KeyValuePair<string, object?>[] Tags);
}
