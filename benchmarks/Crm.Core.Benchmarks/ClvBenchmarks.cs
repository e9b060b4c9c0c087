using System.Globalization;
using BenchmarkDotNet.Attributes;
using Crm.Core.Analytics.Affinity;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Simulation;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// Customer-value analytics (issue #7, section 6): BG/NBD + Gamma-Gamma fits on CDNOW and on a million simulated
/// customers, batch P(alive) + expected purchases and CLV for a million customers, and product affinity over a million
/// baskets. All data are prepared in <see cref="Setup"/> (not timed).
/// </summary>
/// <remarks>
/// <para>
/// Run: <c>dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- --filter '*ClvBenchmarks*' --job short --buildTimeout 900</c>.
/// </para>
/// <para>
/// Simulated customers come from the library's <see cref="CustomerSimulator"/> with the CDNOW estimates as truth,
/// ages uniform over 0–78 weeks. The <c>Days</c> variants truncate t_x and T to whole days, as summaries built from
/// day-stamped transactions always are; the <c>Continuous</c> variants keep the simulator's fractional times, the
/// worst case (no two customers share a row or a time value).
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class ClvBenchmarks
{
    /// <summary>CDNOW's published BG/NBD estimates, the truth of the simulation.</summary>
    public static readonly BgNbdParameters Truth = new(0.2426, 4.4136, 0.7929, 2.4259);

    /// <summary>CDNOW's published Gamma-Gamma estimates, the truth of the simulated spend.</summary>
    public static readonly GammaGammaParameters SpendTruth = new(6.25, 3.74, 15.44);

    private static readonly BgNbdModel Model = new(Truth, PeriodUnit.Week);
    private static readonly ClvCalculator Calculator = new(Model, new GammaGammaModel(SpendTruth));

    // An annual 10 % per week: (1.1)^(1/52) − 1.
    private static readonly ClvHorizon Horizon = new(52, PeriodUnit.Week, 0.001835);

    private RecencyFrequency[] _cdnow = [];
    private FrequencyMonetary[] _cdnowSpend = [];
    private RecencyFrequency[] _days = [];
    private RecencyFrequency[] _continuous = [];
    private FrequencyMonetary[] _spend = [];
    private CustomerSummary[] _summaries = [];
    private string[][] _baskets = [];
    private double[] _alive = [];
    private double[] _expected = [];

    /// <summary>Simulated customers (default 1,000,000).</summary>
    public int Customers { get; set; } = 1_000_000;

    /// <summary>Baskets for the affinity benchmark (default 1,000,000).</summary>
    public int Baskets { get; set; } = 1_000_000;

    /// <summary>Distinct SKUs the baskets draw from (default 5,000).</summary>
    public int Skus { get; set; } = 5_000;

    /// <summary>Prepares every data set (deterministic).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var cdnow = CustomerSummarizer.Summarize(ReadCdnow(), new LocalDate(1997, 9, 30), PeriodUnit.Week);
        _cdnow = cdnow.Select(s => s.ToRecencyFrequency()).ToArray();
        _cdnowSpend = cdnow.Select(s => new FrequencyMonetary(s.Frequency, (double)s.MonetaryValue)).ToArray();

        var simulated = new CustomerSimulator(Truth, SpendTruth, seed: 20261123).Simulate(Customers, 0, 78);
        _continuous = simulated.Select(c => c.Summary).ToArray();
        _days = _continuous.Select(ToWholeDays).ToArray();
        _spend = simulated.Select(c => new FrequencyMonetary(c.Summary.Frequency, c.MonetaryValue)).ToArray();
        var first = new LocalDate(2025, 1, 1);
        _summaries = simulated.Select((c, i) => new CustomerSummary(
            new CustomerId(string.Create(CultureInfo.InvariantCulture, $"C{i:D7}")), first, _days[i].Frequency, _days[i].Recency, _days[i].Age,
            Math.Round((decimal)c.MonetaryValue, 2))).ToArray();
        _alive = new double[Customers];
        _expected = new double[Customers];
        _baskets = GenerateBaskets(Baskets, Skus, seed: 7);
    }

    /// <summary>BG/NBD + Gamma-Gamma maximum-likelihood fits on the 2,357 CDNOW customers (target ≤ 10 ms).</summary>
    [Benchmark]
    public double FitCdnow() => Fit(_cdnow, _cdnowSpend);

    /// <summary>Both fits on a million simulated customers with day-granular t_x and T (target ≤ 1 s).</summary>
    [Benchmark]
    public double FitMillionDays() => Fit(_days, _spend);

    /// <summary>Both fits on a million simulated customers with fractional t_x and T (nothing collapses).</summary>
    [Benchmark]
    public double FitMillionContinuous() => Fit(_continuous, _spend);

    /// <summary>P(alive) and E[Y(52 weeks)] for a million day-granular customers (target ≤ 200 ms).</summary>
    [Benchmark]
    public double PredictMillionDays()
    {
        Model.Predict(52, _days, _alive, _expected);
        return _expected[^1];
    }

    /// <summary>P(alive) and E[Y(52 weeks)] for a million customers with fractional times (one series per customer).</summary>
    [Benchmark]
    public double PredictMillionContinuous()
    {
        Model.Predict(52, _continuous, _alive, _expected);
        return _expected[^1];
    }

    /// <summary>Discounted CLV over 52 weekly periods (plus P(alive), E[Y], E[M]) for a million customer summaries.</summary>
    [Benchmark]
    public IReadOnlyList<ClvPrediction> ClvMillionDays() => Calculator.Predict(_summaries, Horizon);

    /// <summary>Product-to-product affinity over a million baskets of 1–10 items from 5,000 SKUs (target ≤ 2 s).</summary>
    [Benchmark]
    public ProductAffinityModel<string> AffinityMillionBaskets() => ProductAffinity.Analyze(_baskets);

    /// <summary>The data sets, for the agreement tests.</summary>
    public (RecencyFrequency[] Days, RecencyFrequency[] Continuous, CustomerSummary[] Summaries, string[][] Baskets) Data => (_days, _continuous, _summaries, _baskets);

    /// <summary>The last batch prediction's outputs.</summary>
    public (double[] Alive, double[] Expected) Predictions => (_alive, _expected);

    /// <summary>Fits both models and returns a checksum of the parameters (so nothing is optimised away).</summary>
    public static double Fit(RecencyFrequency[] rows, FrequencyMonetary[] spend)
    {
        var purchases = BgNbdModel.Fit(rows, PeriodUnit.Week).Parameters;
        var value = GammaGammaModel.Fit(spend).Parameters;
        return purchases.R + purchases.Alpha + purchases.A + purchases.B + value.P + value.Q + value.V;
    }

    /// <summary>Truncates t_x and T to whole days (of weeks), as a summary of day-stamped transactions has them.</summary>
    public static RecencyFrequency ToWholeDays(RecencyFrequency row) =>
        new(row.Frequency, Math.Floor(row.Recency * 7) / 7, Math.Floor(row.Age * 7) / 7);

    /// <summary>
    /// Baskets of 1–10 items (uniform) whose SKUs follow a Zipf(1) popularity, as product sales do: a few hundred
    /// SKUs clear the default minimum support of 0.1 %, the long tail does not.
    /// </summary>
    public static string[][] GenerateBaskets(int count, int skus, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, skus).Select(i => string.Create(CultureInfo.InvariantCulture, $"SKU-{i:D5}")).ToArray();
        var cumulative = new double[skus];
        var total = 0.0;
        for (var i = 0; i < skus; i++)
        {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }
        var baskets = new string[count][];
        for (var b = 0; b < count; b++)
        {
            var basket = new string[random.Next(1, 11)];
            for (var k = 0; k < basket.Length; k++)
            {
                var at = Array.BinarySearch(cumulative, random.NextDouble() * total);
                basket[k] = names[Math.Min(at < 0 ? ~at : at, skus - 1)];
            }
            baskets[b] = basket;
        }
        return baskets;
    }

    /// <summary>CDNOW_sample.txt from the analytics tests' data folder, found by walking up to the solution.</summary>
    private static IEnumerable<CustomerTransaction> ReadCdnow()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.Core.sln")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException("Run the benchmarks from inside the repository: Crm.Core.sln was not found above " + AppContext.BaseDirectory);
        }
        var path = Path.Combine(dir.FullName, "tests", "Crm.Core.Analytics.Tests", "Data", "CDNOW_sample.txt");
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5)
            {
                continue;
            }
            var date = new LocalDate(int.Parse(f[2][..4], CultureInfo.InvariantCulture), int.Parse(f[2][4..6], CultureInfo.InvariantCulture), int.Parse(f[2][6..], CultureInfo.InvariantCulture));
            yield return new CustomerTransaction(new CustomerId(f[0]), date, decimal.Parse(f[4], CultureInfo.InvariantCulture));
        }
    }
}
