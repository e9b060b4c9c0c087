using BenchmarkDotNet.Attributes;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// Engagement status for 1,000,000 customers from their purchase summaries in one batch
/// (<see cref="EngagementEvaluator.EvaluateBatch"/>). Target: at least 10 million customers per second per core
/// (≤ 100 ns per customer), allocating nothing per customer beyond the status-change events.
/// </summary>
/// <remarks>
/// Customers get a rhythm (daily to yearly, or one-off) and 1–20 purchase days, ending up to two years before the
/// evaluation day, so every status occurs. <c>Steady</c> re-evaluates a batch whose statuses are current (the nightly
/// job on a quiet night: no events); <c>NextMonth</c> evaluates 30 days later from the statuses of today, so a share
/// of customers change and events are allocated.
/// </remarks>
[MemoryDiagnoser]
public class LifecycleBenchmarks
{
    private const int Customers = 1_000_000;
    private static readonly Instant Today = Instant.FromUtc(2026, 6, 1, 2, 0);
    private static readonly Instant NextMonthInstant = Today + Duration.FromDays(30);

    private readonly EngagementEvaluator _evaluator = new(EngagementRules.Default, DateTimeZone.Utc);
    private readonly List<EngagementStatusChanged> _changes = new(Customers);
    private CustomerEngagement[] _current = [];
    private CustomerEngagement[] _work = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var rhythms = new[] { 1, 7, 14, 30, 90, 365 };
        var today = Today.InUtc().Date;
        _current = new CustomerEngagement[Customers];
        var days = new List<LocalDate>(20);
        for (var i = 0; i < Customers; i++)
        {
            var rhythm = rhythms[random.Next(rhythms.Length)];
            var count = random.Next(1, 21);
            var last = today.PlusDays(-random.Next(0, 730));
            days.Clear();
            for (var k = 0; k < count; k++)
            {
                days.Add(last.PlusDays(-(k * rhythm) - random.Next(0, 1 + (rhythm / 3))));
            }
            days[0] = last;
            _current[i] = new CustomerEngagement(new CustomerId("c" + i), PurchaseSummary.FromPurchaseDates(days), EngagementStatus.None);
        }
        _evaluator.EvaluateBatch(_current, Today, _changes);
        _changes.Clear();
        _work = (CustomerEngagement[])_current.Clone();
    }

    [IterationSetup]
    public void ResetStatuses()
    {
        _current.CopyTo(_work, 0);
        _changes.Clear();
    }

    /// <summary>Statuses are current: evaluation only, no events.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Customers)]
    public int Steady() => _evaluator.EvaluateBatch(_work, Today, _changes);

    /// <summary>Thirty days on: a share of the customers change status and get an event.</summary>
    [Benchmark(OperationsPerInvoke = Customers)]
    public int NextMonth() => _evaluator.EvaluateBatch(_work, NextMonthInstant, _changes);
}
