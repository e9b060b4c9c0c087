using BenchmarkDotNet.Attributes;
using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// A 10-condition segment rule over 1,000,000 in-memory customer profiles:
/// <c>Compiled</c> is the library's full-refresh path (<see cref="InMemoryCustomerProfileStore.StreamMatchingAsync"/>
/// with the compiled, cached criterion: columnar batch evaluation), <c>Interpreter</c> walks the rule tree per
/// customer (the baseline), <c>CompiledPerProfile</c> is the previous path (the compiled delegate called on every
/// profile object), <c>SingleCustomer</c> is an incremental re-evaluation of one customer through the compile cache.
/// </summary>
[MemoryDiagnoser]
public class SegmentationBenchmarks
{
    /// <summary>The evaluation date of the rule.</summary>
    public static readonly LocalDate Today = new(2024, 6, 15);

    /// <summary>Ten conditions of the kinds hosts write most: scores, counts, amounts, dates, text, sets, consent.</summary>
    public static readonly RuleNode Rule = new AllOf(
        new FieldCondition("rfm.r", RuleOperator.Gte, 2),
        new FieldCondition("purchases.count", RuleOperator.Between, 2, 60),
        new FieldCondition("purchases.total", RuleOperator.Gt, 50m),
        new FieldCondition("purchases.last", RuleOperator.Gte, RuleValue.DaysAgo(365)),
        new FieldCondition("country", RuleOperator.In, "DE", "AT", "CH", "NL"),
        new FieldCondition("tags", RuleOperator.NotContains, "staff"),
        new FieldCondition("hasEmail", RuleOperator.Eq, true),
        new AnyOf(
            new ConsentCondition("marketing", Channel.Email),
            new FieldCondition("rfm.segment", RuleOperator.Eq, "Champions")),
        new NotOf(new FieldCondition("city", RuleOperator.IsEmpty)));

    private CustomerProfile[] _profiles = [];
    private InMemoryCustomerProfileStore _store = new();
    private RuleCompiler _compiler = RuleCompiler.Default;
    private RuleInterpreter _interpreter = null!;
    private CustomerProfile _one = null!;

    /// <summary>Number of profiles.</summary>
    [Params(1_000_000)]
    public int Customers { get; set; }

    /// <summary>Generates the profiles deterministically and loads them into the store (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _profiles = Generate(Customers, seed: 42);
        _store = new InMemoryCustomerProfileStore();
        foreach (var profile in _profiles)
        {
            _store.UpsertAsync(profile).GetAwaiter().GetResult();
        }
        _compiler = new RuleCompiler();
        _interpreter = new RuleInterpreter(_compiler, Today);
        _one = _profiles[Customers / 2];
        // Warm the compile cache and build the columns the rule reads, as a running host would have
        // (later upserts keep the columns current; they are not rebuilt per refresh).
        var expected = CompiledPerProfile();
        var streamed = Compiled().GetAwaiter().GetResult();
        var interpreted = Interpreter();
        if (streamed != expected || interpreted != expected)
        {
            throw new InvalidOperationException($"The methods disagree: store {streamed}, delegate {expected}, interpreter {interpreted}.");
        }
    }

    /// <summary>The library's full-refresh path: matching ids streamed from the store in batches of 10,000.</summary>
    [Benchmark]
    public async Task<int> Compiled()
    {
        var criterion = _compiler.Compile(Rule, Today);
        var count = 0;
        await foreach (var batch in _store.StreamMatchingAsync(criterion, 10_000))
        {
            count += batch.Count;
        }
        return count;
    }

    /// <summary>The previous path, for comparison: the cached compiled delegate called on every profile object.</summary>
    [Benchmark]
    public int CompiledPerProfile()
    {
        var predicate = _compiler.Compile(Rule, Today).Compiled;
        var count = 0;
        foreach (var profile in _profiles)
        {
            if (predicate(profile))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Baseline: walk the rule tree for each profile, reading fields through the registry.</summary>
    [Benchmark(Baseline = true)]
    public int Interpreter()
    {
        var count = 0;
        foreach (var profile in _profiles)
        {
            if (_interpreter.Evaluate(Rule, profile))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Incremental: one customer re-evaluated (cache lookup + delegate call).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public bool SingleCustomer() => _compiler.Compile(Rule, Today).IsSatisfiedBy(_one);

    /// <summary>The deterministic population (the setup checks that every method finds the same members).</summary>
    public static CustomerProfile[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        string[] countries = ["DE", "AT", "CH", "NL", "FR", "GB", "US"];
        string[] cities = ["Berlin", "Wien", "Zürich", "Amsterdam", "Paris", ""];
        string[] segments = ["Champions", "Loyal", "At Risk", "Hibernating"];
        var consent = CustomerProfile.ConsentKey("marketing", Channel.Email);
        var profiles = new CustomerProfile[count];
        for (var i = 0; i < count; i++)
        {
            var purchases = random.Next(0, 80);
            profiles[i] = new CustomerProfile(new CustomerId(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                Country = countries[random.Next(countries.Length)],
                City = random.Next(10) == 0 ? null : cities[random.Next(cities.Length)],
                HasEmail = random.Next(4) > 0,
                RecencyScore = purchases == 0 ? null : random.Next(1, 6),
                RfmSegment = purchases == 0 ? null : segments[random.Next(segments.Length)],
                PurchaseCount = purchases,
                TotalSpent = purchases * random.Next(5, 120),
                LastPurchaseDate = purchases == 0 ? null : Today.PlusDays(-random.Next(0, 700)),
                Tags = random.Next(20) == 0 ? ["staff"] : random.Next(3) == 0 ? ["newsletter"] : [],
                Consents = random.Next(2) == 0 ? [consent] : [],
            };
        }
        return profiles;
    }
}
