using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.Diagnostics;
using Crm.Core.Duplicates;
using Crm.Core.Segmentation;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Crm.Core.Tests.Privacy;

// Logs, metric tags and span tags: the same scenarios as the ToString sweep (registration with duplicates, merge
// preview and merge, export, erasure, a segment refresh and preview), with every log entry (message, structured
// values, exception) and every Crm.Core measurement and span tag captured and searched for the personal values.
public partial class PersonalDataLeakTest
{
    [Property(MaxTest = 15)]
    public Property No_log_entry_metric_tag_or_span_tag_shows_personal_data() =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), scenario =>
        {
            var logs = new RecordingLoggerProvider();
            using var diagnostics = new TextDiagnosticsCapture();
            using var host = new PrivacyTestHost(s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
            var duplicate = DuplicateOf(scenario);
            host.SaveAsync(scenario, duplicate).GetAwaiter().GetResult();
            Exercise(host, scenario).GetAwaiter().GetResult();
            using (var scope = host.Services.CreateScope())
            {
                var segments = scope.ServiceProvider.GetRequiredService<SegmentService>();
                segments.PreviewAsync(PersonalDataScenario.OverrideSegment).GetAwaiter().GetResult();
                segments.RefreshAsync(PersonalDataScenario.OverrideSegment).GetAwaiter().GetResult();
                scope.ServiceProvider.GetRequiredService<CustomerMergeService>().MergeAsync(scenario.CustomerId, duplicate.CustomerId).GetAwaiter().GetResult();
            }

            var texts = logs.Texts().Concat(diagnostics.Texts()).ToList();
            var needles = NeedlesOf(scenario, duplicate);
            var leaks = texts.Where(t => needles.Any(n => t.Contains(n, StringComparison.OrdinalIgnoreCase))).Distinct().ToList();
            return (logs.Count > 0).Label("the segment service logged (the capture works)")
                .And((leaks.Count == 0).Label("personal data in diagnostics: " + string.Join(" | ", leaks)));
        });

    [Fact]
    public async Task A_merge_and_an_erasure_are_logged_with_counts_only()
    {
        var scenario = PersonalDataScenario.Gen(0).Sample(1).Single();
        await using var host = new PrivacyTestHost(s => s.AddLogging(b => b.AddFakeLogging()));
        var duplicate = DuplicateOf(scenario);
        await host.SaveAsync(scenario, duplicate);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CustomerMergeService>().MergeAsync(scenario.CustomerId, duplicate.CustomerId);
        }
        await host.EraseAsync(scenario.CustomerId);

        var entries = host.Services.GetFakeLogCollector().GetSnapshot().Where(e => e.Id.Id is 7001 or 7002).ToList();
        Assert.Equal([7002, 7001], entries.Select(e => e.Id.Id));
        Assert.Equal(typeof(CustomerMergeService).FullName, entries[0].Category);
        Assert.Equal(typeof(Crm.Core.Privacy.PrivacyService).FullName, entries[1].Category);
        Assert.StartsWith("Customer erasure committed: 2 customer records (the merge family)", entries[1].Message, StringComparison.Ordinal);
        var needles = NeedlesOf(scenario, duplicate);
        Assert.DoesNotContain(entries, e => needles.Any(n => e.Message.Contains(n, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(entries, e => e.Message.Contains(scenario.CustomerId.Value, StringComparison.Ordinal));
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private int _count;

        public int Count => _count;

        public IEnumerable<string> Texts() => _texts;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner._texts.Enqueue(Convert.ToString(state, CultureInfo.InvariantCulture) ?? string.Empty);
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                Interlocked.Increment(ref owner._count);
                owner._texts.Enqueue(formatter(state, exception));
                owner._texts.Enqueue(exception?.ToString() ?? string.Empty);
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (_, value) in values)
                    {
                        owner._texts.Enqueue(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                    }
                }
            }
        }
    }

    // Every Crm.Core span (name, status, tags) and measurement tag while it lives; other tests' entries carry no marker of this one.
    private sealed class TextDiagnosticsCapture : IDisposable
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters;

        public TextDiagnosticsCapture()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == CrmDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    _texts.Enqueue(a.DisplayName);
                    _texts.Enqueue(a.StatusDescription ?? string.Empty);
                    foreach (var tag in a.TagObjects)
                    {
                        _texts.Enqueue(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty);
                    }
                },
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
            _meters.SetMeasurementEventCallback<long>((_, _, tags, _) => Enqueue(tags));
            _meters.SetMeasurementEventCallback<double>((_, _, tags, _) => Enqueue(tags));
            _meters.SetMeasurementEventCallback<int>((_, _, tags, _) => Enqueue(tags));
            _meters.Start();
        }

        public IEnumerable<string> Texts() => _texts;

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Enqueue(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                _texts.Enqueue(tag.Key + "=" + Convert.ToString(tag.Value, CultureInfo.InvariantCulture));
            }
        }
    }
}
