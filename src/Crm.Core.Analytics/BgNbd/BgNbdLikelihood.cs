using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.BgNbd;

/// <summary>
/// The BG/NBD log-likelihood (Fader, Hardie &amp; Lee 2005, eq. 6) and its analytic gradient over collapsed data.
/// </summary>
/// <remarks>
/// Identical (x, t_x, T) rows are collapsed into weights, and rows are grouped by x, because every gamma and digamma
/// term depends on x only: per evaluation the special functions run once per distinct x and each row needs just two
/// logarithms and one exponential. The two-term sum A3 + A4 is combined in log space (log-sum-exp), so large x or
/// long recencies never overflow — the direct formula overflows for x in the hundreds.
/// </remarks>
internal sealed class BgNbdLikelihood
{
    private readonly int[] _groupX;      // distinct x values
    private readonly int[] _groupStart;  // start index of each x group in the row arrays (+1 sentinel)
    private readonly double[] _recency;
    private readonly double[] _age;
    private readonly double[] _weight;

    public BgNbdLikelihood(IEnumerable<RecencyFrequency> data)
    {
        var counts = new Dictionary<RecencyFrequency, double>();
        foreach (var row in data)
        {
            counts[row] = counts.GetValueOrDefault(row) + 1;
        }
        var rows = counts.OrderBy(kv => kv.Key.Frequency).ToArray();
        _recency = new double[rows.Length];
        _age = new double[rows.Length];
        _weight = new double[rows.Length];
        var groupX = new List<int>();
        var groupStart = new List<int>();
        for (var i = 0; i < rows.Length; i++)
        {
            var (key, w) = (rows[i].Key, rows[i].Value);
            if (groupX.Count == 0 || groupX[^1] != key.Frequency)
            {
                groupX.Add(key.Frequency);
                groupStart.Add(i);
            }
            _recency[i] = key.Recency;
            _age[i] = key.Age;
            _weight[i] = w;
            TotalWeight += w;
            if (key.Frequency > 0)
            {
                RepeatCustomers += w;
            }
        }
        groupStart.Add(rows.Length);
        _groupX = groupX.ToArray();
        _groupStart = groupStart.ToArray();
        MeanAge = TotalWeight > 0 ? rows.Sum(kv => kv.Key.Age * kv.Value) / TotalWeight : 0;
    }

    /// <summary>The number of customers (sum of weights).</summary>
    public double TotalWeight { get; }

    /// <summary>Customers with at least one repeat purchase.</summary>
    public double RepeatCustomers { get; }

    /// <summary>The number of distinct (x, t_x, T) rows after collapsing.</summary>
    public int DistinctRows => _weight.Length;

    /// <summary>The weighted mean age T.</summary>
    public double MeanAge { get; }

    /// <summary>The total log-likelihood at (r, α, a, b); fills d LL / d θ (natural scale) when <paramref name="gradient"/> is not empty.</summary>
    public double LogLikelihood(double r, double alpha, double a, double b, Span<double> gradient)
    {
        var withGradient = !gradient.IsEmpty;
        double ll = 0, gr = 0, gAlpha = 0, ga = 0, gb = 0;
        var lnAlpha = Math.Log(alpha);
        var lgR = SpecialFunctions.GammaLn(r);
        var psiR = withGradient ? SpecialFunctions.DiGamma(r) : 0;
        var lgAb = SpecialFunctions.GammaLn(a + b);
        var lgB = SpecialFunctions.GammaLn(b);
        var psiAb = withGradient ? SpecialFunctions.DiGamma(a + b) : 0;
        var psiB = withGradient ? SpecialFunctions.DiGamma(b) : 0;
        var lnA = Math.Log(a);

        for (var g = 0; g < _groupX.Length; g++)
        {
            var x = _groupX[g];
            var rx = r + x;
            // ln A1 = lnΓ(r+x) − lnΓ(r) + r ln α;  ln A2 = ln B(a, b+x) − ln B(a, b) written with gammas.
            var lnA1 = SpecialFunctions.GammaLn(rx) - lgR + r * lnAlpha;
            var lnA2 = lgAb + SpecialFunctions.GammaLn(b + x) - lgB - SpecialFunctions.GammaLn(a + b + x);
            double dA1r = 0, dA2a = 0, dA2b = 0;
            if (withGradient)
            {
                var psiAbx = SpecialFunctions.DiGamma(a + b + x);
                dA1r = SpecialFunctions.DiGamma(rx) - psiR + lnAlpha;
                dA2a = psiAb - psiAbx;
                dA2b = psiAb + SpecialFunctions.DiGamma(b + x) - psiB - psiAbx;
            }
            var lnC = x > 0 ? lnA - Math.Log(b + x - 1) : 0; // ln(a / (b + x − 1)), the A4 prefactor
            var dCb = x > 0 ? -1 / (b + x - 1) : 0;
            double sumW = 0, sumLl = 0, sumR = 0, sumAlpha = 0, sumW4 = 0;
            for (var i = _groupStart[g]; i < _groupStart[g + 1]; i++)
            {
                var w = _weight[i];
                var alphaT = alpha + _age[i];
                var lnAlphaT = Math.Log(alphaT);
                var d = -rx * lnAlphaT; // ln A3
                if (x == 0)
                {
                    sumLl += w * d;
                    sumR -= w * lnAlphaT;
                    sumAlpha -= w * rx / alphaT;
                }
                else
                {
                    var alphaTx = alpha + _recency[i];
                    var lnAlphaTx = Math.Log(alphaTx);
                    var e = lnC - rx * lnAlphaTx; // ln A4
                    var diff = e - d;
                    double lse, w4;
                    if (diff > 0)
                    {
                        var q = Math.Exp(-diff);
                        lse = e + Math.Log(1 + q);
                        w4 = 1 / (1 + q);
                    }
                    else
                    {
                        var q = Math.Exp(diff);
                        lse = d + Math.Log(1 + q);
                        w4 = q / (1 + q);
                    }
                    var w3 = 1 - w4;
                    sumLl += w * lse;
                    sumR -= w * (w3 * lnAlphaT + w4 * lnAlphaTx);
                    sumAlpha -= w * rx * (w3 / alphaT + w4 / alphaTx);
                    sumW4 += w * w4;
                }
                sumW += w;
            }
            ll += sumW * (lnA1 + lnA2) + sumLl;
            if (withGradient)
            {
                gr += sumW * dA1r + sumR;
                gAlpha += sumW * r / alpha + sumAlpha;
                ga += sumW * dA2a + sumW4 / a;
                gb += sumW * dA2b + sumW4 * dCb;
            }
        }
        if (withGradient)
        {
            gradient[0] = gr;
            gradient[1] = gAlpha;
            gradient[2] = ga;
            gradient[3] = gb;
        }
        return ll;
    }
}
