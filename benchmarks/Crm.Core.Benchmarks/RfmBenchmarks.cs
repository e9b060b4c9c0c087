using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Crm.Core;
using Crm.Core.Rfm;
using DuckDB.NET.Data;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// RFM end to end (summary + tie-aware scores + default segments) on 10,000,000 purchases of 1,000,000 customers,
/// generated deterministically in memory (not timed). Every method computes from scratch on the same columns.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- --filter '*RfmBenchmarks*' --job short</c>.
/// <see cref="RfmBenchmarksTest"/>-style agreement checks call <see cref="Setup"/> with small sizes and compare every method's scores.
/// </remarks>
[MemoryDiagnoser]
public class RfmBenchmarks
{
    private const string Sql = """
        WITH c AS (
            SELECT customer_id,
                   max(d) FILTER (WHERE amount >= 0) AS last_day,
                   count(*) FILTER (WHERE amount >= 0) AS frequency,
                   sum(amount) AS monetary
            FROM purchases
            WHERE d <= $asof
            GROUP BY customer_id
            HAVING count(*) FILTER (WHERE amount >= 0) > 0
        ), s AS (
            SELECT customer_id, frequency, monetary, ($asof - last_day) AS recency_days,
                   1 + (5 * (rank() OVER (ORDER BY last_day) - 1)) // count(*) OVER () AS r,
                   1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
                   1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m
            FROM c
        )
        SELECT customer_id, recency_days, frequency, monetary, r, f, m,
               CASE
                   WHEN r = 5 AND f >= 4 THEN 'Champions'
                   WHEN r BETWEEN 3 AND 4 AND f >= 4 THEN 'Loyal'
                   WHEN r >= 4 AND f BETWEEN 2 AND 3 THEN 'Potential Loyalist'
                   WHEN r = 5 AND f = 1 THEN 'New'
                   WHEN r = 4 AND f = 1 THEN 'Promising'
                   WHEN r = 3 AND f = 3 THEN 'Need Attention'
                   WHEN r = 3 AND f <= 2 THEN 'About to Sleep'
                   WHEN r <= 2 AND f BETWEEN 3 AND 4 THEN 'At Risk'
                   WHEN r <= 2 AND f = 5 THEN 'Can''t Lose'
                   ELSE 'Hibernating'
               END AS segment
        FROM s
        """;

    private long[] _keys = [];
    private LocalDate[] _dates = [];
    private decimal[] _amounts = [];
    private DuckDBConnection? _duck;

    /// <summary>The as-of date: the last day of the generated two years.</summary>
    public static readonly LocalDate AsOf = new(2025, 12, 31);

    /// <summary>Number of purchase rows.</summary>
    public int Purchases { get; set; } = 10_000_000;

    /// <summary>Number of distinct customers.</summary>
    public int Customers { get; set; } = 1_000_000;

    private RfmOptions Options => new(AsOf);

    /// <summary>Generates the columns and loads DuckDB (what the agreement test calls).</summary>
    public void Setup()
    {
        SetupColumns();
        SetupDuckDb();
    }

    /// <summary>Generates the columns (deterministic).</summary>
    [GlobalSetup(Targets = [nameof(CrmCore), nameof(CrmCoreParallel), nameof(LinqGroupBy), nameof(SumPass)])]
    public void SetupColumns() => (_keys, _dates, _amounts) = Generate(Purchases, Customers, seed: 20251231);

    /// <summary>Generates the columns and appends them into DuckDB's in-memory table (only the DuckDB process pays for it).</summary>
    [GlobalSetup(Target = nameof(DuckDb))]
    public void SetupColumnsAndDuckDb() => Setup();

    private void SetupDuckDb()
    {
        _duck?.Dispose();
        _duck = new DuckDBConnection("Data Source=:memory:");
        _duck.Open();
        using (var create = _duck.CreateCommand())
        {
            create.CommandText = "CREATE TABLE purchases (customer_id BIGINT, d DATE, amount DECIMAL(18,2))";
            create.ExecuteNonQuery();
        }
        using (var appender = _duck.CreateAppender("purchases"))
        {
            for (var i = 0; i < _keys.Length; i++)
            {
                appender.CreateRow().AppendValue(_keys[i]).AppendValue(_dates[i].ToDateOnly()).AppendValue(_amounts[i]).EndRow();
            }
        }
    }

    /// <summary>Releases DuckDB.</summary>
    [GlobalCleanup]
    public void Cleanup() => _duck?.Dispose();

    /// <summary>The library's bulk API on one core.</summary>
    [Benchmark]
    public RfmResult<long> CrmCore() => RfmCalculator.Compute(_keys, _dates, _amounts, Currency.USD, Options);

    /// <summary>The same, allowed every core.</summary>
    [Benchmark]
    public RfmResult<long> CrmCoreParallel() => RfmCalculator.Compute(_keys, _dates, _amounts, Currency.USD, Options with { MaxDegreeOfParallelism = -1 });

    /// <summary>DuckDB in-process (all cores): one GROUP BY + window-function query, every row read.</summary>
    [Benchmark(Baseline = true)]
    public ScoreRows DuckDb()
    {
        using var command = _duck!.CreateCommand();
        command.CommandText = Sql;
        command.Parameters.Add(new DuckDBParameter("asof", AsOf.ToDateOnly()));
        using var reader = command.ExecuteReader();
        var rows = new ScoreRows(Customers);
        while (reader.Read())
        {
            rows.Add(reader.GetInt64(0), reader.GetInt32(1), (int)reader.GetInt64(2), reader.GetDecimal(3),
                (byte)reader.GetInt64(4), (byte)reader.GetInt64(5), (byte)reader.GetInt64(6), reader.GetString(7));
        }
        return rows;
    }

    /// <summary>The obvious LINQ: GroupBy for the summary, sorted arrays and binary search for tie-aware ranks.</summary>
    [Benchmark]
    public ScoreRows LinqGroupBy()
    {
        var keys = _keys;
        var dates = _dates;
        var amounts = _amounts;
        var customers = Enumerable.Range(0, keys.Length)
            .Where(i => dates[i] <= AsOf)
            .GroupBy(i => keys[i])
            .Select(g => new
            {
                Key = g.Key,
                Purchases = g.Where(i => amounts[i] >= 0).ToList(),
                Monetary = g.Sum(i => amounts[i]),
            })
            .Where(c => c.Purchases.Count > 0)
            .Select(c => new
            {
                c.Key,
                LastDay = c.Purchases.Max(i => dates[i]),
                Frequency = c.Purchases.Count,
                c.Monetary,
            })
            .ToList();
        var n = customers.Count;
        var lastDays = customers.Select(c => c.LastDay).Order().ToArray();
        var frequencies = customers.Select(c => c.Frequency).Order().ToArray();
        var monetaries = customers.Select(c => c.Monetary).Order().ToArray();
        var rows = new ScoreRows(n);
        foreach (var c in customers)
        {
            var r = (byte)(1 + (5L * LowerBound(lastDays, c.LastDay) / n));
            var f = (byte)(1 + (5L * LowerBound(frequencies, c.Frequency) / n));
            var m = (byte)(1 + (5L * LowerBound(monetaries, c.Monetary) / n));
            rows.Add(c.Key, Period.DaysBetween(c.LastDay, AsOf), c.Frequency, c.Monetary, r, f, m, RfmSegmentMap.Default.SegmentOf(new RfmScore(r, f, m)));
        }
        return rows;
    }

    /// <summary>The memory floor: one loop reading every byte of the id, date and amount columns.</summary>
    [Benchmark]
    public long SumPass()
    {
        long sum = 0;
        foreach (var key in _keys)
        {
            sum += key;
        }
        foreach (var day in MemoryMarshal.Cast<LocalDate, int>(_dates))
        {
            sum += day;
        }
        foreach (var word in MemoryMarshal.Cast<decimal, long>(_amounts))
        {
            sum += word;
        }
        return sum;
    }

    /// <summary>
    /// Deterministic data: random 64-bit customer ids; ~30% of customers buy once, the others a skewed number of times;
    /// dates uniform over two years ending on <see cref="AsOf"/>; 2-decimal amounts, about 3% of rows refunds.
    /// Rows are shuffled, as in an export where one customer's purchases lie far apart.
    /// </summary>
    public static (long[] Keys, LocalDate[] Dates, decimal[] Amounts) Generate(int purchases, int customers, int seed)
    {
        var random = new Random(seed);
        var ids = new long[customers];
        for (var c = 0; c < customers; c++)
        {
            ids[c] = random.NextInt64(long.MinValue, long.MaxValue);
        }
        var counts = new int[customers];
        var once = (int)(customers * 0.3);
        var remaining = purchases - once;
        var repeaters = customers - once;
        var weights = new double[repeaters];
        var weightSum = 0.0;
        for (var c = 0; c < repeaters; c++)
        {
            // Pareto-like weights: a few heavy buyers, many light ones.
            weights[c] = 1.0 / Math.Pow(1.0 - random.NextDouble(), 0.6);
            weightSum += weights[c];
        }
        var assigned = 0;
        for (var c = 0; c < customers; c++)
        {
            counts[c] = c < once ? 1 : Math.Max(2, (int)(weights[c - once] / weightSum * remaining));
            assigned += counts[c];
        }
        // Trim or pad the repeaters so the total is exact.
        for (var c = once; assigned != purchases; c = c + 1 < customers ? c + 1 : once)
        {
            if (assigned > purchases && counts[c] > 2)
            {
                counts[c]--;
                assigned--;
            }
            else if (assigned < purchases)
            {
                counts[c]++;
                assigned++;
            }
        }
        var keys = new long[purchases];
        var at = 0;
        for (var c = 0; c < customers; c++)
        {
            for (var i = 0; i < counts[c]; i++)
            {
                keys[at++] = ids[c];
            }
        }
        random.Shuffle(keys);
        var dates = new LocalDate[purchases];
        var amounts = new decimal[purchases];
        var first = AsOf.PlusDays(-729);
        for (var i = 0; i < purchases; i++)
        {
            dates[i] = first.PlusDays(random.Next(730));
            var cents = random.Next(100, 50_000);
            amounts[i] = (random.Next(100) < 3 ? -cents / 4 : cents) / 100m;
        }
        return (keys, dates, amounts);
    }

    private static int LowerBound<T>(T[] sorted, T value)
        where T : IComparable<T>
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].CompareTo(value) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}

/// <summary>Scored rows read back from a baseline (DuckDB, LINQ), column-wise like the library's result.</summary>
public sealed class ScoreRows(int capacity)
{
    /// <summary>The customer keys.</summary>
    public List<long> Keys { get; } = new(capacity);

    /// <summary>The recency in days.</summary>
    public List<int> Recency { get; } = new(capacity);

    /// <summary>The purchase counts.</summary>
    public List<int> Frequency { get; } = new(capacity);

    /// <summary>The monetary sums.</summary>
    public List<decimal> Monetary { get; } = new(capacity);

    /// <summary>The scores packed as R·100 + F·10 + M.</summary>
    public List<int> Scores { get; } = new(capacity);

    /// <summary>The segment names.</summary>
    public List<string> Segments { get; } = new(capacity);

    /// <summary>Adds one row.</summary>
    public void Add(long key, int recency, int frequency, decimal monetary, byte r, byte f, byte m, string segment)
    {
        Keys.Add(key);
        Recency.Add(recency);
        Frequency.Add(frequency);
        Monetary.Add(monetary);
        Scores.Add((r * 100) + (f * 10) + m);
        Segments.Add(segment);
    }
}
