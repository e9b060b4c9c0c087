using System.Collections.ObjectModel;
using System.Globalization;

namespace Crm.Core.Analytics.Fitting;

/// <summary>
/// Thrown when a maximum-likelihood fit does not reach a maximum: the optimiser diverged, a parameter ran off to
/// zero or infinity, the likelihood became undefined, or the iteration budget ran out. A fit never returns NaN
/// parameters instead. The optimiser's last state is attached so the cause can be diagnosed.
/// </summary>
/// <remarks>The message holds only model and optimiser figures, never customer data.</remarks>
public sealed class ModelFitException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model being fitted, e.g. <c>BG/NBD</c>.</param>
    /// <param name="reason">What went wrong and what to do.</param>
    /// <param name="parameters">The last parameter values (natural scale) by name.</param>
    /// <param name="objective">The last objective value (mean negative log-likelihood plus penalty); may be NaN.</param>
    /// <param name="gradientNorm">The largest absolute gradient component (log-parameter scale) at the last iterate.</param>
    /// <param name="iterations">The iterations done.</param>
    public ModelFitException(string model, string reason, IReadOnlyDictionary<string, double> parameters, double objective, double gradientNorm, int iterations)
        : base(Format(model, reason, parameters, objective, gradientNorm, iterations))
    {
        Model = model;
        Reason = reason;
        Parameters = new ReadOnlyDictionary<string, double>(new Dictionary<string, double>(parameters));
        Objective = objective;
        GradientNorm = gradientNorm;
        Iterations = iterations;
    }

    /// <summary>The model being fitted.</summary>
    public string Model { get; }

    /// <summary>What went wrong and what to do.</summary>
    public string Reason { get; }

    /// <summary>The optimiser's last parameter values, natural scale, by name.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>The last objective value (mean negative log-likelihood plus penalty).</summary>
    public double Objective { get; }

    /// <summary>The largest absolute gradient component at the last iterate.</summary>
    public double GradientNorm { get; }

    /// <summary>Iterations done before giving up.</summary>
    public int Iterations { get; }

    private static string Format(string model, string reason, IReadOnlyDictionary<string, double> parameters, double objective, double gradientNorm, int iterations)
    {
        var p = string.Join(", ", parameters.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G6}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"The {model} fit failed: {reason} Optimiser state after {iterations} iterations: {p}; objective {objective:G8}; max |gradient| {gradientNorm:G3}.");
    }
}
