using System.Buffers;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.BgNbd;

/// <summary>
/// The BG/NBD ("beta-geometric / negative binomial distribution") model of Fader, Hardie &amp; Lee (2005),
/// "Counting Your Customers the Easy Way": while alive a customer buys as a Poisson process with rate λ; after each
/// repeat purchase they drop out with probability p; λ and p vary across customers as Gamma(r, α) and Beta(a, b).
/// </summary>
/// <remarks>
/// A model is its parameters plus the period unit they were fitted in; every time argument (t, t_x, T) is in that
/// unit. Obtain one with <see cref="Fit(IEnumerable{RecencyFrequency}, PeriodUnit, FitOptions?)"/> or from known
/// parameters with the constructor. Immutable and thread-safe.
/// </remarks>
public sealed class BgNbdModel
{
    private const string ModelName = "BG/NBD";
    private static readonly string[] Names = ["r", "alpha", "a", "b"];

    /// <summary>Creates a model from known parameters (e.g. published ones or a stored fit).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="period">The period unit the parameters are expressed in.</param>
    /// <exception cref="ArgumentException">The parameters are default (uninitialised).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not defined.</exception>
    public BgNbdModel(BgNbdParameters parameters, PeriodUnit period)
    {
        Preconditions.CheckArgument(parameters.R > 0, nameof(parameters), "The parameters are uninitialised; create them with the BgNbdParameters constructor.");
        Parameters = parameters;
        Period = Preconditions.CheckDefined(period);
    }

    /// <summary>The parameters.</summary>
    public BgNbdParameters Parameters { get; }

    /// <summary>The period unit of α and of every time argument.</summary>
    public PeriodUnit Period { get; }

    /// <summary>
    /// Fits the model by maximum likelihood: BFGS on the log-parameters with the analytic gradient, a Newton polish,
    /// and a check that the gradient vanished. Identical rows are collapsed first, so large populations fit fast.
    /// </summary>
    /// <param name="data">One (x, t_x, T) triple per customer, in <paramref name="period"/> units.</param>
    /// <param name="period">The unit the data's recency and age are expressed in.</param>
    /// <param name="options">Penaliser and tolerances; <see cref="FitOptions.Default"/> when null.</param>
    /// <returns>The fitted model with its log-likelihood and standard errors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no customers, or none with a repeat purchase, or options are invalid.</exception>
    /// <exception cref="ModelFitException">The optimiser did not reach a maximum; the exception carries its last state.</exception>
    public static BgNbdFit Fit(IEnumerable<RecencyFrequency> data, PeriodUnit period, FitOptions? options = null) =>
        FitTelemetry.Measure("bg_nbd", options?.Logger, () => FitCore(data, period, options), static fit => (fit.Customers, fit.Iterations));

    private static BgNbdFit FitCore(IEnumerable<RecencyFrequency> data, PeriodUnit period, FitOptions? options)
    {
        Preconditions.CheckNotNull(data);
        Preconditions.CheckDefined(period);
        options ??= FitOptions.Default;
        options.Validate();
        var likelihood = BgNbdLikelihood.Create(data);
        Preconditions.CheckArgument(likelihood.TotalWeight > 0, nameof(data), "There are no customers to fit.");
        Preconditions.CheckArgument(likelihood.RepeatCustomers > 0, nameof(data),
            "No customer made a repeat purchase, so the purchase rate and dropout cannot be estimated; collect a longer calibration period.");
        var n = likelihood.TotalWeight;
        var penalizer = options.Penalizer;

        LogParameterOptimizer.Objective Objective(BgNbdLikelihood target) => (p, gradient) =>
        {
            var weight = target.TotalWeight;
            var value = -target.LogLikelihood(p[0], p[1], p[2], p[3], gradient) / weight;
            for (var i = 0; i < 4; i++)
            {
                gradient[i] = -gradient[i] / weight + 2 * penalizer * p[i];
                value += penalizer * p[i] * p[i];
            }
            return value;
        };

        // lifetimes' start (all ones) works in weeks and in days. Large inputs first fit a 20,000-row subsample:
        // its estimate is within sampling error of the full one, so the full fit needs only a few evaluations.
        // Its Hessian (of the mean objective, so on the same scale) seeds BFGS, which then converges in a few steps.
        double[] start = [1, 1, 1, 1];
        double[,]? startHessian = null;
        if (likelihood.DistinctRows > 100_000)
        {
            var sample = likelihood.Subsample(20_000);
            if (sample.RepeatCustomers > 0)
            {
                try
                {
                    var warm = LogParameterOptimizer.Minimize(ModelName, Names, Objective(sample), start, 1e-6, options.MaxIterations,
                        progress: options.Progress, phase: FitPhase.Subsample);
                    (start, startHessian) = (warm.Parameters, warm.LogHessian);
                }
                catch (ModelFitException)
                {
                    // Only a shortcut: if the subsample cannot be fitted, the full fit starts from scratch and decides.
                }
            }
        }
        var result = LogParameterOptimizer.Minimize(ModelName, Names, Objective(likelihood), start, options.GradientTolerance, options.MaxIterations, startHessian,
            options.Progress, FitPhase.Full);
        var p = result.Parameters;
        var logLikelihood = likelihood.LogLikelihood(p[0], p[1], p[2], p[3], []);
        var errors = LogParameterOptimizer.StandardErrors(result, n);
        var model = new BgNbdModel(new BgNbdParameters(p[0], p[1], p[2], p[3]), period);
        return new BgNbdFit(model, logLikelihood, errors, (long)n, likelihood.DistinctRows, result.Iterations, result.GradientNorm, penalizer);
    }

    /// <summary>The total log-likelihood of <paramref name="data"/> under this model.</summary>
    /// <param name="data">(x, t_x, T) triples in this model's period unit.</param>
    /// <returns>The sum of the customers' log-likelihoods.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    public double LogLikelihood(IEnumerable<RecencyFrequency> data)
    {
        Preconditions.CheckNotNull(data);
        var p = Parameters;
        return BgNbdLikelihood.Create(data).LogLikelihood(p.R, p.Alpha, p.A, p.B, []);
    }

    /// <summary>E[X(t)]: the expected number of repeat purchases of a newly acquired customer in their first <paramref name="t"/> periods (FHL 2005, eq. 7).</summary>
    /// <param name="t">The time since acquisition, in <see cref="Period"/> units, ≥ 0.</param>
    /// <returns>The expected count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative or not finite.</exception>
    public double ExpectedPurchases(double t)
    {
        CheckTime(t, nameof(t));
        // Eq. 7 is eq. 10's numerator for a customer with no history (x = 0, T = 0), who is alive by definition.
        return ExpectedPurchasesIfAlive(t, 0, 0);
    }

    /// <summary>
    /// E[Y(t) | x, t_x, T]: the expected number of purchases in the next <paramref name="t"/> periods of a customer
    /// with the given history (FHL 2005, eq. 10).
    /// </summary>
    /// <param name="t">The horizon, in <see cref="Period"/> units, ≥ 0.</param>
    /// <param name="customer">The customer's (x, t_x, T).</param>
    /// <returns>The expected count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative or not finite, or too long to evaluate.</exception>
    public double ConditionalExpectedPurchases(double t, RecencyFrequency customer)
    {
        CheckTime(t, nameof(t));
        return ExpectedPurchasesIfAlive(t, customer.Frequency, customer.Age) * ProbabilityAlive(customer);
    }

    /// <summary>
    /// P(alive) and E[Y(t) | x, t_x, T] for many customers at once (the batch form of <see cref="ProbabilityAlive"/>
    /// and <see cref="ConditionalExpectedPurchases"/>, with the same results).
    /// </summary>
    /// <remarks>
    /// Recency enters FHL eq. 10 only through P(alive): E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) · g(t; x, T). The
    /// expensive part g (a hypergeometric series) is therefore computed once per distinct (x, T) pair, of which
    /// customers summarised from day-stamped transactions have few, and in parallel.
    /// </remarks>
    /// <param name="t">The horizon, in <see cref="Period"/> units, ≥ 0.</param>
    /// <param name="customers">The customers' (x, t_x, T).</param>
    /// <param name="probabilityAlive">Receives P(alive) per customer; the same length as <paramref name="customers"/>.</param>
    /// <param name="expectedPurchases">Receives E[Y(t)] per customer; the same length as <paramref name="customers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative or not finite, or too long to evaluate.</exception>
    /// <exception cref="ArgumentException">An output span's length differs from the number of customers.</exception>
    public void Predict(double t, ReadOnlySpan<RecencyFrequency> customers, Span<double> probabilityAlive, Span<double> expectedPurchases)
    {
        CheckTime(t, nameof(t));
        Preconditions.CheckArgument(probabilityAlive.Length == customers.Length, nameof(probabilityAlive), "The output must have one element per customer.");
        Preconditions.CheckArgument(expectedPurchases.Length == customers.Length, nameof(expectedPurchases), "The output must have one element per customer.");
        var ids = ArrayPool<int>.Shared.Rent(customers.Length);
        try
        {
            var keys = IndexFrequencyAge(customers, ids);
            var ifAlive = new double[keys.Count];
            Parallelism.For(keys.Count, k => ifAlive[k] = ExpectedPurchasesIfAlive(t, keys.X(k), BitConverter.Int64BitsToDouble(keys.A(k))));
            for (var i = 0; i < customers.Length; i++)
            {
                var alive = ProbabilityAlive(customers[i]);
                probabilityAlive[i] = alive;
                expectedPurchases[i] = alive * ifAlive[ids[i]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ids);
        }
    }

    /// <summary>Numbers the distinct (x, T) pairs of <paramref name="customers"/>; <paramref name="ids"/> receives each customer's pair id.</summary>
    internal static KeyIndex IndexFrequencyAge(ReadOnlySpan<RecencyFrequency> customers, Span<int> ids)
    {
        var keys = new KeyIndex(Math.Min(customers.Length, 1 << 16));
        for (var i = 0; i < customers.Length; i++)
        {
            ids[i] = keys.IdOf(customers[i].Frequency, KeyIndex.Bits(customers[i].Age), 0);
        }
        return keys;
    }

    /// <summary>
    /// g(t; x, T) = E[Y(t) | x, t_x, T] / P(alive | x, t_x, T): the expected purchases in the next t periods of a
    /// customer who is known to be alive (FHL 2005, eq. 10 without its denominator). It does not depend on t_x.
    /// </summary>
    internal double ExpectedPurchasesIfAlive(double t, int x, double age)
    {
        var a = Parameters.A;
        if (Math.Abs(a - 1) < 1e-6)
        {
            // At a = 1 the formula is 0/0 (the series then equals ((α+T+t)/(α+T))^(r+x), so the bracket vanishes);
            // the expectation is continuous in a, so take the mean of both sides, where cancellation costs ~6 digits.
            return 0.5 * (IfAlive(t, x, age, 1 - 1e-6) + IfAlive(t, x, age, 1 + 1e-6));
        }
        return IfAlive(t, x, age, a);
    }

    private double IfAlive(double t, int x, double age, double a)
    {
        var (r, alpha, b) = (Parameters.R, Parameters.Alpha, Parameters.B);
        var alphaT = alpha + age;
        var z = t / (alphaT + t);
        var (m, s) = Hypergeometric.Hyp2F1Scaled(r + x, b + x, a + b + x - 1, z);
        var product = m * Math.Exp(((r + x) * Math.Log(alphaT / (alphaT + t))) + s);
        return (a + b + x - 1) / (a - 1) * (1 - product);
    }

    /// <summary>P(alive | x, t_x, T): the probability that the customer has not dropped out (FHL 2005, eq. 11; 1 when x = 0).</summary>
    /// <param name="customer">The customer's (x, t_x, T).</param>
    /// <returns>A probability in [0, 1].</returns>
    public double ProbabilityAlive(RecencyFrequency customer)
    {
        var x = customer.Frequency;
        if (x == 0)
        {
            return 1; // in BG/NBD dropout happens only right after a repeat purchase
        }
        var (r, alpha, a, b) = (Parameters.R, Parameters.Alpha, Parameters.A, Parameters.B);
        var lnOdds = Math.Log(a / (b + x - 1)) + (r + x) * (Math.Log(alpha + customer.Age) - Math.Log(alpha + customer.Recency));
        return 1 / (1 + Math.Exp(lnOdds)); // exp overflow gives +∞ and so 0, never NaN
    }

    /// <summary>P(X(t) = n): the probability that a newly acquired customer makes exactly <paramref name="n"/> repeat purchases in (0, t] (FHL 2005, eq. 8).</summary>
    /// <param name="t">The time since acquisition, in <see cref="Period"/> units, ≥ 0.</param>
    /// <param name="n">The count, ≥ 0.</param>
    /// <returns>A probability in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> or <paramref name="n"/> is out of range.</exception>
    public double ProbabilityOfPurchases(double t, int n)
    {
        CheckTime(t, nameof(t));
        Preconditions.CheckNotNegative(n);
        var (r, alpha, a, b) = (Parameters.R, Parameters.Alpha, Parameters.A, Parameters.B);
        if (t == 0)
        {
            return n == 0 ? 1 : 0;
        }
        var lnBeta = SpecialFunctions.BetaLn(a, b);
        var first = Math.Exp(SpecialFunctions.BetaLn(a, b + n) - lnBeta
            + SpecialFunctions.GammaLn(r + n) - SpecialFunctions.GammaLn(r) - SpecialFunctions.GammaLn(n + 1)
            + r * Math.Log(alpha / (alpha + t)) + n * Math.Log(t / (alpha + t)));
        if (n == 0)
        {
            return first;
        }
        // 1 − Σ_{j<n} NBD(j) is the NBD upper tail, computed directly as a regularised incomplete beta so that large
        // n does not lose everything to cancellation.
        var tail = SpecialFunctions.BetaRegularized(n, r, t / (alpha + t));
        return first + Math.Exp(SpecialFunctions.BetaLn(a + 1, b + n - 1) - lnBeta) * tail;
    }

    private static void CheckTime(double t, string name) =>
        Preconditions.CheckInRange(double.IsFinite(t) && t >= 0, name, t, "The time must be a finite number of periods ≥ 0.");
}
