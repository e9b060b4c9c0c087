namespace Crm.Core.Analytics.Fitting;

/// <summary>The Gauss hypergeometric function ₂F₁ for 0 ≤ z &lt; 1, summed as a scaled series.</summary>
/// <remarks>
/// The BG/NBD expectations need ₂F₁(r+x, b+x; a+b+x−1; z) where the leading terms grow like (x·z)ⁿ/n! before
/// decaying, so for large x the plain sum overflows although the final product with ((α+T)/(α+T+t))^{r+x} is
/// moderate. The sum is therefore kept as a mantissa times exp(scale) and combined with the prefactor in log space.
/// </remarks>
internal static class Hypergeometric
{
    private const int MaxTerms = 10_000_000;

    /// <summary>Returns (m, s) with ₂F₁(a, b; c; z) = m · exp(s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The series does not converge within the term budget (z too close to 1).</exception>
    public static (double Mantissa, double LogScale) Hyp2F1Scaled(double a, double b, double c, double z)
    {
        double sum = 1, term = 1, logScale = 0;
        for (var n = 0; n < MaxTerms; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.Abs(sum) > 1e200)
            {
                sum *= 1e-200;
                term *= 1e-200;
                logScale += 200 * Math.Log(10);
            }
            // Stop once terms are shrinking and negligible; every later term is smaller still.
            if (Math.Abs(term) <= 1e-17 * Math.Abs(sum) && (a + n + 1) * (b + n + 1) * z < (c + n + 1) * (n + 2))
            {
                return (sum, logScale);
            }
        }
        throw new ArgumentOutOfRangeException(nameof(z), z,
            "The horizon is too long relative to the model's time scale for the hypergeometric series to converge; use a shorter horizon.");
    }
}
