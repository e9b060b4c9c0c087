using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.BgNbd;

/// <summary>
/// The BG/NBD log-likelihood (Fader, Hardie &amp; Lee 2005, eq. 6) and its analytic gradient over collapsed data.
/// </summary>
/// <remarks>
/// Identical (x, t_x, T) rows are collapsed into weights, and rows are grouped by x, because every gamma and digamma
/// term depends on x only: per evaluation the special functions run once per distinct x and each row needs just two
/// logarithms and one exponential. Rows are summed in fixed chunks (in parallel for large inputs) and the chunk sums
/// combined in order, so the result does not depend on thread scheduling. The two-term sum A3 + A4 is combined in log space (log-sum-exp), so large x or
/// long recencies never overflow — the direct formula overflows for x in the hundreds.
/// </remarks>
internal sealed class BgNbdLikelihood
{
    private const int ChunkSize = 32_768;

    private readonly int[] _groupX;      // distinct x values
    private readonly int[] _group;       // per row: index into _groupX
    private readonly double[] _recency;
    private readonly double[] _age;
    private readonly double[] _weight;

    private BgNbdLikelihood(int[] groupX, int[] group, double[] recency, double[] age, double[] weight)
    {
        (_groupX, _group, _recency, _age, _weight) = (groupX, group, recency, age, weight);
        for (var i = 0; i < weight.Length; i++)
        {
            TotalWeight += weight[i];
            if (groupX[group[i]] > 0)
            {
                RepeatCustomers += weight[i];
            }
        }
    }

    public BgNbdLikelihood(IEnumerable<RecencyFrequency> data)
    {
        var counts = new Dictionary<RecencyFrequency, double>();
        foreach (var row in data)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, row, out _) += 1;
        }
        var n = counts.Count;
        _group = new int[n];
        _recency = new double[n];
        _age = new double[n];
        _weight = new double[n];
        var groupOf = new Dictionary<int, int>();
        var i = 0;
        double ageSum = 0;
        foreach (var (key, w) in counts)
        {
            if (!groupOf.TryGetValue(key.Frequency, out var g))
            {
                g = groupOf.Count;
                groupOf.Add(key.Frequency, g);
            }
            _group[i] = g;
            _recency[i] = key.Recency;
            _age[i] = key.Age;
            _weight[i] = w;
            TotalWeight += w;
            ageSum += w * key.Age;
            if (key.Frequency > 0)
            {
                RepeatCustomers += w;
            }
            i++;
        }
        _groupX = new int[groupOf.Count];
        foreach (var (x, g) in groupOf)
        {
            _groupX[g] = x;
        }
        MeanAge = TotalWeight > 0 ? ageSum / TotalWeight : 0;
    }

    /// <summary>
    /// A systematic subsample of about <paramref name="rows"/> distinct rows (every k-th), used to find a starting
    /// point cheaply before the fit on all rows: from there the full fit needs only a few evaluations.
    /// </summary>
    public BgNbdLikelihood Subsample(int rows)
    {
        var step = Math.Max(1, _weight.Length / rows);
        var take = Enumerable.Range(0, (_weight.Length + step - 1) / step).Select(i => i * step).ToArray();
        return new BgNbdLikelihood(_groupX, take.Select(i => _group[i]).ToArray(), take.Select(i => _recency[i]).ToArray(),
            take.Select(i => _age[i]).ToArray(), take.Select(i => _weight[i]).ToArray());
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
        var groups = _groupX.Length;
        // Per-x terms: lnA1 + lnA2 and their derivatives, plus the A4 prefactor ln(a / (b + x − 1)).
        var constant = new double[groups];
        var dR = new double[groups];
        var dA = new double[groups];
        var dB = new double[groups];
        var lnC = new double[groups];
        var dCb = new double[groups];
        var lnAlpha = Math.Log(alpha);
        var lgR = SpecialFunctions.GammaLn(r);
        var lgAb = SpecialFunctions.GammaLn(a + b);
        var lgB = SpecialFunctions.GammaLn(b);
        var psiR = withGradient ? SpecialFunctions.DiGamma(r) : 0;
        var psiAb = withGradient ? SpecialFunctions.DiGamma(a + b) : 0;
        var psiB = withGradient ? SpecialFunctions.DiGamma(b) : 0;
        var lnA = Math.Log(a);
        for (var g = 0; g < groups; g++)
        {
            var x = _groupX[g];
            // ln A1 = lnΓ(r+x) − lnΓ(r) + r ln α;  ln A2 = ln B(a, b+x) − ln B(a, b).
            constant[g] = SpecialFunctions.GammaLn(r + x) - lgR + r * lnAlpha
                + lgAb + SpecialFunctions.GammaLn(b + x) - lgB - SpecialFunctions.GammaLn(a + b + x);
            if (withGradient)
            {
                var psiAbx = SpecialFunctions.DiGamma(a + b + x);
                dR[g] = SpecialFunctions.DiGamma(r + x) - psiR + lnAlpha;
                dA[g] = psiAb - psiAbx;
                dB[g] = psiAb + SpecialFunctions.DiGamma(b + x) - psiB - psiAbx;
            }
            if (x > 0)
            {
                lnC[g] = lnA - Math.Log(b + x - 1);
                dCb[g] = -1 / (b + x - 1);
            }
        }

        var chunks = (_weight.Length + ChunkSize - 1) / ChunkSize;
        var sums = new double[chunks * 5];
        void Chunk(int c)
        {
            double ll = 0, gr = 0, gAlpha = 0, ga = 0, gb = 0;
            var end = Math.Min(_weight.Length, (c + 1) * ChunkSize);
            for (var i = c * ChunkSize; i < end; i++)
            {
                var g = _group[i];
                var x = _groupX[g];
                var rx = r + x;
                var w = _weight[i];
                var alphaT = alpha + _age[i];
                var lnAlphaT = Math.Log(alphaT);
                var d = -rx * lnAlphaT; // ln A3
                double lse, w4 = 0, dRow, dAlphaRow;
                if (x == 0)
                {
                    lse = d;
                    dRow = -lnAlphaT;
                    dAlphaRow = -rx / alphaT;
                }
                else
                {
                    var alphaTx = alpha + _recency[i];
                    var lnAlphaTx = Math.Log(alphaTx);
                    var e = lnC[g] - rx * lnAlphaTx; // ln A4
                    // log-sum-exp of A3 and A4; w4 = A4 / (A3 + A4) is the weight of the "dropped out" branch.
                    var diff = e - d;
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
                    dRow = -(w3 * lnAlphaT + w4 * lnAlphaTx);
                    dAlphaRow = -rx * (w3 / alphaT + w4 / alphaTx);
                }
                ll += w * (constant[g] + lse);
                if (withGradient)
                {
                    gr += w * (dR[g] + dRow);
                    gAlpha += w * (r / alpha + dAlphaRow);
                    ga += w * (dA[g] + w4 / a);
                    gb += w * (dB[g] + w4 * dCb[g]);
                }
            }
            sums[c * 5] = ll;
            sums[c * 5 + 1] = gr;
            sums[c * 5 + 2] = gAlpha;
            sums[c * 5 + 3] = ga;
            sums[c * 5 + 4] = gb;
        }
        if (chunks > 1)
        {
            Parallel.For(0, chunks, Chunk);
        }
        else if (chunks == 1)
        {
            Chunk(0);
        }
        var total = new double[5];
        for (var c = 0; c < chunks; c++)
        {
            for (var k = 0; k < 5; k++)
            {
                total[k] += sums[c * 5 + k];
            }
        }
        if (withGradient)
        {
            gradient[0] = total[1];
            gradient[1] = total[2];
            gradient[2] = total[3];
            gradient[3] = total[4];
        }
        return total[0];
    }
}
