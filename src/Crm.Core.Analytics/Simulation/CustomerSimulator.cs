using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using MathNet.Numerics.Distributions;
using NodaTime;

namespace Crm.Core.Analytics.Simulation;

/// <summary>One simulated customer: the observed summary and the hidden truth behind it.</summary>
/// <param name="Summary">The observed (x, t_x, T).</param>
/// <param name="MonetaryValue">The observed mean repeat-purchase value (0 when x = 0).</param>
/// <param name="IsAlive">Whether the customer is still alive at the end of observation (hidden in real data).</param>
/// <param name="PurchaseRate">The customer's purchase rate λ per period.</param>
/// <param name="DropoutProbability">The customer's dropout probability p after each repeat purchase.</param>
public sealed record SimulatedCustomer(RecencyFrequency Summary, double MonetaryValue, bool IsAlive, double PurchaseRate, double DropoutProbability);

/// <summary>
/// Draws customers from the BG/NBD and Gamma-Gamma generative processes. Seeded and deterministic: the same seed,
/// parameters and calls give the same customers on every machine, so hosts can test their pipelines (and we test
/// parameter recovery) against known truth.
/// </summary>
/// <remarks>Not thread-safe: one instance holds one random stream. Create one per thread.</remarks>
public sealed class CustomerSimulator
{
    private readonly BgNbdParameters _purchases;
    private readonly GammaGammaParameters? _spend;
    private readonly Random _random;

    /// <summary>Creates a simulator.</summary>
    /// <param name="purchases">The true BG/NBD parameters.</param>
    /// <param name="spend">The true Gamma-Gamma parameters, or null to simulate no spend (m = 0).</param>
    /// <param name="seed">The random seed.</param>
    /// <exception cref="ArgumentException">The parameters are default (uninitialised).</exception>
    public CustomerSimulator(BgNbdParameters purchases, GammaGammaParameters? spend, int seed)
    {
        Preconditions.CheckArgument(purchases.R > 0, nameof(purchases), "The parameters are uninitialised; create them with the BgNbdParameters constructor.");
        Preconditions.CheckArgument(spend is null || spend.Value.P > 0, nameof(spend), "The parameters are uninitialised; create them with the GammaGammaParameters constructor.");
        _purchases = purchases;
        _spend = spend;
        _random = new Random(seed);
    }

    /// <summary>Simulates <paramref name="count"/> customers observed for an age T drawn uniformly from [<paramref name="minAge"/>, <paramref name="maxAge"/>] periods.</summary>
    /// <param name="count">How many customers, 1–100,000,000.</param>
    /// <param name="minAge">The shortest observation, in periods, ≥ 0.</param>
    /// <param name="maxAge">The longest observation, in periods, ≥ <paramref name="minAge"/>.</param>
    /// <returns>The customers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="maxAge"/> is below <paramref name="minAge"/>.</exception>
    public IReadOnlyList<SimulatedCustomer> Simulate(int count, double minAge, double maxAge)
    {
        Preconditions.CheckArgumentRange(nameof(count), count, 1, 100_000_000);
        Preconditions.CheckArgument(double.IsFinite(minAge) && minAge >= 0, nameof(minAge), "The minimum age must be a finite number ≥ 0.");
        Preconditions.CheckArgument(double.IsFinite(maxAge) && maxAge >= minAge, nameof(maxAge), "The maximum age must be finite and not below the minimum age.");
        var result = new SimulatedCustomer[count];
        for (var i = 0; i < count; i++)
        {
            var age = minAge + (maxAge - minAge) * _random.NextDouble();
            result[i] = SimulateOne(age, out _);
        }
        return result;
    }

    /// <summary>
    /// Simulates day-stamped transactions of <paramref name="count"/> customers acquired uniformly over
    /// <paramref name="acquisitionDays"/> days from <paramref name="acquisitionStart"/> and observed up to
    /// <paramref name="observationEnd"/>: input for <see cref="CustomerSummarizer"/> and the <c>clv</c> pipeline.
    /// Customer ids are <c>SIM000001</c>, … Purchase times are truncated to days, so two purchases can fall on one day.
    /// </summary>
    /// <param name="count">How many customers, 1–10,000,000.</param>
    /// <param name="acquisitionStart">The first acquisition day.</param>
    /// <param name="acquisitionDays">The length of the acquisition window in days, ≥ 1.</param>
    /// <param name="observationEnd">The last observed day; after the acquisition window.</param>
    /// <param name="unit">The period unit the parameters are expressed in.</param>
    /// <returns>The transactions, grouped by customer, in time order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentException">The observation ends before the acquisition window does.</exception>
    public IReadOnlyList<CustomerTransaction> SimulateTransactions(int count, LocalDate acquisitionStart, int acquisitionDays, LocalDate observationEnd, PeriodUnit unit)
    {
        Preconditions.CheckArgumentRange(nameof(count), count, 1, 10_000_000);
        Preconditions.CheckArgumentRange(nameof(acquisitionDays), acquisitionDays, 1, 100_000);
        double days = unit.Days();
        var lastAcquisition = acquisitionStart.PlusDays(acquisitionDays - 1);
        Preconditions.CheckArgument(observationEnd >= lastAcquisition, nameof(observationEnd), "Observation must end on or after the last acquisition day.");
        var transactions = new List<CustomerTransaction>();
        for (var i = 0; i < count; i++)
        {
            var first = acquisitionStart.PlusDays(_random.Next(acquisitionDays));
            var age = Period.Between(first, observationEnd, PeriodUnits.Days).Days / days;
            var id = new CustomerId(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SIM{i + 1:D6}"));
            SimulateOne(age, out var purchases, recordTimes: true);
            foreach (var (time, amount) in purchases!)
            {
                transactions.Add(new CustomerTransaction(id, first.PlusDays((int)Math.Floor(time * days)), Math.Round((decimal)amount, 2)));
            }
        }
        return transactions;
    }

    private SimulatedCustomer SimulateOne(double age, out List<(double Time, double Amount)>? purchases, bool recordTimes = false)
    {
        var (r, alpha, a, b) = (_purchases.R, _purchases.Alpha, _purchases.A, _purchases.B);
        var lambda = Gamma.Sample(_random, r, alpha);
        var p = Beta.Sample(_random, a, b);
        var nu = _spend is { } s ? Gamma.Sample(_random, s.Q, s.V) : 0;
        purchases = recordTimes ? [(0, SpendDraw(nu))] : null;
        var x = 0;
        double time = 0, recency = 0, totalSpend = 0;
        var alive = true;
        while (true)
        {
            // Guard λ ≈ 0 (tiny r): the customer simply never buys again.
            var gap = lambda > 0 ? -Math.Log(1 - _random.NextDouble()) / lambda : double.PositiveInfinity;
            if (time + gap > age)
            {
                break;
            }
            time += gap;
            x++;
            recency = time;
            var amount = recordTimes ? SpendDraw(nu) : 0;
            totalSpend += amount;
            purchases?.Add((time, amount));
            if (_random.NextDouble() < p)
            {
                alive = false; // BG/NBD: dropout happens right after a repeat purchase
                break;
            }
        }
        double monetary = 0;
        if (x > 0 && _spend is { } spend)
        {
            // The mean of x Gamma(p, ν) draws is Gamma(p·x, ν) / x: one draw instead of x.
            monetary = recordTimes ? totalSpend / x : Gamma.Sample(_random, spend.P * x, nu) / x;
        }
        return new SimulatedCustomer(new RecencyFrequency(x, recency, age), monetary, alive, lambda, p);
    }

    private double SpendDraw(double nu) => _spend is { } s ? Gamma.Sample(_random, s.P, nu) : 0;
}
