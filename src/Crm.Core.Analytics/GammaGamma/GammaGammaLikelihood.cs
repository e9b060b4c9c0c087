using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.GammaGamma;

/// <summary>
/// The Gamma-Gamma log-likelihood (Fader &amp; Hardie, note 025) and its analytic gradient. Rows are grouped by x,
/// because every gamma and digamma term depends on p·x only: each row costs one logarithm per evaluation.
/// </summary>
internal sealed class GammaGammaLikelihood
{
    private readonly int[] _groupX;
    private readonly int[] _groupStart;
    private readonly double[] _monetary;
    private readonly double[] _sumLnM; // Σ ln m per group: constant across evaluations

    public GammaGammaLikelihood(IReadOnlyList<FrequencyMonetary> rows)
    {
        var sorted = rows.OrderBy(r => r.Frequency).ToArray();
        _monetary = sorted.Select(r => r.MonetaryValue).ToArray();
        var groupX = new List<int>();
        var groupStart = new List<int>();
        var sumLnM = new List<double>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (groupX.Count == 0 || groupX[^1] != sorted[i].Frequency)
            {
                groupX.Add(sorted[i].Frequency);
                groupStart.Add(i);
                sumLnM.Add(0);
            }
            sumLnM[^1] += Math.Log(sorted[i].MonetaryValue);
        }
        groupStart.Add(sorted.Length);
        _groupX = groupX.ToArray();
        _groupStart = groupStart.ToArray();
        _sumLnM = sumLnM.ToArray();
    }

    public int Count => _monetary.Length;

    public double LogLikelihood(double p, double q, double v, Span<double> gradient)
    {
        var withGradient = !gradient.IsEmpty;
        double ll = 0, gp = 0, gq = 0, gv = 0;
        var lgQ = SpecialFunctions.GammaLn(q);
        var psiQ = withGradient ? SpecialFunctions.DiGamma(q) : 0;
        var lnV = Math.Log(v);
        for (var g = 0; g < _groupX.Length; g++)
        {
            var x = _groupX[g];
            var px = p * x;
            var lnX = Math.Log(x);
            var count = _groupStart[g + 1] - _groupStart[g];
            double sumLnXmV = 0, sumInv = 0;
            for (var i = _groupStart[g]; i < _groupStart[g + 1]; i++)
            {
                var xmv = x * _monetary[i] + v;
                sumLnXmV += Math.Log(xmv);
                sumInv += 1 / xmv;
            }
            ll += count * (SpecialFunctions.GammaLn(px + q) - SpecialFunctions.GammaLn(px) - lgQ + q * lnV + px * lnX)
                + (px - 1) * _sumLnM[g] - (px + q) * sumLnXmV;
            if (withGradient)
            {
                var psiPxQ = SpecialFunctions.DiGamma(px + q);
                gp += x * (count * (psiPxQ - SpecialFunctions.DiGamma(px) + lnX) + _sumLnM[g] - sumLnXmV);
                gq += count * (psiPxQ - psiQ + lnV) - sumLnXmV;
                gv += count * q / v - (px + q) * sumInv;
            }
        }
        if (withGradient)
        {
            gradient[0] = gp;
            gradient[1] = gq;
            gradient[2] = gv;
        }
        return ll;
    }
}
