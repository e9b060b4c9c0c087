namespace Crm.Core.Analytics.Fitting;

/// <summary>Which optimisation a <see cref="FitProgress"/> report comes from.</summary>
public enum FitPhase
{
    /// <summary>
    /// The warm start on a 20,000-row subsample that large inputs (more than 100,000 distinct rows) fit first; its
    /// optimum seeds the full fit.
    /// </summary>
    Subsample = 0,

    /// <summary>The fit on all the data.</summary>
    Full = 1,
}

/// <summary>
/// Progress of a BG/NBD or Gamma-Gamma fit, reported through <see cref="FitOptions.Progress"/> after every optimiser
/// iteration (a few dozen for a typical fit).
/// </summary>
/// <param name="Model">The model being fitted: <c>BG/NBD</c> or <c>Gamma-Gamma</c>.</param>
/// <param name="Phase">Whether this is the subsample warm start or the full fit.</param>
/// <param name="Iteration">Iterations completed in this phase, from 1.</param>
/// <param name="Objective">The penalised mean negative log-likelihood after the iteration (it decreases).</param>
/// <param name="GradientNorm">The largest gradient component after the iteration; the fit ends when it is at most <see cref="FitOptions.GradientTolerance"/>.</param>
public readonly record struct FitProgress(string Model, FitPhase Phase, int Iteration, double Objective, double GradientNorm);
