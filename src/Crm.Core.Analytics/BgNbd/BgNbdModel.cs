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
    public static BgNbdFit Fit(IEnumerable<RecencyFrequency> data, PeriodUnit period, FitOptions? options = null)
    {
        Preconditions.CheckNotNull(data);
        Preconditions.CheckDefined(period);
        options ??= FitOptions.Default;
        options.Validate();
        var likelihood = new BgNbdLikelihood(data);
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
                var warm = LogParameterOptimizer.Minimize(ModelName, Names, Objective(sample), start, 1e-6, options.MaxIterations);
                (start, startHessian) = (warm.Parameters, warm.LogHessian);
            }
        }
        var result = LogParameterOptimizer.Minimize(ModelName, Names, Objective(likelihood), start, options.GradientTolerance, options.MaxIterations, startHessian);
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
        return new BgNbdLikelihood(data).LogLikelihood(p.R, p.Alpha, p.A, p.B, []);
    }

    /// <summary>E[X(t)]: the expected number of repeat purchases of a newly acquired customer in their first <paramref name="t"/> periods (FHL 2005, eq. 7).</summary>
    /// <param name="t">The time since acquisition, in <see cref="Period"/> units, ≥ 0.</param>
    /// <returns>The expected count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative or not finite.</exception>
    public double ExpectedPurchases(double t)
    {
        CheckTime(t, nameof(t));
        var (r, alpha, a, b) = (Parameters.R, Parameters.Alpha, Parameters.A, Parameters.B);
        var z = t / (alpha + t);
        var (m, s) = Hypergeometric.Hyp2F1Scaled(r, b, a + b - 1, z);
        var product = m * Math.Exp(r * Math.Log(alpha / (alpha + t)) + s);
        return (a + b - 1) / (a - 1) * (1 - product);
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
        var (r, alpha, a, b) = (Parameters.R, Parameters.Alpha, Parameters.A, Parameters.B);
        var x = customer.Frequency;
        var alphaT = alpha + customer.Age;
        var z = t / (alphaT + t);
        var (m, s) = Hypergeometric.Hyp2F1Scaled(r + x, b + x, a + b + x - 1, z);
        var product = m * Math.Exp((r + x) * Math.Log(alphaT / (alphaT + t)) + s);
        // eq. 10 divided by its denominator 1 + δ·a/(b+x−1)·(...)^(r+x), which is exactly 1 / P(alive).
        return (a + b + x - 1) / (a - 1) * (1 - product) * ProbabilityAlive(customer);
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
        Preconditions.CheckArgument(double.IsFinite(t) && t >= 0, name, "The time must be a finite number of periods ≥ 0.");
}
