using System.Globalization;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.Summaries;

namespace Crm.Core.Analytics.GammaGamma;

/// <summary>The Gamma-Gamma parameters: transaction values z ~ Gamma(p, ν) per customer, ν ~ Gamma(q, v) across customers.</summary>
/// <remarks>Immutable value; equality is component-wise.</remarks>
public readonly record struct GammaGammaParameters
{
    /// <summary>Creates the parameters.</summary>
    /// <param name="p">Shape of a customer's transaction-value distribution, &gt; 0.</param>
    /// <param name="q">Shape of the distribution of ν across customers, &gt; 1 (otherwise the mean spend is undefined).</param>
    /// <param name="v">Rate of the distribution of ν across customers (in currency units), &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not a finite positive number, or q ≤ 1.</exception>
    public GammaGammaParameters(double p, double q, double v)
    {
        P = BgNbdParameters.CheckParameter(p, nameof(p));
        Q = BgNbdParameters.CheckParameter(q, nameof(q));
        V = BgNbdParameters.CheckParameter(v, nameof(v));
        if (q <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "q must exceed 1: otherwise the population mean spend p·v/(q−1) is undefined.");
        }
    }

    /// <summary>Shape p of each customer's transaction-value distribution.</summary>
    public double P { get; }

    /// <summary>Shape q of the heterogeneity distribution.</summary>
    public double Q { get; }

    /// <summary>Rate v (the paper's γ) of the heterogeneity distribution.</summary>
    public double V { get; }

    /// <summary>The parameters as text.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p={P:G6}, q={Q:G6}, v={V:G6}");
}

/// <summary>
/// The Gamma-Gamma spend model (Fader, Hardie &amp; Lee 2005, "RFM and CLV"; Fader &amp; Hardie note 025): the
/// expected average transaction value of a customer, shrinking their observed mean towards the population mean.
/// </summary>
/// <remarks>
/// The model assumes spend per transaction is independent of purchase frequency; check
/// <see cref="GammaGammaFit.FrequencySpendCorrelation"/> before relying on it. Immutable and thread-safe.
/// </remarks>
public sealed class GammaGammaModel
{
    private const string ModelName = "Gamma-Gamma";
    private static readonly string[] Names = ["p", "q", "v"];

    /// <summary>Creates a model from known parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <exception cref="ArgumentException">The parameters are default (uninitialised).</exception>
    public GammaGammaModel(GammaGammaParameters parameters)
    {
        Preconditions.CheckArgument(parameters.P > 0, nameof(parameters), "The parameters are uninitialised; create them with the GammaGammaParameters constructor.");
        Parameters = parameters;
    }

    /// <summary>The parameters.</summary>
    public GammaGammaParameters Parameters { get; }

    /// <summary>The population mean transaction value p·v/(q−1).</summary>
    public double PopulationMeanSpend => Parameters.P * Parameters.V / (Parameters.Q - 1);

    /// <summary>
    /// E[M | x, m]: the expected average transaction value of a customer with <paramref name="frequency"/> repeat
    /// purchases of mean value <paramref name="monetaryValue"/>; the population mean when x = 0.
    /// </summary>
    /// <param name="frequency">x ≥ 0.</param>
    /// <param name="monetaryValue">m ≥ 0 (ignored when x = 0).</param>
    /// <returns>The expected average spend.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative or not finite.</exception>
    public double ConditionalExpectedAverageSpend(int frequency, double monetaryValue)
    {
        Preconditions.CheckNotNegative(frequency);
        Preconditions.CheckInRange(double.IsFinite(monetaryValue) && monetaryValue >= 0, nameof(monetaryValue), monetaryValue, "The mean spend must be a finite amount ≥ 0.");
        var (p, q, v) = (Parameters.P, Parameters.Q, Parameters.V);
        // A weighted mean of the population mean and the customer's own mean (note 025, eq. 5).
        return p * (v + frequency * monetaryValue) / (p * frequency + q - 1);
    }

    /// <summary>
    /// Fits the model by maximum likelihood on the customers with x &gt; 0 and m &gt; 0 (others carry no spend
    /// information and are skipped and counted).
    /// </summary>
    /// <param name="data">(x, m) per customer.</param>
    /// <param name="options">Penaliser and tolerances; <see cref="FitOptions.Default"/> when null.</param>
    /// <returns>The fitted model, its log-likelihood, standard errors and the frequency–spend correlation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two customers have a repeat purchase with positive spend, a value is not finite, or options are invalid.</exception>
    /// <exception cref="GammaGammaMeanUndefinedException">The maximum-likelihood q is ≤ 1.</exception>
    /// <exception cref="ModelFitException">The optimiser did not reach a maximum.</exception>
    public static GammaGammaFit Fit(IEnumerable<FrequencyMonetary> data, FitOptions? options = null) =>
        FitTelemetry.Measure("gamma_gamma", options?.Logger, () => FitCore(data, options), static fit => (fit.Customers, fit.Iterations));

    private static GammaGammaFit FitCore(IEnumerable<FrequencyMonetary> data, FitOptions? options)
    {
        Preconditions.CheckNotNull(data);
        options ??= FitOptions.Default;
        options.Validate();
        var rows = new List<FrequencyMonetary>();
        var skipped = 0;
        foreach (var row in data)
        {
            Preconditions.CheckArgument(row.Frequency >= 0 && double.IsFinite(row.MonetaryValue) && row.MonetaryValue >= 0, nameof(data),
                "Every row needs x ≥ 0 and a finite mean spend ≥ 0.");
            if (row.Frequency > 0 && row.MonetaryValue > 0)
            {
                rows.Add(row);
            }
            else
            {
                skipped++;
            }
        }
        Preconditions.CheckArgument(rows.Count >= 2, nameof(data), "At least two customers need a repeat purchase with positive spend to fit the spend model.");
        var likelihood = new GammaGammaLikelihood(rows);
        var n = (double)rows.Count;
        var penalizer = options.Penalizer;

        LogParameterOptimizer.Objective Objective(GammaGammaLikelihood target) => (p, gradient) =>
        {
            double count = target.Count;
            var value = -target.LogLikelihood(p[0], p[1], p[2], gradient) / count;
            for (var i = 0; i < 3; i++)
            {
                gradient[i] = (-gradient[i] / count) + (2 * penalizer * p[i]);
                value += penalizer * p[i] * p[i];
            }
            return value;
        };

        // v is in currency units: start it at the mean spend so the start suits cents as well as thousands. Large
        // inputs first fit a 20,000-row subsample, as the BG/NBD fit does: its optimum and Hessian (of the mean
        // objective, so on the same scale) let the full fit converge in a few evaluations instead of twenty-odd.
        var meanSpend = rows.Average(r => r.MonetaryValue);
        double[] start = [1, 2, meanSpend];
        double[,]? startHessian = null;
        if (likelihood.Count > 100_000)
        {
            try
            {
                var warm = LogParameterOptimizer.Minimize(ModelName, Names, Objective(likelihood.Subsample(20_000)), start, 1e-6, options.MaxIterations,
                        progress: options.Progress, phase: FitPhase.Subsample);
                (start, startHessian) = (warm.Parameters, warm.LogHessian);
            }
            catch (ModelFitException)
            {
                // Only a shortcut: if the subsample cannot be fitted, the full fit starts from scratch and decides.
            }
        }
        var result = LogParameterOptimizer.Minimize(ModelName, Names, Objective(likelihood), start, options.GradientTolerance, options.MaxIterations, startHessian,
            options.Progress, FitPhase.Full);
        var fitted = result.Parameters;
        var logLikelihood = likelihood.LogLikelihood(fitted[0], fitted[1], fitted[2], []);
        if (fitted[1] <= 1)
        {
            throw new GammaGammaMeanUndefinedException(fitted[0], fitted[1], fitted[2]);
        }
        var errors = LogParameterOptimizer.StandardErrors(result, n);
        return new GammaGammaFit(new GammaGammaModel(new GammaGammaParameters(fitted[0], fitted[1], fitted[2])), logLikelihood,
            errors, rows.Count, skipped, Correlation(rows), result.Iterations, result.GradientNorm);
    }

    private static double Correlation(List<FrequencyMonetary> rows)
    {
        double mx = rows.Average(r => r.Frequency), mm = rows.Average(r => r.MonetaryValue);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var r in rows)
        {
            sxy += (r.Frequency - mx) * (r.MonetaryValue - mm);
            sxx += (r.Frequency - mx) * (r.Frequency - mx);
            syy += (r.MonetaryValue - mm) * (r.MonetaryValue - mm);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}

/// <summary>The result of a Gamma-Gamma fit.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class GammaGammaFit
{
    internal GammaGammaFit(GammaGammaModel model, double logLikelihood, double[] errors, int customers, int skipped, double correlation, int iterations, double gradientNorm)
    {
        Model = model;
        LogLikelihood = logLikelihood;
        StandardErrors = new GammaGammaStandardErrors(errors[0], errors[1], errors[2]);
        Customers = customers;
        SkippedCustomers = skipped;
        FrequencySpendCorrelation = correlation;
        Iterations = iterations;
        GradientNorm = gradientNorm;
    }

    /// <summary>The fitted model.</summary>
    public GammaGammaModel Model { get; }

    /// <summary>The parameters (shortcut for <c>Model.Parameters</c>).</summary>
    public GammaGammaParameters Parameters => Model.Parameters;

    /// <summary>The maximised log-likelihood (without the penalty term).</summary>
    public double LogLikelihood { get; }

    /// <summary>Asymptotic standard errors from the observed information.</summary>
    public GammaGammaStandardErrors StandardErrors { get; }

    /// <summary>Customers fitted (x &gt; 0 and m &gt; 0).</summary>
    public int Customers { get; }

    /// <summary>Customers skipped because they had no repeat purchase or no positive repeat spend.</summary>
    public int SkippedCustomers { get; }

    /// <summary>
    /// Pearson correlation of x and m among the fitted customers. The model assumes spend is independent of
    /// frequency; a correlation far from 0 (|ρ| above roughly 0.3) means its spend predictions are biased.
    /// </summary>
    public double FrequencySpendCorrelation { get; }

    /// <summary>Optimiser iterations.</summary>
    public int Iterations { get; }

    /// <summary>The largest absolute gradient component (log scale) at the optimum.</summary>
    public double GradientNorm { get; }
}

/// <summary>Standard errors of the Gamma-Gamma parameters.</summary>
/// <param name="P">Standard error of p.</param>
/// <param name="Q">Standard error of q.</param>
/// <param name="V">Standard error of v.</param>
public readonly record struct GammaGammaStandardErrors(double P, double Q, double V);

/// <summary>
/// Thrown when the Gamma-Gamma fit gives q ≤ 1: the population's mean spend p·v/(q−1) is then undefined (infinite),
/// so no spend or CLV prediction can be made. Usually a few extreme spenders dominate: cap or remove outliers, or
/// fit a per-segment model.
/// </summary>
public sealed class GammaGammaMeanUndefinedException : CrmException
{
    /// <summary>Creates the exception for the fitted values.</summary>
    /// <param name="p">Fitted p.</param>
    /// <param name="q">Fitted q (≤ 1).</param>
    /// <param name="v">Fitted v.</param>
    public GammaGammaMeanUndefinedException(double p, double q, double v)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The Gamma-Gamma fit gave q = {q:G6} ≤ 1 (p = {p:G6}, v = {v:G6}), so the population mean spend is undefined and spend cannot be predicted. Cap or remove extreme spenders, or fit segments separately."))
    {
        P = p;
        Q = q;
        V = v;
    }

    /// <summary>Fitted p.</summary>
    public double P { get; }

    /// <summary>Fitted q.</summary>
    public double Q { get; }

    /// <summary>Fitted v.</summary>
    public double V { get; }
}
