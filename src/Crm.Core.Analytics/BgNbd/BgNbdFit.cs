namespace Crm.Core.Analytics.BgNbd;

/// <summary>The result of a BG/NBD maximum-likelihood fit: the model and how well it was determined.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class BgNbdFit
{
    internal BgNbdFit(BgNbdModel model, double logLikelihood, double[] standardErrors, long customers, int distinctRows, int iterations, double gradientNorm, double penalizer)
    {
        Model = model;
        LogLikelihood = logLikelihood;
        StandardErrors = new BgNbdStandardErrors(standardErrors[0], standardErrors[1], standardErrors[2], standardErrors[3]);
        Customers = customers;
        DistinctRows = distinctRows;
        Iterations = iterations;
        GradientNorm = gradientNorm;
        Penalizer = penalizer;
    }

    /// <summary>The fitted model.</summary>
    public BgNbdModel Model { get; }

    /// <summary>The parameters (shortcut for <c>Model.Parameters</c>).</summary>
    public BgNbdParameters Parameters => Model.Parameters;

    /// <summary>The maximised total log-likelihood (without the penalty term).</summary>
    public double LogLikelihood { get; }

    /// <summary>Asymptotic standard errors from the observed information (NaN where the information is singular).</summary>
    public BgNbdStandardErrors StandardErrors { get; }

    /// <summary>The number of customers fitted.</summary>
    public long Customers { get; }

    /// <summary>The number of distinct (x, t_x, T) rows the likelihood was evaluated over.</summary>
    public int DistinctRows { get; }

    /// <summary>Optimiser iterations (BFGS plus Newton polish).</summary>
    public int Iterations { get; }

    /// <summary>The largest absolute component of the gradient of the mean objective (log-parameter scale) at the optimum.</summary>
    public double GradientNorm { get; }

    /// <summary>The L2 penaliser used (0 for plain maximum likelihood).</summary>
    public double Penalizer { get; }
}

/// <summary>Standard errors of the four BG/NBD parameters, on the natural scale.</summary>
/// <param name="R">Standard error of r.</param>
/// <param name="Alpha">Standard error of α.</param>
/// <param name="A">Standard error of a.</param>
/// <param name="B">Standard error of b.</param>
public readonly record struct BgNbdStandardErrors(double R, double Alpha, double A, double B);
