using System.Globalization;

namespace Crm.Core.Rfm;

/// <summary>
/// The three RFM scores of one customer: recency, frequency and monetary, each in 1..k (k = the number of bins).
/// Prints as the digits run together, e.g. <c>545</c> (and with separators when k &gt; 9, e.g. <c>10-3-7</c>).
/// </summary>
/// <remarks>Higher is better in every dimension (R5 = bought most recently). Immutable, equality by value, thread-safe.</remarks>
public readonly record struct RfmScore : IComparable<RfmScore>
{
    /// <summary>Creates a score triple.</summary>
    /// <param name="r">Recency score, at least 1.</param>
    /// <param name="f">Frequency score, at least 1.</param>
    /// <param name="m">Monetary score, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside 1..<see cref="RfmOptions.MaxBins"/>.</exception>
    public RfmScore(int r, int f, int m)
    {
        Preconditions.CheckArgumentRange(nameof(r), r, 1, RfmOptions.MaxBins);
        Preconditions.CheckArgumentRange(nameof(f), f, 1, RfmOptions.MaxBins);
        Preconditions.CheckArgumentRange(nameof(m), m, 1, RfmOptions.MaxBins);
        R = r;
        F = f;
        M = m;
    }

    /// <summary>Recency score: higher means bought more recently.</summary>
    public int R { get; }

    /// <summary>Frequency score: higher means bought more often.</summary>
    public int F { get; }

    /// <summary>Monetary score: higher means spent more.</summary>
    public int M { get; }

    /// <summary>Orders by R, then F, then M.</summary>
    public int CompareTo(RfmScore other)
    {
        var c = R.CompareTo(other.R);
        if (c != 0)
        {
            return c;
        }
        c = F.CompareTo(other.F);
        return c != 0 ? c : M.CompareTo(other.M);
    }

    /// <summary>The scores run together, e.g. <c>545</c>; separated by '-' when any score has two digits.</summary>
    public override string ToString() =>
        R <= 9 && F <= 9 && M <= 9
            ? string.Create(3, this, static (span, s) => { span[0] = (char)('0' + s.R); span[1] = (char)('0' + s.F); span[2] = (char)('0' + s.M); })
            : string.Join('-', R.ToString(CultureInfo.InvariantCulture), F.ToString(CultureInfo.InvariantCulture), M.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether <paramref name="left"/> orders before <paramref name="right"/>.</summary>
    public static bool operator <(RfmScore left, RfmScore right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> orders after <paramref name="right"/>.</summary>
    public static bool operator >(RfmScore left, RfmScore right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> orders before or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(RfmScore left, RfmScore right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> orders after or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(RfmScore left, RfmScore right) => left.CompareTo(right) >= 0;
}
