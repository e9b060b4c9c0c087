using System.Buffers;
using System.Runtime.InteropServices;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.Summaries;
using MathNet.Numerics;

namespace Crm.Core.Analytics.BgNbd;

/// <summary>
/// The BG/NBD log-likelihood (Fader, Hardie &amp; Lee 2005, eq. 6) and its analytic gradient over collapsed data.
/// </summary>
/// <remarks>
/// <para>
/// Three reductions make a million customers cheap. (1) Identical (x, t_x, T) rows are collapsed into weights (by a radix
/// sort of packed keys, see <see cref="Build"/>). (2) Rows are grouped by x, because every gamma and digamma term depends on
/// x only: the special functions run once per distinct x. (3) ln(α + t) and 1/(α + t) depend on the time value only,
/// so they are computed once per distinct t_x or T value and rows refer to them by index: summaries built from
/// day-stamped transactions share a few hundred time values, and each row then costs one exponential and one
/// logarithm per evaluation.
/// </para>
/// <para>
/// Rows are summed in fixed chunks (in parallel for large inputs) and the chunk sums combined in order, so the result
/// does not depend on thread scheduling. The two-term sum A3 + A4 is combined in log space (log-sum-exp), so large x
/// or long recencies never overflow — the direct formula overflows for x in the hundreds.
/// </para>
/// </remarks>
internal sealed class BgNbdLikelihood
{
    private const int ChunkSize = 16_384;

    // Rows looked at to decide whether the time values are discrete (see MostlyDistinctTimes).
    private const int SampleSize = 4096;

    private readonly int[] _groupX;        // distinct x values, ascending
    private readonly int[] _groupStart;    // rows of group g: [_groupStart[g], _groupStart[g + 1])
    private readonly double[] _groupWeight;
    private readonly int[] _ageIndex;      // per row: index of T in _times
    private readonly int[] _recencyIndex;  // per row: index of t_x in _times (unused when x = 0)
    private readonly double[] _weight;     // per row: how many customers share it
    private readonly double[] _times;      // the distinct T and t_x values

    private BgNbdLikelihood(int[] groupX, int[] groupStart, int[] ageIndex, int[] recencyIndex, double[] weight, double[] times)
    {
        (_groupX, _groupStart, _ageIndex, _recencyIndex, _weight, _times) = (groupX, groupStart, ageIndex, recencyIndex, weight, times);
        _groupWeight = new double[groupX.Length];
        for (var g = 0; g < groupX.Length; g++)
        {
            for (var i = groupStart[g]; i < groupStart[g + 1]; i++)
            {
                _groupWeight[g] += weight[i];
            }
            TotalWeight += _groupWeight[g];
            if (groupX[g] > 0)
            {
                RepeatCustomers += _groupWeight[g];
            }
        }
    }

    /// <summary>Collapses and indexes the data.</summary>
    public static BgNbdLikelihood Create(IEnumerable<RecencyFrequency> data)
    {
        ReadOnlySpan<RecencyFrequency> rows = data switch
        {
            RecencyFrequency[] array => array,
            List<RecencyFrequency> list => CollectionsMarshal.AsSpan(list),
            _ => data.ToArray(),
        };
        return Build(rows, []);
    }

    /// <summary>
    /// Sorts the rows by x and, when their times are discrete (summaries of day-stamped transactions), collapses
    /// identical (x, t_x, T) rows and indexes the distinct time values.
    /// </summary>
    /// <remarks>
    /// Collapsing goes through a sort, not a hash of the rows: the time values are first numbered through a small
    /// table (a few hundred entries, cache-resident), each row then packs (x, T id, t_x id) into one 64-bit key, and a
    /// radix sort of the keys makes identical rows adjacent and groups them by x in a few sequential passes. Hashing a
    /// million rows costs a random memory access per row instead, several times slower on a busy machine.
    /// Continuous times (simulated data, fractional days) collapse nothing, so each row then keeps its own values.
    /// </remarks>
    /// <param name="rows">The rows.</param>
    /// <param name="weights">The customers per row, or empty for one each.</param>
    private static BgNbdLikelihood Build(ReadOnlySpan<RecencyFrequency> rows, ReadOnlySpan<double> weights)
    {
        var n = rows.Length;
        var maxX = 0;
        foreach (ref readonly var row in rows)
        {
            maxX = Math.Max(maxX, row.Frequency);
        }
        var xBits = BitsFor(maxX);
        // Large scratch arrays come from the pool: fresh multi-megabyte arrays cost page faults on first touch, which
        // on a busy machine took longer than the sort itself.
        var keys = ArrayPool<ulong>.Shared.Rent(n);
        var sortedWeight = ArrayPool<double>.Shared.Rent(n);
        try
        {
            return BuildSorted(rows, weights, xBits, keys.AsSpan(0, n), sortedWeight.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<double>.Shared.Return(sortedWeight);
        }
    }

    private static BgNbdLikelihood BuildSorted(ReadOnlySpan<RecencyFrequency> rows, ReadOnlySpan<double> weights, int xBits, Span<ulong> keys, Span<double> sortedWeight)
    {
        var n = rows.Length;
        KeyIndex? times = null;
        int[] rank = [];
        var idBits = 0;
        if (!MostlyDistinctTimes(rows[..Math.Min(n, SampleSize)]))
        {
            times = new KeyIndex(4096);
            for (var i = 0; i < n; i++)
            {
                var ageId = times.IdOf(0, KeyIndex.Bits(rows[i].Age), 0);
                var recencyId = rows[i].Frequency == 0 ? 0 : times.IdOf(0, KeyIndex.Bits(rows[i].Recency), 0);
                keys[i] = ((ulong)(uint)ageId << 32) | (uint)recencyId;
            }
            idBits = BitsFor(times.Count - 1);
            if (xBits + (2 * idBits) > 64)
            {
                times = null; // too many distinct values to pack: keep every row (correct, just not collapsed)
            }
            else
            {
                // Ids are handed out in order of first appearance; packing their ranks by value instead makes the
                // collapsed rows, and so the order the likelihood sums them in, independent of the input's row order:
                // the same customers in any order give bit-identical fits (a fit on a likelihood ridge once converged
                // for one order and missed the tolerance by a hair for the reverse).
                rank = RankByValue(times);
                for (var i = 0; i < n; i++)
                {
                    var ageRank = (ulong)(uint)rank[(int)(keys[i] >> 32)];
                    var recencyRank = (ulong)(uint)rank[(int)(keys[i] & uint.MaxValue)];
                    keys[i] = ((ulong)(uint)rows[i].Frequency << (2 * idBits)) | (ageRank << idBits) | recencyRank;
                }
            }
        }
        var rowBits = BitsFor(Math.Max(0, n - 1));
        int[]? canonical = null;
        if (times is null)
        {
            // Uncollapsed rows are summed in (x, T, t_x) order rather than input order, so that the same customers in
            // any order give bit-identical fits; the low key bits are then positions in that order.
            canonical = CanonicalOrder(rows);
            for (var k = 0; k < n; k++)
            {
                keys[k] = ((ulong)(uint)rows[canonical[k]].Frequency << rowBits) | (uint)k;
            }
        }
        for (var k = 0; k < n; k++)
        {
            var i = canonical is null ? k : canonical[k];
            sortedWeight[k] = weights.IsEmpty ? 1 : weights[i];
        }
        RadixSort(keys, sortedWeight, times is null ? xBits + rowBits : xBits + (2 * idBits));

        var groupX = new List<int>();
        var groupStart = new List<int>();
        int[] ageIndex, recencyIndex;
        double[] rowWeight, timeValues;
        int rowCount;
        if (times is null)
        {
            rowCount = n;
            (ageIndex, recencyIndex, rowWeight, timeValues) = (new int[n], new int[n], sortedWeight.ToArray(), new double[2 * n]);
            var rowMask = (1UL << rowBits) - 1;
            for (var at = 0; at < n; at++)
            {
                var i = canonical![(int)(keys[at] & rowMask)];
                AddRow(groupX, groupStart, (int)(keys[at] >> rowBits), at);
                (timeValues[at], timeValues[n + at], ageIndex[at], recencyIndex[at]) = (rows[i].Age, rows[i].Recency, at, n + at);
            }
        }
        else
        {
            (ageIndex, recencyIndex, rowWeight) = (new int[n], new int[n], new double[n]);
            var idMask = (1UL << idBits) - 1;
            rowCount = 0;
            for (var k = 0; k < n; k++)
            {
                if (k > 0 && keys[k] == keys[k - 1])
                {
                    rowWeight[rowCount - 1] += sortedWeight[k]; // an identical row: one more customer on it
                    continue;
                }
                AddRow(groupX, groupStart, (int)(keys[k] >> (2 * idBits)), rowCount);
                ageIndex[rowCount] = (int)((keys[k] >> idBits) & idMask);
                recencyIndex[rowCount] = (int)(keys[k] & idMask);
                rowWeight[rowCount] = sortedWeight[k];
                rowCount++;
            }
            timeValues = new double[times.Count];
            for (var t = 0; t < timeValues.Length; t++)
            {
                timeValues[rank[t]] = BitConverter.Int64BitsToDouble(times.A(t));
            }
        }
        groupStart.Add(rowCount);
        return new BgNbdLikelihood(groupX.ToArray(), groupStart.ToArray(), ageIndex[..rowCount], recencyIndex[..rowCount], rowWeight[..rowCount], timeValues);

        static void AddRow(List<int> groupX, List<int> groupStart, int x, int row)
        {
            if (groupX.Count == 0 || groupX[^1] != x)
            {
                groupX.Add(x);
                groupStart.Add(row);
            }
        }
    }

    /// <summary>
    /// The row indices ordered by (T, t_x) ascending, ties in input order: two stable LSD radix sorts on the values' bit
    /// patterns (non-negative doubles order like their bits), linear time, no comparisons.
    /// </summary>
    private static int[] CanonicalOrder(ReadOnlySpan<RecencyFrequency> rows)
    {
        var n = rows.Length;
        var keys = ArrayPool<ulong>.Shared.Rent(n);
        var positions = ArrayPool<double>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                keys[i] = (ulong)BitConverter.DoubleToInt64Bits((rows[i].Frequency == 0 ? 0 : rows[i].Recency) + 0.0);
                positions[i] = i; // exact: row counts are far below 2^53
            }
            RadixSort(keys.AsSpan(0, n), positions.AsSpan(0, n), 63);
            for (var k = 0; k < n; k++)
            {
                keys[k] = (ulong)BitConverter.DoubleToInt64Bits(rows[(int)positions[k]].Age + 0.0);
            }
            RadixSort(keys.AsSpan(0, n), positions.AsSpan(0, n), 63);
            var order = new int[n];
            for (var k = 0; k < n; k++)
            {
                order[k] = (int)positions[k];
            }
            return order;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<double>.Shared.Return(positions);
        }
    }

    /// <summary>For each time id, its position among the distinct time values in ascending order.</summary>
    private static int[] RankByValue(KeyIndex times)
    {
        var ids = new int[times.Count];
        var values = new double[times.Count];
        for (var t = 0; t < ids.Length; t++)
        {
            ids[t] = t;
            values[t] = BitConverter.Int64BitsToDouble(times.A(t));
        }
        Array.Sort(values, ids);
        var rank = new int[ids.Length];
        for (var r = 0; r < ids.Length; r++)
        {
            rank[ids[r]] = r;
        }
        return rank;
    }

    /// <summary>The number of customers (sum of weights).</summary>
    public double TotalWeight { get; }

    /// <summary>Customers with at least one repeat purchase.</summary>
    public double RepeatCustomers { get; }

    /// <summary>The number of distinct (x, t_x, T) rows after collapsing.</summary>
    public int DistinctRows => _weight.Length;

    /// <summary>
    /// A systematic subsample of about <paramref name="rows"/> distinct rows (every k-th, so stratified by x), used to
    /// find a starting point cheaply before the fit on all rows: from there the full fit needs only a few evaluations.
    /// </summary>
    public BgNbdLikelihood Subsample(int rows)
    {
        var step = Math.Max(1, _weight.Length / rows);
        var count = (_weight.Length + step - 1) / step;
        var sample = new RecencyFrequency[count];
        var weight = new double[count];
        var g = 0;
        for (var k = 0; k < count; k++)
        {
            var i = k * step;
            while (_groupStart[g + 1] <= i)
            {
                g++;
            }
            sample[k] = new RecencyFrequency(_groupX[g], _groupX[g] == 0 ? 0 : _times[_recencyIndex[i]], _times[_ageIndex[i]]);
            weight[k] = _weight[i];
        }
        return Build(sample, weight);
    }

    /// <summary>The total log-likelihood at (r, α, a, b); fills d LL / d θ (natural scale) when <paramref name="gradient"/> is not empty.</summary>
    public double LogLikelihood(double r, double alpha, double a, double b, Span<double> gradient)
    {
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
        var psiR = SpecialFunctions.DiGamma(r);
        var psiAb = SpecialFunctions.DiGamma(a + b);
        var psiB = SpecialFunctions.DiGamma(b);
        var lnA = Math.Log(a);
        for (var g = 0; g < groups; g++)
        {
            var x = _groupX[g];
            // ln A1 = lnΓ(r+x) − lnΓ(r) + r ln α;  ln A2 = ln B(a, b+x) − ln B(a, b).
            constant[g] = SpecialFunctions.GammaLn(r + x) - lgR + r * lnAlpha
                + lgAb + SpecialFunctions.GammaLn(b + x) - lgB - SpecialFunctions.GammaLn(a + b + x);
            var psiAbx = SpecialFunctions.DiGamma(a + b + x);
            dR[g] = SpecialFunctions.DiGamma(r + x) - psiR + lnAlpha;
            dA[g] = psiAb - psiAbx;
            dB[g] = psiAb + SpecialFunctions.DiGamma(b + x) - psiB - psiAbx;
            if (x > 0)
            {
                lnC[g] = lnA - Math.Log(b + x - 1);
                dCb[g] = -1 / (b + x - 1);
            }
        }

        var timeCount = _times.Length;
        var lnTime = ArrayPool<double>.Shared.Rent(timeCount);
        var invTime = ArrayPool<double>.Shared.Rent(timeCount);
        var chunks = (_weight.Length + ChunkSize - 1) / ChunkSize;
        var sums = new double[chunks * 5];
        try
        {
            ForChunks(timeCount, c =>
            {
                var end = Math.Min(timeCount, (c + 1) * ChunkSize);
                for (var t = c * ChunkSize; t < end; t++)
                {
                    var alphaT = alpha + _times[t];
                    lnTime[t] = Math.Log(alphaT);
                    invTime[t] = 1 / alphaT;
                }
            });
            ForChunks(_weight.Length, c => SumChunk(c, r, lnC, dCb, lnTime, invTime, sums.AsSpan(c * 5, 5)));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lnTime);
            ArrayPool<double>.Shared.Return(invTime);
        }

        // Chunk sums in chunk order (deterministic), then the per-x constants once per group.
        double ll = 0, gr = 0, gAlpha = 0, ga = 0, gb = 0;
        for (var c = 0; c < chunks; c++)
        {
            ll += sums[c * 5];
            gr += sums[(c * 5) + 1];
            gAlpha += sums[(c * 5) + 2];
            ga += sums[(c * 5) + 3];
            gb += sums[(c * 5) + 4];
        }
        ga /= a;
        for (var g = 0; g < groups; g++)
        {
            var w = _groupWeight[g];
            ll += w * constant[g];
            gr += w * dR[g];
            gAlpha += w * r / alpha;
            ga += w * dA[g];
            gb += w * dB[g];
        }
        if (!gradient.IsEmpty)
        {
            gradient[0] = gr;
            gradient[1] = gAlpha;
            gradient[2] = ga;
            gradient[3] = gb;
        }
        return ll;
    }

    /// <summary>
    /// The row-dependent part of one chunk: Σ w·ln(A3 + A4) and the gradient sums; the per-group constants are added
    /// by the caller. Writes (ll, d/dr, d/dα, Σ w·w4 [÷ a by the caller], d/db).
    /// </summary>
    private void SumChunk(int chunk, double r, double[] lnC, double[] dCb, double[] lnTime, double[] invTime, Span<double> result)
    {
        var start = chunk * ChunkSize;
        var end = Math.Min(_weight.Length, start + ChunkSize);
        var g = Array.BinarySearch(_groupStart, start);
        g = g >= 0 ? g : ~g - 1;
        while (_groupStart[g + 1] <= start)
        {
            g++; // skip empty ranges (none in practice, but BinarySearch may land on either side of equal starts)
        }
        double ll = 0, gr = 0, gAlpha = 0, w4Sum = 0, gb = 0;
        for (; g < _groupX.Length && _groupStart[g] < end; g++)
        {
            var from = Math.Max(start, _groupStart[g]);
            var to = Math.Min(end, _groupStart[g + 1]);
            var x = _groupX[g];
            var rx = r + x;
            if (x == 0)
            {
                // Only A3 = (α + T)^−r: no exponential, no logarithm per row.
                double sumLn = 0, sumInv = 0;
                for (var i = from; i < to; i++)
                {
                    var w = _weight[i];
                    var at = _ageIndex[i];
                    sumLn += w * lnTime[at];
                    sumInv += w * invTime[at];
                }
                ll -= r * sumLn;
                gr -= sumLn;
                gAlpha -= r * sumInv;
                continue;
            }
            var lnCg = lnC[g];
            double sLse = 0, sLn = 0, sInv = 0, sW4 = 0;
            for (var i = from; i < to; i++)
            {
                var w = _weight[i];
                var at = _ageIndex[i];
                var rt = _recencyIndex[i];
                var lnT = lnTime[at];
                var lnTx = lnTime[rt];
                // ln A3 = −(r+x) ln(α+T), ln A4 = ln C − (r+x) ln(α+t_x); log-sum-exp of the two. w4 = A4 / (A3 + A4)
                // is the weight of the "dropped out after the last purchase" branch.
                var diff = lnCg + (rx * (lnT - lnTx));
                double lse, w4;
                if (diff > 0)
                {
                    var q = Math.Exp(-diff);
                    lse = lnCg - (rx * lnTx) + Math.Log(1 + q);
                    w4 = 1 / (1 + q);
                }
                else
                {
                    var q = Math.Exp(diff);
                    lse = (-rx * lnT) + Math.Log(1 + q);
                    w4 = q / (1 + q);
                }
                var w3 = 1 - w4;
                sLse += w * lse;
                sLn += w * ((w3 * lnT) + (w4 * lnTx));
                sInv += w * ((w3 * invTime[at]) + (w4 * invTime[rt]));
                sW4 += w * w4;
            }
            ll += sLse;
            gr -= sLn;
            gAlpha -= rx * sInv;
            w4Sum += sW4;
            gb += sW4 * dCb[g];
        }
        result[0] = ll;
        result[1] = gr;
        result[2] = gAlpha;
        result[3] = w4Sum;
        result[4] = gb;
    }

    private static void ForChunks(int length, Action<int> body)
    {
        var chunks = (length + ChunkSize - 1) / ChunkSize;
        if (chunks > 1)
        {
            Parallel.For(0, chunks, body);
        }
        else if (chunks == 1)
        {
            body(0);
        }
    }

    /// <summary>True when more than a quarter of the sample's time values are distinct: then the times are continuous.</summary>
    private static bool MostlyDistinctTimes(ReadOnlySpan<RecencyFrequency> sample)
    {
        var index = new KeyIndex(2 * sample.Length);
        foreach (ref readonly var row in sample)
        {
            index.IdOf(0, KeyIndex.Bits(row.Age), 0);
            index.IdOf(0, KeyIndex.Bits(row.Recency), 0);
        }
        return index.Count * 4 > 2 * sample.Length;
    }

    private static int BitsFor(int value) => 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)value);

    /// <summary>LSD radix sort of <paramref name="keys"/> (only the low <paramref name="bits"/> bits vary), moving <paramref name="values"/> along.</summary>
    /// <remarks>8-bit digits: 256 write streams per pass stay within the TLB and write-combining buffers; 11-bit digits measured slower.</remarks>
    private static void RadixSort(Span<ulong> keys, Span<double> values, int bits)
    {
        const int DigitBits = 8;
        const int Buckets = 1 << DigitBits;
        var n = keys.Length;
        var keysBuffer = ArrayPool<ulong>.Shared.Rent(n);
        var valuesBuffer = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var fromKeys = keys;
            var toKeys = keysBuffer.AsSpan(0, n);
            var fromValues = values;
            var toValues = valuesBuffer.AsSpan(0, n);
            Span<int> counts = stackalloc int[Buckets];
            for (var shift = 0; shift < bits; shift += DigitBits)
            {
                counts.Clear();
                foreach (var k in fromKeys)
                {
                    counts[(int)(k >> shift) & (Buckets - 1)]++;
                }
                if (counts.IndexOf(n) >= 0)
                {
                    continue; // every key has the same digit here: the pass would not move anything
                }
                var sum = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    (counts[b], sum) = (sum, sum + counts[b]);
                }
                for (var i = 0; i < n; i++)
                {
                    var at = counts[(int)(fromKeys[i] >> shift) & (Buckets - 1)]++;
                    toKeys[at] = fromKeys[i];
                    toValues[at] = fromValues[i];
                }
                var swapKeys = fromKeys;
                fromKeys = toKeys;
                toKeys = swapKeys;
                var swapValues = fromValues;
                fromValues = toValues;
                toValues = swapValues;
            }
            if (fromKeys != keys)
            {
                fromKeys.CopyTo(keys); // an odd number of passes left the result in the buffer
                fromValues.CopyTo(values);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keysBuffer);
            ArrayPool<double>.Shared.Return(valuesBuffer);
        }
    }
}
