using System.Buffers;
using System.Numerics;

namespace Crm.Core.Rfm;

/// <summary>Turns metric columns into score columns for each strategy.</summary>
internal static class RfmScorer
{
    /// <summary>Below this many customers, scoring the three dimensions on separate threads costs more than it saves.</summary>
    private const int ParallelCustomers = 65_536;

    /// <summary>Scores every customer. <paramref name="lastDay"/> is the epoch day of the latest purchase; recency = asOf − lastDay.</summary>
    public static void Score<TCustomer>(RfmOptions options, TCustomer[] customers, int[] lastDay, int[] recency, int[] frequency, MonetaryColumn monetary,
        byte[] r, byte[] f, byte[] m)
    {
        var k = options.Bins;
        Action scoreR, scoreF, scoreM;
        switch (options.Scoring)
        {
            case RfmScoring.FixedThresholdScoring fixedScoring:
                scoreR = () => FixedScores(recency, fixedScoring.RecencyDayEdges, r, lowerIsBetter: true);
                scoreF = () => FixedScores(frequency, fixedScoring.FrequencyEdges, f, lowerIsBetter: false);
                scoreM = () => FixedScores(monetary, fixedScoring.MonetaryEdges, m);
                break;
            case var s when ReferenceEquals(s, RfmScoring.EqualCount):
                scoreR = () => EqualCountScores(lastDay, customers, k, r);
                scoreF = () => EqualCountScores(frequency, customers, k, f);
                scoreM = monetary.Minor is { } minor
                    ? () => EqualCountScores(minor, customers, k, m)
                    : () => EqualCountScores(monetary.Exact!, customers, k, m);
                break;
            default:
                // R counts customers with a larger recency, i.e. an earlier latest purchase: the same as F on lastDay.
                scoreR = () => TieAwareScores<int>(lastDay, k, r);
                scoreF = () => TieAwareScores<int>(frequency, k, f);
                scoreM = monetary.Minor is { } cents
                    ? () => TieAwareScores<long>(cents, k, m)
                    : () => TieAwareScores<decimal>(monetary.Exact!, k, m);
                break;
        }
        var threads = options.EffectiveParallelism;
        if (threads > 1 && r.Length >= ParallelCustomers)
        {
            // The dimensions are independent; monetary (the widest range) goes first because it takes longest.
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = threads }, scoreM, scoreR, scoreF);
        }
        else
        {
            scoreR();
            scoreF();
            scoreM();
        }
    }

    /// <summary>
    /// Score = 1 + floor(k · #{values &lt; v} / N). Score ≥ s exactly when #{values &lt; v} ≥ t_s = ceil((s−1)·N/k), which
    /// holds exactly when sorted[t_s − 1] &lt; v. So only the k−1 cut-offs sorted[t_s − 1] are needed, found by counting
    /// or selection instead of a sort.
    /// </summary>
    public static void TieAwareScores<T>(ReadOnlySpan<T> values, int k, Span<byte> scores)
        where T : struct, INumber<T>
    {
        var n = values.Length;
        if (n == 0)
        {
            return;
        }
        var ranks = new int[k - 1];
        for (var s = 2; s <= k; s++)
        {
            ranks[s - 2] = (int)((((long)(s - 1) * n) + k - 1) / k) - 1;
        }
        var cuts = OrderStatistics.Select(values, ranks);
        if (k == 5)
        {
            // The common case unrolled: four compares, no inner loop.
            T c0 = cuts[0], c1 = cuts[1], c2 = cuts[2], c3 = cuts[3];
            for (var i = 0; i < n; i++)
            {
                var v = values[i];
                scores[i] = (byte)(1 + (c0 < v ? 1 : 0) + (c1 < v ? 1 : 0) + (c2 < v ? 1 : 0) + (c3 < v ? 1 : 0));
            }
            return;
        }
        for (var i = 0; i < n; i++)
        {
            var v = values[i];
            var score = 1;
            foreach (var c in cuts)
            {
                score += c < v ? 1 : 0;
            }
            scores[i] = (byte)score;
        }
    }

    /// <summary>NTILE: ascending by value, ties by customer; the first N mod k buckets hold one more.</summary>
    public static void EqualCountScores<T, TCustomer>(T[] values, TCustomer[] customers, int k, byte[] scores)
        where T : struct, IComparable<T>
    {
        var n = values.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var comparer = Comparer<TCustomer>.Default;
        Array.Sort(order, (a, b) =>
        {
            var c = values[a].CompareTo(values[b]);
            return c != 0 ? c : comparer.Compare(customers[a], customers[b]);
        });
        var q = n / k;
        var big = n % k;
        var bigSpan = big * (q + 1);
        for (var pos = 0; pos < n; pos++)
        {
            var bucket = pos < bigSpan ? pos / (q + 1) : big + ((pos - bigSpan) / q);
            scores[order[pos]] = (byte)(bucket + 1);
        }
    }

    private static void FixedScores(MonetaryColumn values, decimal[] edges, byte[] scores)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            var value = values[i];
            var score = 1;
            foreach (var edge in edges)
            {
                score += edge <= value ? 1 : 0;
            }
            scores[i] = (byte)score;
        }
    }

    private static void FixedScores(int[] values, int[] edges, byte[] scores, bool lowerIsBetter)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var score = 1;
            foreach (var edge in edges)
            {
                score += (lowerIsBetter ? edge > v : edge <= v) ? 1 : 0;
            }
            scores[i] = (byte)score;
        }
    }
}

/// <summary>k-th smallest values without sorting: counting for narrow integer ranges, quickselect otherwise.</summary>
internal static class OrderStatistics
{
    /// <summary>The values at the given zero-based ascending ranks of the sorted column (ranks ascending, in 0..N−1).</summary>
    public static T[] Select<T>(ReadOnlySpan<T> values, int[] ranks)
        where T : struct, INumber<T>
    {
        var result = new T[ranks.Length];
        if (typeof(T) == typeof(int) || typeof(T) == typeof(long))
        {
            var min = values[0];
            var max = values[0];
            foreach (var v in values)
            {
                min = T.Min(min, v);
                max = T.Max(max, v);
            }
            var range = (ulong)(long.CreateTruncating(max) - long.CreateTruncating(min));
            if (range <= (ulong)Math.Max(4L * values.Length, 4096))
            {
                CountingSelect(values, ranks, min, (int)range + 1, result);
                return result;
            }
            BucketSelect(values, ranks, min, range, result);
            return result;
        }
        var scratch = ArrayPool<T>.Shared.Rent(values.Length);
        try
        {
            var span = scratch.AsSpan(0, values.Length);
            values.CopyTo(span);
            var lo = 0;
            for (var i = 0; i < ranks.Length; i++)
            {
                // Ranks ascend, and after selecting rank j everything left of j is ≤ it: search only to the right.
                QuickSelect(span, lo, span.Length - 1, ranks[i]);
                result[i] = span[ranks[i]];
                lo = ranks[i];
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
        return result;
    }

    /// <summary>
    /// Wide integer ranges (monetary cents): a histogram of the top 16 bits of value − min tells which bucket holds
    /// each rank; only the values of those few buckets are copied out and selected among, recursively (each level
    /// narrows the range 65,536-fold, and a narrow enough range is counted). Two passes over the column instead of the
    /// several partitioning passes of quickselect.
    /// </summary>
    private static void BucketSelect<T>(ReadOnlySpan<T> values, int[] ranks, T min, ulong range, T[] result)
        where T : struct, INumber<T>
    {
        const int BucketBits = 16;
        var shift = Math.Max(0, 64 - BitOperations.LeadingZeroCount(range) - BucketBits);
        var lowest = long.CreateTruncating(min);
        var rented = ArrayPool<int>.Shared.Rent(1 << BucketBits);
        try
        {
            var counts = rented.AsSpan(0, 1 << BucketBits);
            counts.Clear();
            foreach (var v in values)
            {
                counts[(int)((ulong)(long.CreateTruncating(v) - lowest) >> shift)]++;
            }
            // The bucket of each rank and the rank inside it; ranks ascend, so buckets do too.
            var bucketOf = new int[ranks.Length];
            var localRank = new int[ranks.Length];
            FindBuckets(counts, ranks, bucketOf, localRank);
            var i0 = 0;
            while (i0 < ranks.Length)
            {
                // Ranks that share a bucket are selected together.
                var i1 = i0;
                while (i1 < ranks.Length && bucketOf[i1] == bucketOf[i0])
                {
                    i1++;
                }
                var target = bucketOf[i0];
                var members = ArrayPool<T>.Shared.Rent(counts[target]);
                try
                {
                    var at = 0;
                    foreach (var v in values)
                    {
                        if ((int)((ulong)(long.CreateTruncating(v) - lowest) >> shift) == target)
                        {
                            members[at++] = v;
                        }
                    }
                    var selected = Select<T>(members.AsSpan(0, at), localRank[i0..i1]);
                    selected.CopyTo(result, i0);
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(members);
                }
                i0 = i1;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>For ascending ranks, the histogram bucket holding each and the rank's position inside that bucket.</summary>
    private static void FindBuckets(ReadOnlySpan<int> histogram, int[] ranks, Span<int> bucketOf, Span<int> rankInBucket)
    {
        var before = 0;
        var bucket = 0;
        for (var i = 0; i < ranks.Length; i++)
        {
            while (before + histogram[bucket] <= ranks[i])
            {
                before += histogram[bucket];
                bucket++;
            }
            bucketOf[i] = bucket;
            rankInBucket[i] = ranks[i] - before;
        }
    }

    private static void CountingSelect<T>(ReadOnlySpan<T> values, int[] ranks, T min, int width, T[] result)
        where T : struct, INumber<T>
    {
        var counts = ArrayPool<int>.Shared.Rent(width);
        try
        {
            var histogram = counts.AsSpan(0, width);
            histogram.Clear();
            var lowest = long.CreateTruncating(min);
            foreach (var v in values)
            {
                histogram[(int)(long.CreateTruncating(v) - lowest)]++;
            }
            var bucketOf = new int[ranks.Length];
            FindBuckets(histogram, ranks, bucketOf, new int[ranks.Length]);
            for (var i = 0; i < ranks.Length; i++)
            {
                result[i] = T.CreateTruncating(lowest + bucketOf[i]);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    private static void QuickSelect<T>(Span<T> a, int lo, int hi, int k)
        where T : struct, INumber<T>
    {
        while (hi > lo)
        {
            // Median of three guards against sorted input; Hoare partition handles many equal values well.
            var mid = lo + ((hi - lo) >> 1);
            if (a[mid] < a[lo])
            {
                (a[mid], a[lo]) = (a[lo], a[mid]);
            }
            if (a[hi] < a[lo])
            {
                (a[hi], a[lo]) = (a[lo], a[hi]);
            }
            if (a[hi] < a[mid])
            {
                (a[hi], a[mid]) = (a[mid], a[hi]);
            }
            var pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }
                while (pivot < a[j])
                {
                    j--;
                }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }
    }
}
