using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.GammaGamma;

/// <summary>
/// The Gamma-Gamma log-likelihood (Fader &amp; Hardie, note 025) and its analytic gradient. Rows are sorted and
/// grouped by x, because every gamma and digamma term depends on p·x only: each row costs one logarithm and one
/// division per evaluation. Rows are summed in fixed chunks (in parallel for large inputs) and the chunk sums combined
/// in order, so the result does not depend on thread scheduling.
/// </summary>
internal sealed class GammaGammaLikelihood
{
    private const int ChunkSize = 16_384;

    private readonly int[] _groupX;      // distinct x, ascending
    private readonly int[] _groupStart;  // rows of group g: [_groupStart[g], _groupStart[g + 1])
    private readonly double[] _monetary; // m per row, sorted by x
    private readonly double[] _sumLnM;   // Σ ln m per group: constant across evaluations

    public GammaGammaLikelihood(IReadOnlyList<FrequencyMonetary> rows)
        : this(SortByFrequency(rows))
    {
    }

    private GammaGammaLikelihood((int[] X, double[] Monetary) sorted)
    {
        var (x, monetary) = sorted;
        _monetary = monetary;
        var groupX = new List<int>();
        var groupStart = new List<int>();
        var sumLnM = new List<double>();
        for (var i = 0; i < x.Length; i++)
        {
            if (groupX.Count == 0 || groupX[^1] != x[i])
            {
                groupX.Add(x[i]);
                groupStart.Add(i);
                sumLnM.Add(0);
            }
            sumLnM[^1] += Math.Log(monetary[i]);
        }
        groupStart.Add(x.Length);
        _groupX = groupX.ToArray();
        _groupStart = groupStart.ToArray();
        _sumLnM = sumLnM.ToArray();
    }

    public int Count => _monetary.Length;

    /// <summary>
    /// A systematic subsample of about <paramref name="rows"/> rows (every k-th in x order, so stratified by x), to find
    /// a starting point cheaply: from there the fit on all rows needs only a few evaluations.
    /// </summary>
    public GammaGammaLikelihood Subsample(int rows)
    {
        var step = Math.Max(1, Count / rows);
        var count = (Count + step - 1) / step;
        var (x, monetary) = (new int[count], new double[count]);
        var g = 0;
        for (var k = 0; k < count; k++)
        {
            var i = k * step;
            while (_groupStart[g + 1] <= i)
            {
                g++;
            }
            (x[k], monetary[k]) = (_groupX[g], _monetary[i]);
        }
        return new GammaGammaLikelihood((x, monetary));
    }

    public double LogLikelihood(double p, double q, double v, Span<double> gradient)
    {
        var chunks = (Count + ChunkSize - 1) / ChunkSize;
        var sums = new double[chunks * 4];
        if (chunks > 1)
        {
            Parallel.For(0, chunks, c => SumChunk(c, p, q, v, sums.AsSpan(c * 4, 4)));
        }
        else if (chunks == 1)
        {
            SumChunk(0, p, q, v, sums.AsSpan(0, 4));
        }
        double ll = 0, gp = 0, gq = 0, gv = 0;
        for (var c = 0; c < chunks; c++)
        {
            ll += sums[c * 4];
            gp += sums[(c * 4) + 1];
            gq += sums[(c * 4) + 2];
            gv += sums[(c * 4) + 3];
        }

        // The per-x terms, once per group.
        var lgQ = SpecialFunctions.GammaLn(q);
        var psiQ = SpecialFunctions.DiGamma(q);
        var lnV = Math.Log(v);
        for (var g = 0; g < _groupX.Length; g++)
        {
            var x = _groupX[g];
            var px = p * x;
            var lnX = Math.Log(x);
            var count = _groupStart[g + 1] - _groupStart[g];
            var psiPxQ = SpecialFunctions.DiGamma(px + q);
            ll += (count * (SpecialFunctions.GammaLn(px + q) - SpecialFunctions.GammaLn(px) - lgQ + (q * lnV) + (px * lnX))) + ((px - 1) * _sumLnM[g]);
            gp += x * ((count * (psiPxQ - SpecialFunctions.DiGamma(px) + lnX)) + _sumLnM[g]);
            gq += count * (psiPxQ - psiQ + lnV);
            gv += count * q / v;
        }
        if (!gradient.IsEmpty)
        {
            gradient[0] = gp;
            gradient[1] = gq;
            gradient[2] = gv;
        }
        return ll;
    }

    /// <summary>The row-dependent terms of one chunk: −(px+q)·Σ ln(x·m + v) and the matching gradient sums.</summary>
    private void SumChunk(int chunk, double p, double q, double v, Span<double> result)
    {
        var start = chunk * ChunkSize;
        var end = Math.Min(Count, start + ChunkSize);
        var g = Array.BinarySearch(_groupStart, start);
        g = g >= 0 ? g : ~g - 1;
        double ll = 0, gp = 0, gq = 0, gv = 0;
        for (; g < _groupX.Length && _groupStart[g] < end; g++)
        {
            var x = _groupX[g];
            double sumLn = 0, sumInv = 0;
            for (var i = Math.Max(start, _groupStart[g]); i < Math.Min(end, _groupStart[g + 1]); i++)
            {
                var xmv = (x * _monetary[i]) + v;
                sumLn += Math.Log(xmv);
                sumInv += 1 / xmv;
            }
            var pxq = (p * x) + q;
            ll -= pxq * sumLn;
            gp -= x * sumLn;
            gq -= sumLn;
            gv -= pxq * sumInv;
        }
        (result[0], result[1], result[2], result[3]) = (ll, gp, gq, gv);
    }

    private static (int[] X, double[] Monetary) SortByFrequency(IReadOnlyList<FrequencyMonetary> rows)
    {
        var x = new int[rows.Count];
        var monetary = new double[rows.Count];
        for (var i = 0; i < x.Length; i++)
        {
            (x[i], monetary[i]) = (rows[i].Frequency, rows[i].MonetaryValue);
        }
        Array.Sort(x, monetary); // primitive keys: an introsort without comparer calls
        return (x, monetary);
    }
}
