using Microsoft.Extensions.Logging;

namespace Crm.Core.Analytics.Fitting;

/// <summary>Options of a BG/NBD or Gamma-Gamma maximum-likelihood fit.</summary>
/// <remarks>Immutable record; use <c>with</c> to change a copy.</remarks>
public sealed record FitOptions
{
    /// <summary>The defaults: no penaliser, gradient tolerance 1e-9, 1,000 iterations.</summary>
    public static FitOptions Default { get; } = new();

    /// <summary>
    /// L2 penaliser λ ≥ 0: the optimiser minimises −LL/N + λ·Σθ² over the natural parameters θ (the same scaling as
    /// <c>lifetimes</c>' <c>penalizer_coef</c>). Small values (0.001–0.1) stabilise fits on small or degenerate data;
    /// 0 gives the plain maximum-likelihood estimate.
    /// </summary>
    public double Penalizer { get; init; }

    /// <summary>
    /// The fit succeeds only when every component of the gradient of the mean objective with respect to the
    /// log-parameters is at most this (default 1e-9). Loosening it makes fits faster but less exact.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-9;

    /// <summary>The BFGS iteration budget (default 1,000).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// Receives a <see cref="FitProgress"/> after every optimiser iteration, e.g. to drive a progress display or to log
    /// convergence; null (the default) reports nothing. Called synchronously on the fitting thread, so keep it cheap.
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>
    /// Receives one message per finished fit (model, customers, iterations, duration; event id 5001) or failed fit
    /// (5002); null (the default) logs nothing. Messages never name a customer.
    /// </summary>
    public ILogger? Logger { get; init; }

    internal void Validate()
    {
        Preconditions.CheckArgument(double.IsFinite(Penalizer) && Penalizer >= 0, nameof(Penalizer), "The penaliser must be a finite number ≥ 0.");
        Preconditions.CheckArgument(double.IsFinite(GradientTolerance) && GradientTolerance > 0, nameof(GradientTolerance), "The gradient tolerance must be a finite number > 0.");
        Preconditions.CheckArgumentRange(nameof(MaxIterations), MaxIterations, 1, 1_000_000);
    }
}
