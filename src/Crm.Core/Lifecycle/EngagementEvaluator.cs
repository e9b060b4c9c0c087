using System.Buffers;
using Crm.Core.Diagnostics;
using System.Runtime.CompilerServices;
using System.Diagnostics;
using Crm.Core.Customers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>One customer's input to batch evaluation: who, their purchase summary and their current status.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Purchases">Their purchase summary, built up to (at least) the evaluation day.</param>
/// <param name="Status">The status last recorded for them; <see cref="EngagementStatus.None"/> when never evaluated.</param>
public readonly record struct CustomerEngagement(CustomerId CustomerId, PurchaseSummary Purchases, EngagementStatus Status);

/// <summary>
/// Derives <see cref="EngagementStatus"/> from purchase summaries under <see cref="EngagementRules"/>: for one
/// customer (<see cref="StatusOf"/>), for a batch in place (<see cref="EvaluateBatch"/>) or streaming over all
/// customers in batches (<see cref="EvaluateAll"/>, <see cref="EvaluateAllAsync"/>).
/// </summary>
/// <remarks>
/// The status is a pure function of (purchase summary, evaluation day, rules), so evaluation is idempotent:
/// evaluating again on the same day changes nothing and raises no event. The library runs no scheduler; hosts
/// call these methods from their own job (nightly, say). The evaluation day is the calendar day of the
/// evaluation instant in <see cref="Zone"/>, the same zone the purchase summaries were built in.
/// Thread-safe when the configured <see cref="IChurnRiskModel"/> is.
/// </remarks>
public sealed class EngagementEvaluator
{
    // Zone is irrelevant for judging: summaries and evaluation work on day numbers.
    private static readonly EngagementEvaluator DefaultJudge = new(EngagementRules.Default, DateTimeZone.Utc);

    /// <summary>The default batch size of the streaming methods.</summary>
    public const int DefaultBatchSize = 4096;

    private readonly ILogger _logger;
    private readonly IChurnRiskModel? _model;
    private readonly ChurnRiskThresholds _thresholds;
    private readonly int _minimumDays;
    private readonly double _atRiskMultiplier;
    private readonly double _lapsedMultiplier;
    private readonly double _churnedMultiplier;
    private readonly double _churnedCap;
    private readonly int _defaultAtRisk;
    private readonly int _defaultLapsed;
    private readonly int _defaultChurned;
    private readonly int _reactivationDays;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="rules">The rules; <see cref="EngagementRules.Default"/> for the defaults.</param>
    /// <param name="zone">The business's time zone: purchase days and evaluation days are calendar days in it.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The rules are inconsistent (see <see cref="EngagementRules.Validate"/>).</exception>
    public EngagementEvaluator(EngagementRules rules, DateTimeZone zone)
        : this(rules, zone, null)
    {
    }

    /// <summary>Creates an evaluator that logs its batches and finished runs (counts and durations only).</summary>
    /// <param name="rules">The rules; <see cref="EngagementRules.Default"/> for the defaults.</param>
    /// <param name="zone">The business's time zone: purchase days and evaluation days are calendar days in it.</param>
    /// <param name="logger">
    /// Receives a Debug message per evaluated batch and an Information message when <see cref="EvaluateAll"/> or
    /// <see cref="EvaluateAllAsync"/> finishes (event ids 3001 and 3002); null for none.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or <paramref name="zone"/> is null.</exception>
    /// <exception cref="ArgumentException">The rules are inconsistent (see <see cref="EngagementRules.Validate"/>).</exception>
    public EngagementEvaluator(EngagementRules rules, DateTimeZone zone, ILogger? logger)
    {
        Preconditions.CheckNotNull(rules);
        Preconditions.CheckNotNull(zone);
        rules.Validate();
        Rules = rules;
        Zone = zone;
        _logger = logger ?? NullLogger.Instance;
        // Copied into fields so the hot loop reads plain fields rather than going through the record's properties.
        _model = rules.ChurnRiskModel;
        _thresholds = rules.ChurnRiskThresholds;
        _minimumDays = rules.MinimumPurchaseDaysForCadence;
        _atRiskMultiplier = rules.AtRiskMultiplier;
        _lapsedMultiplier = rules.LapsedMultiplier;
        _churnedMultiplier = rules.ChurnedMultiplier;
        _churnedCap = rules.ChurnedAfterDaysAtMost;
        _defaultAtRisk = rules.DefaultAtRiskAfterDays;
        _defaultLapsed = rules.DefaultLapsedAfterDays;
        _defaultChurned = rules.DefaultChurnedAfterDays;
        _reactivationDays = rules.ReactivationDays;
    }

    /// <summary>The rules applied.</summary>
    public EngagementRules Rules { get; }

    /// <summary>The time zone whose calendar days are purchase and evaluation days.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The status of a customer with <paramref name="purchases"/> on <paramref name="asOf"/>.</summary>
    /// <param name="purchases">The purchase summary.</param>
    /// <param name="asOf">The evaluation day; not before the last purchase.</param>
    /// <returns><see cref="EngagementStatus.None"/> when there are no purchases, otherwise the status under the rules.</returns>
    /// <exception cref="ArgumentException"><paramref name="asOf"/> is before the last purchase in the summary.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The churn-risk model returned a value outside [0, 1].</exception>
    public EngagementStatus StatusOf(in PurchaseSummary purchases, LocalDate asOf)
    {
        var day = PurchaseSummary.DayNumber(asOf);
        CheckNotBeforeLastPurchase(purchases, day, nameof(asOf));
        return Status(in purchases, day);
    }

    /// <summary>
    /// Re-evaluates a batch in place: each element whose status changes gets the new status and one
    /// <see cref="EngagementStatusChanged"/> is added to <paramref name="changes"/>. Allocates nothing beyond those events.
    /// </summary>
    /// <param name="customers">The batch; statuses are updated in place.</param>
    /// <param name="asOf">The evaluation instant; its calendar day in <see cref="Zone"/> is the evaluation day.</param>
    /// <param name="changes">Receives the change events in batch order.</param>
    /// <returns>The number of customers whose status changed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An element has a default customer id, or the evaluation day is before an element's last purchase. Nothing is
    /// changed then: the whole batch is checked before any status is written.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The churn-risk model returned a value outside [0, 1]; nothing is changed.</exception>
    public int EvaluateBatch(Span<CustomerEngagement> customers, Instant asOf, ICollection<EngagementStatusChanged> changes)
    {
        Preconditions.CheckNotNull(changes);
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.LifecycleEvaluateSpan);
        try
        {
            var changed = EvaluateBatchCore(customers, asOf, changes);
            if (activity is not null)
            {
                activity.SetTag("crm.lifecycle.customers", customers.Length);
                activity.SetTag("crm.lifecycle.changed", changed);
            }
            if (changed > 0 && CrmDiagnostics.LifecycleStatusChanges.Enabled)
            {
                CrmDiagnostics.LifecycleStatusChanges.Add(changed);
            }
            CrmLog.LifecycleBatchEvaluated(_logger, customers.Length, changed);
            return changed;
        }
        catch (Exception e)
        {
            CrmDiagnostics.RecordFailure(activity, e);
            CrmLog.LifecycleBatchFailed(_logger, customers.Length, CrmLog.TypeOf(e));
            throw;
        }
    }

    private int EvaluateBatchCore(Span<CustomerEngagement> customers, Instant asOf, ICollection<EngagementStatusChanged> changes)
    {
        var date = asOf.InZone(Zone).Date;
        var day = PurchaseSummary.DayNumber(date);

        // Pass 1 checks and computes into a rented buffer without writing to the batch, so that a bad element or a
        // model failing half-way changes nothing; pass 2 writes the changes. Two passes over the data, no allocation.
        var buffer = ArrayPool<EngagementStatus>.Shared.Rent(customers.Length);
        try
        {
            for (var i = 0; i < customers.Length; i++)
            {
                ref readonly var c = ref customers[i];
                if (c.CustomerId.IsDefault)
                {
                    // Not Preconditions.CheckArgument: its message would be formatted for every customer of the batch.
                    throw new ArgumentException($"Element {i} of the batch has a default CustomerId.", nameof(customers));
                }
                var purchases = c.Purchases;
                CheckNotBeforeLastPurchase(in purchases, day, nameof(asOf));
                buffer[i] = Status(in purchases, day);
            }
            var changed = 0;
            for (var i = 0; i < customers.Length; i++)
            {
                ref var c = ref customers[i];
                var status = buffer[i];
                if (status != c.Status)
                {
                    changes.Add(new EngagementStatusChanged(c.CustomerId, c.Status, status, date, asOf));
                    c = c with { Status = status };
                    changed++;
                }
            }
            return changed;
        }
        finally
        {
            ArrayPool<EngagementStatus>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Streams over all customers in batches of <paramref name="batchSize"/> and yields the status changes.
    /// Lazy: nothing is read before enumeration starts, and one batch is held in memory at a time.
    /// </summary>
    /// <param name="customers">Every customer to evaluate, typically read from the host's store.</param>
    /// <param name="asOf">The evaluation instant.</param>
    /// <param name="batchSize">Customers per batch, 1 to 1,000,000.</param>
    /// <returns>The changes, in input order. Persist the new statuses from them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    /// <param name="progress">Receives a <see cref="LifecycleEvaluationProgress"/> after every batch; null for none.</param>
    /// <exception cref="ArgumentException">During enumeration: as for <see cref="EvaluateBatch"/>; earlier batches' changes were already yielded.</exception>
    public IEnumerable<EngagementStatusChanged> EvaluateAll(IEnumerable<CustomerEngagement> customers, Instant asOf, int batchSize = DefaultBatchSize,
        IProgress<LifecycleEvaluationProgress>? progress = null)
    {
        Preconditions.CheckNotNull(customers);
        Preconditions.CheckArgumentRange(nameof(batchSize), batchSize, 1, 1_000_000);
        return Iterate(customers, asOf, batchSize, progress);
    }

    /// <summary>The asynchronous form of <see cref="EvaluateAll"/>, for stores that stream asynchronously.</summary>
    /// <param name="customers">Every customer to evaluate.</param>
    /// <param name="asOf">The evaluation instant.</param>
    /// <param name="batchSize">Customers per batch, 1 to 1,000,000.</param>
    /// <param name="progress">Receives a <see cref="LifecycleEvaluationProgress"/> after every batch; null for none.</param>
    /// <param name="cancellationToken">Stops between customers.</param>
    /// <returns>The changes, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customers"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    public IAsyncEnumerable<EngagementStatusChanged> EvaluateAllAsync(IAsyncEnumerable<CustomerEngagement> customers, Instant asOf,
        int batchSize = DefaultBatchSize, IProgress<LifecycleEvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(customers);
        Preconditions.CheckArgumentRange(nameof(batchSize), batchSize, 1, 1_000_000);
        return IterateAsync(customers, asOf, batchSize, progress, cancellationToken);
    }

    private IEnumerable<EngagementStatusChanged> Iterate(IEnumerable<CustomerEngagement> customers, Instant asOf, int batchSize,
        IProgress<LifecycleEvaluationProgress>? progress)
    {
        var batcher = new Batcher(this, asOf, batchSize, progress);
        foreach (var customer in customers)
        {
            foreach (var change in batcher.Add(customer))
            {
                yield return change;
            }
        }
        foreach (var change in batcher.Flush())
        {
            yield return change;
        }
        batcher.Finish();
    }

    private async IAsyncEnumerable<EngagementStatusChanged> IterateAsync(IAsyncEnumerable<CustomerEngagement> customers, Instant asOf, int batchSize,
        IProgress<LifecycleEvaluationProgress>? progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batcher = new Batcher(this, asOf, batchSize, progress);
        await foreach (var customer in customers.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var change in batcher.Add(customer))
            {
                yield return change;
            }
        }
        foreach (var change in batcher.Flush())
        {
            yield return change;
        }
        batcher.Finish();
    }

    /// <summary>Collects customers into one reused batch and evaluates it when full; shared by the sync and async streams.</summary>
    private sealed class Batcher(EngagementEvaluator evaluator, Instant asOf, int batchSize, IProgress<LifecycleEvaluationProgress>? progress)
    {
        private readonly CustomerEngagement[] _batch = new CustomerEngagement[batchSize];
        private readonly List<EngagementStatusChanged> _changes = [];
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _count;
        private long _evaluated;
        private long _changed;
        private long _batches;

        /// <summary>Adds a customer; returns the batch's changes when it filled up, otherwise nothing.</summary>
        public List<EngagementStatusChanged> Add(CustomerEngagement customer)
        {
            _batch[_count++] = customer;
            if (_count < _batch.Length)
            {
                _changes.Clear();
                return _changes;
            }
            return Flush();
        }

        /// <summary>Evaluates what is buffered and returns its changes (valid until the next call).</summary>
        public List<EngagementStatusChanged> Flush()
        {
            _changes.Clear();
            if (_count == 0)
            {
                return _changes;
            }
            evaluator.EvaluateBatch(_batch.AsSpan(0, _count), asOf, _changes);
            _evaluated += _count;
            _changed += _changes.Count;
            _batches++;
            progress?.Report(new LifecycleEvaluationProgress(_evaluated, _changed));
            _count = 0;
            return _changes;
        }

        /// <summary>Logs the finished run; called once the input is exhausted and the last batch flushed.</summary>
        public void Finish() =>
            CrmLog.LifecycleEvaluationFinished(evaluator._logger, _evaluated, _batches, _changed, Stopwatch.GetElapsedTime(_started).TotalMilliseconds);
    }

    /// <summary>The status on evaluation day <paramref name="day"/>, which is known not to precede the last purchase.</summary>
    internal EngagementStatus Status(in PurchaseSummary purchases, int day)
    {
        if (purchases.IsEmpty)
        {
            return EngagementStatus.None;
        }
        var status = Judge(in purchases, day);
        // Reactivated only replaces Active, and lasts ReactivationDays from the purchase that brought them back.
        return status == EngagementStatus.Active && purchases.HasReactivation && day - purchases.ReactivatedOnDayNumber < _reactivationDays
            ? EngagementStatus.Reactivated
            : status;
    }

    /// <summary>An evaluator for <paramref name="rules"/> (the shared default one when null), used to judge reactivations while summarising.</summary>
    internal static EngagementEvaluator ForRules(EngagementRules? rules) =>
        rules is null || ReferenceEquals(rules, EngagementRules.Default) ? DefaultJudge : new EngagementEvaluator(rules, DateTimeZone.Utc);

    /// <summary>The status from the cadence rule or the model alone (no reactivation).</summary>
    internal EngagementStatus Judge(in PurchaseSummary purchases, int day)
    {
        if (_model is not null)
        {
            var date = LocalDate.FromDateOnly(DateOnly.FromDayNumber(day));
            return _thresholds.StatusFor(_model.ProbabilityAlive(in purchases, date));
        }
        var silence = day - purchases.LastDayNumber;
        if (purchases.PurchaseDays >= _minimumDays)
        {
            var interval = purchases.IntervalRaw;
            return silence > Math.Min(interval * _churnedMultiplier, _churnedCap) ? EngagementStatus.Churned
                : silence > interval * _lapsedMultiplier ? EngagementStatus.Lapsed
                : silence > interval * _atRiskMultiplier ? EngagementStatus.AtRisk
                : EngagementStatus.Active;
        }
        return silence > _defaultChurned ? EngagementStatus.Churned
            : silence > _defaultLapsed ? EngagementStatus.Lapsed
            : silence > _defaultAtRisk ? EngagementStatus.AtRisk
            : EngagementStatus.Active;
    }

    private static void CheckNotBeforeLastPurchase(in PurchaseSummary purchases, int day, string paramName) =>
        Preconditions.CheckArgument(purchases.IsEmpty || day >= purchases.LastDayNumber, paramName,
            "The evaluation day is before the customer's last purchase: evaluate as of a later day, or build the summary from purchases up to that day only.");
}

/// <summary>
/// Progress of <see cref="EngagementEvaluator.EvaluateAll"/> / <see cref="EngagementEvaluator.EvaluateAllAsync"/>,
/// reported after every batch with running totals.
/// </summary>
/// <param name="Evaluated">Customers evaluated so far.</param>
/// <param name="Changed">Status changes found so far.</param>
public readonly record struct LifecycleEvaluationProgress(long Evaluated, long Changed);
