using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;

namespace Crm.Core.Analytics.Clv;

/// <summary>The horizon of a CLV prediction: how many periods, in which unit, discounted at what rate per period.</summary>
/// <remarks>
/// The unit is part of the horizon on purpose and must equal the BG/NBD model's unit: "52" means nothing without it,
/// and a discount rate is always per period of that unit (an annual 10 % is about 0.00183 per week).
/// Immutable; equality is by value.
/// </remarks>
public sealed record ClvHorizon
{
    /// <summary>Creates a horizon.</summary>
    /// <param name="periods">The number of periods after the calibration end, 1–100,000.</param>
    /// <param name="unit">The period unit; must match the model's.</param>
    /// <param name="discountRatePerPeriod">The discount rate per period, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ClvHorizon(int periods, PeriodUnit unit, double discountRatePerPeriod = 0)
    {
        Periods = Preconditions.CheckArgumentRange(nameof(periods), periods, 1, 100_000);
        Unit = Preconditions.CheckDefined(unit);
        if (!(discountRatePerPeriod >= 0 && discountRatePerPeriod < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(discountRatePerPeriod), discountRatePerPeriod, "The discount rate per period must lie in [0, 1).");
        }
        DiscountRatePerPeriod = discountRatePerPeriod;
    }

    /// <summary>The number of periods.</summary>
    public int Periods { get; }

    /// <summary>The period unit.</summary>
    public PeriodUnit Unit { get; }

    /// <summary>The discount rate per period.</summary>
    public double DiscountRatePerPeriod { get; }
}

/// <summary>What the models predict for one customer over a horizon.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="ProbabilityAlive">P(alive) at the calibration end.</param>
/// <param name="ExpectedPurchases">E[Y(H)]: expected purchases over the whole horizon (undiscounted).</param>
/// <param name="ExpectedAverageSpend">E[M]: the expected value of one future purchase.</param>
/// <param name="Clv">The discounted expected value of the purchases over the horizon, in the currency of the input amounts.</param>
public sealed record ClvPrediction(CustomerId CustomerId, double ProbabilityAlive, double ExpectedPurchases, double ExpectedAverageSpend, double Clv);

/// <summary>
/// Customer lifetime value from a BG/NBD purchase model and a Gamma-Gamma spend model:
/// CLV = E[M] · Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1 + d)^k, i.e. the expected purchases in each period,
/// valued at the expected spend and discounted to the calibration end.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ClvCalculator
{
    /// <summary>Creates the calculator.</summary>
    /// <param name="purchases">The purchase model.</param>
    /// <param name="spend">The spend model.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ClvCalculator(BgNbdModel purchases, GammaGammaModel spend)
    {
        Purchases = Preconditions.CheckNotNull(purchases);
        Spend = Preconditions.CheckNotNull(spend);
    }

    /// <summary>The purchase model.</summary>
    public BgNbdModel Purchases { get; }

    /// <summary>The spend model.</summary>
    public GammaGammaModel Spend { get; }

    /// <summary>The discounted CLV of a customer with history (x, t_x, T) and mean repeat spend m.</summary>
    /// <param name="customer">(x, t_x, T) in the model's unit.</param>
    /// <param name="monetaryValue">m, the mean repeat-purchase value (ignored when x = 0).</param>
    /// <param name="horizon">The horizon; its unit must be the model's.</param>
    /// <returns>The CLV in the currency of the input amounts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="horizon"/> is null.</exception>
    /// <exception cref="ArgumentException">The horizon's unit differs from the model's.</exception>
    public double Clv(RecencyFrequency customer, double monetaryValue, ClvHorizon horizon)
    {
        CheckHorizon(horizon);
        var (_, discounted) = IfAliveOverHorizon(customer.Frequency, customer.Age, horizon);
        return Spend.ConditionalExpectedAverageSpend(customer.Frequency, monetaryValue) * Purchases.ProbabilityAlive(customer) * discounted;
    }

    /// <summary>Predicts probability alive, expected purchases, expected spend and CLV for each customer.</summary>
    /// <remarks>
    /// The horizon sums need one hypergeometric series per period, but only per distinct (x, T) pair: recency enters
    /// only through P(alive) (see <see cref="BgNbdModel.Predict"/>). Customers summarised from day-stamped
    /// transactions share few such pairs, so a million customers cost little more than their P(alive).
    /// </remarks>
    /// <param name="customers">The calibration summaries (in the model's unit).</param>
    /// <param name="horizon">The horizon; its unit must be the model's.</param>
    /// <returns>One prediction per customer, in input order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or the sequence contains null.</exception>
    /// <exception cref="ArgumentException">The horizon's unit differs from the model's.</exception>
    public IReadOnlyList<ClvPrediction> Predict(IEnumerable<CustomerSummary> customers, ClvHorizon horizon)
    {
        Preconditions.CheckNotNull(customers);
        CheckHorizon(horizon);
        var list = customers.ToArray();
        Preconditions.CheckArgument(Array.TrueForAll(list, c => c is not null), nameof(customers), "Customers must not contain null.");
        var rows = Array.ConvertAll(list, c => c.ToRecencyFrequency());
        var ids = new int[rows.Length];
        var keys = BgNbdModel.IndexFrequencyAge(rows, ids);
        var total = new double[keys.Count];
        var discounted = new double[keys.Count];
        Parallelism.For(keys.Count, k => (total[k], discounted[k]) = IfAliveOverHorizon(keys.X(k), BitConverter.Int64BitsToDouble(keys.A(k)), horizon));
        var result = new ClvPrediction[list.Length];
        Parallelism.For(list.Length, i =>
        {
            var c = list[i];
            var alive = Purchases.ProbabilityAlive(rows[i]);
            var spend = Spend.ConditionalExpectedAverageSpend(c.Frequency, (double)c.MonetaryValue);
            result[i] = new ClvPrediction(c.CustomerId, alive, alive * total[ids[i]], spend, spend * alive * discounted[ids[i]]);
        });
        return result;
    }

    /// <summary>
    /// For a customer known to be alive with x repeat purchases and age T: the expected purchases over the whole
    /// horizon and their discounted sum Σ_k (g(k) − g(k−1)) / (1 + d)^k, g being <see cref="BgNbdModel.ExpectedPurchasesIfAlive"/>.
    /// Multiplying by P(alive) gives the customer's figures, since P(alive) does not depend on k.
    /// </summary>
    private (double Total, double Discounted) IfAliveOverHorizon(int frequency, double age, ClvHorizon horizon)
    {
        double discounted = 0, previous = 0, discount = 1;
        for (var k = 1; k <= horizon.Periods; k++)
        {
            var cumulative = Purchases.ExpectedPurchasesIfAlive(k, frequency, age);
            discount /= 1 + horizon.DiscountRatePerPeriod;
            discounted += (cumulative - previous) * discount;
            previous = cumulative;
        }
        return (previous, discounted);
    }

    private void CheckHorizon(ClvHorizon horizon)
    {
        Preconditions.CheckNotNull(horizon);
        Preconditions.CheckArgument(horizon.Unit == Purchases.Period, nameof(horizon),
            $"The horizon is in {horizon.Unit}s but the purchase model was fitted in {Purchases.Period}s; express the horizon and discount rate in {Purchases.Period}s.");
    }
}
