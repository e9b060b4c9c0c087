using Microsoft.Extensions.Logging;

namespace Crm.Core.Diagnostics;

/// <summary>
/// The library's log messages, generated at compile time (no formatting cost when the level is off). Category names
/// are the emitting type's full name; event ids are stable and listed in docs/architecture.md.
/// </summary>
/// <remarks>
/// Messages carry aggregate types, versions, counts, durations and segment ids — never a customer id, name, contact
/// point or free text, so logs can be shipped to shared sinks without becoming a store of personal data.
/// </remarks>
internal static partial class CrmLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Concurrency conflict on {AggregateType} (expected version {ExpectedVersion}) in attempt {Attempt} of {MaxAttempts}; retrying in a new scope.")]
    public static partial void ConcurrencyRetrying(ILogger logger, string aggregateType, long expectedVersion, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Concurrency conflict on {AggregateType} persisted through all {MaxAttempts} attempts; giving up. Many writers contend for the same aggregate.")]
    public static partial void ConcurrencyRetriesExhausted(ILogger logger, string aggregateType, int maxAttempts);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Segment {SegmentId} refreshed: {Entered} entered, {Left} left, {MemberCount} members, in {ElapsedMilliseconds:F0} ms.")]
    public static partial void SegmentRefreshed(ILogger logger, string segmentId, int entered, int left, long memberCount, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug,
        Message = "Segment {SegmentId} previewed (nothing applied): {Entered} would enter, {Left} would leave, {MemberCount} members.")]
    public static partial void SegmentPreviewed(ILogger logger, string segmentId, int entered, int left, long memberCount);
}
