using System.Globalization;

namespace Crm.Core.Analytics.BgNbd;

/// <summary>
/// The four BG/NBD parameters: purchase rates λ ~ Gamma(shape r, rate α) across customers, and dropout
/// probabilities p ~ Beta(a, b). α is in the model's period unit (e.g. weeks).
/// </summary>
/// <remarks>Immutable value; equality is component-wise.</remarks>
public readonly record struct BgNbdParameters
{
    /// <summary>Creates the parameters.</summary>
    /// <param name="r">Shape of the purchase-rate distribution, &gt; 0.</param>
    /// <param name="alpha">Rate (inverse scale) of the purchase-rate distribution, in periods, &gt; 0.</param>
    /// <param name="a">First Beta parameter of the dropout probability, &gt; 0.</param>
    /// <param name="b">Second Beta parameter of the dropout probability, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not a finite positive number.</exception>
    public BgNbdParameters(double r, double alpha, double a, double b)
    {
        R = CheckParameter(r, nameof(r));
        Alpha = CheckParameter(alpha, nameof(alpha));
        A = CheckParameter(a, nameof(a));
        B = CheckParameter(b, nameof(b));
    }

    /// <summary>Shape r of the Gamma distribution of purchase rates.</summary>
    public double R { get; }

    /// <summary>Rate α of the Gamma distribution of purchase rates (in periods).</summary>
    public double Alpha { get; }

    /// <summary>Beta parameter a of the dropout probability.</summary>
    public double A { get; }

    /// <summary>Beta parameter b of the dropout probability.</summary>
    public double B { get; }

    /// <summary>The parameters as text, e.g. <c>r=0.2426, alpha=4.414, a=0.7929, b=2.426</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"r={R:G6}, alpha={Alpha:G6}, a={A:G6}, b={B:G6}");

    internal static double CheckParameter(double value, string name)
    {
        if (!(double.IsFinite(value) && value > 0))
        {
            throw new ArgumentOutOfRangeException(name, value, "The parameter must be a finite number greater than zero.");
        }
        return value;
    }
}
