using Microsoft.Extensions.Logging;

namespace Crm.Core.Diagnostics;

/// <summary>
/// The library's log messages, generated at compile time (no formatting cost when the level is off). Category names
/// are the emitting type's full name; event ids are stable and listed in docs/architecture.md.
/// </summary>
/// <remarks>
/// Messages carry aggregate types, versions, counts, durations and segment ids — never a customer id, name, contact
/// point or free text, so logs can be shipped to shared sinks without becoming a store of personal data. Failures are
/// logged with the exception's type only: its message may name an id, and the exception itself reaches the caller.
/// </remarks>
internal static partial class CrmLog
{
    /// <summary>How a failure names its exception: the full type name, never the message.</summary>
    public static string TypeOf(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;

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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug,
        Message = "Lifecycle batch evaluated: {Customers} customers, {Changed} status changes.")]
    public static partial void LifecycleBatchEvaluated(ILogger logger, int customers, int changed);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Lifecycle evaluation finished: {Customers} customers in {Batches} batches, {Changed} status changes, in {ElapsedMilliseconds:F0} ms.")]
    public static partial void LifecycleEvaluationFinished(ILogger logger, long customers, long batches, long changed, double elapsedMilliseconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Lifecycle batch of {Customers} customers failed with {ExceptionType}; the exception reaches the caller.")]
    public static partial void LifecycleBatchFailed(ILogger logger, int customers, string exceptionType);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Purchase ingestion finished: {Inserted} inserted, {Skipped} skipped as already stored, in {Batches} batches, in {ElapsedMilliseconds:F0} ms.")]
    public static partial void PurchaseIngestionFinished(ILogger logger, long inserted, long skipped, long batches, double elapsedMilliseconds);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "Purchase ingestion stopped by {ExceptionType} after {Inserted} inserted and {Skipped} skipped in {Batches} committed batches; those stay stored, and ingesting the same feed again skips them.")]
    public static partial void PurchaseIngestionStopped(ILogger logger, string exceptionType, long inserted, long skipped, long batches);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Model {Model} fitted to {Customers} customers in {Iterations} iterations, in {ElapsedMilliseconds:F0} ms.")]
    public static partial void ModelFitted(ILogger logger, string model, long customers, int iterations, double elapsedMilliseconds);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "Model {Model} could not be fitted ({ExceptionType}) after {ElapsedMilliseconds:F0} ms.")]
    public static partial void ModelFitFailed(ILogger logger, string exceptionType, string model, double elapsedMilliseconds);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "RFM computed from {Input}: {Rows} rows read, {Customers} customers scored, in {ElapsedMilliseconds:F0} ms.")]
    public static partial void RfmComputed(ILogger logger, string input, long rows, int customers, double elapsedMilliseconds);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning,
        Message = "RFM computation from {Input} failed with {ExceptionType}.")]
    public static partial void RfmFailed(ILogger logger, string input, string exceptionType);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information,
        Message = "Customer erasure committed: {CustomerRecords} customer records (the merge family), {ExternalIds} external ids hashed; previously erased: {AlreadyErased}.")]
    public static partial void CustomerErased(ILogger logger, int customerRecords, int externalIds, bool alreadyErased);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information,
        Message = "Customers merged: {Interactions} interactions, {Purchases} purchases, {Memberships} segment memberships, {LoyaltyAccounts} loyalty accounts moved; lifecycle merged: {LifecycleMerged}.")]
    public static partial void CustomersMerged(ILogger logger, int interactions, int purchases, int memberships, int loyaltyAccounts, bool lifecycleMerged);
}
