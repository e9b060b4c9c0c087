using System.Collections;
using System.Globalization;

namespace Crm.Core.Rfm;

/// <summary>One scored customer: the metrics, the scores and the segment.</summary>
/// <typeparam name="TCustomer">The customer identifier: <see cref="Customers.CustomerId"/>, or the host's <see cref="long"/> key in the bulk form.</typeparam>
/// <param name="Customer">The customer, exactly as supplied.</param>
/// <param name="RecencyDays">Days from the latest purchase to the as-of date (0 = bought on the as-of date).</param>
/// <param name="Frequency">The number of purchases (transactions with amount ≥ 0); at least 1.</param>
/// <param name="Monetary">The sum of all transactions, refunds included.</param>
/// <param name="Score">The R, F and M scores.</param>
/// <param name="Segment">The segment name, or null when no segment map applies.</param>
public readonly record struct RfmCustomer<TCustomer>(TCustomer Customer, int RecencyDays, int Frequency, decimal Monetary, RfmScore Score, string? Segment);

/// <summary>One line of a segment report.</summary>
/// <param name="Segment">The segment name.</param>
/// <param name="Count">How many scored customers it holds.</param>
/// <param name="CustomerShare">Its share of the scored customers, 0..1.</param>
/// <param name="Monetary">The sum of its customers' monetary values.</param>
/// <param name="RevenueShare">Its share of the total monetary value (0 for every segment when the total is zero).</param>
public sealed record RfmSegmentSummary(string Segment, int Count, double CustomerShare, decimal Monetary, double RevenueShare);

/// <summary>
/// The outcome of an RFM computation: one entry per scored customer (customers with at least one purchase in range),
/// stored column-wise so that millions of customers cost a few dozen bytes each.
/// </summary>
/// <typeparam name="TCustomer">The customer identifier type.</typeparam>
/// <remarks>
/// Results from <see cref="Customers.CustomerId"/> inputs are sorted by customer (ordinal); bulk results keep an
/// unspecified order (sort <see cref="Customers"/> yourself when order matters). Immutable and thread-safe.
/// </remarks>
public sealed class RfmResult<TCustomer> : IReadOnlyList<RfmCustomer<TCustomer>>
{
    private readonly TCustomer[] _customers;
    private readonly int[] _recency;
    private readonly int[] _frequency;
    private readonly MonetaryColumn _monetary;
    private readonly byte[] _r;
    private readonly byte[] _f;
    private readonly byte[] _m;
    private readonly byte[]? _segments;

    internal RfmResult(RfmOptions options, Currency? currency, TCustomer[] customers, int[] recency, int[] frequency, MonetaryColumn monetary, byte[] r, byte[] f, byte[] m, RfmSegmentMap? map, byte[]? segments)
    {
        Options = options;
        Currency = currency;
        _customers = customers;
        _recency = recency;
        _frequency = frequency;
        _monetary = monetary;
        _r = r;
        _f = f;
        _m = m;
        SegmentMap = map;
        _segments = segments;
    }

    /// <summary>The options the result was computed with.</summary>
    public RfmOptions Options { get; }

    /// <summary>The currency of every monetary value, or null when there was no row at all.</summary>
    public Currency? Currency { get; }

    /// <summary>The segment map applied, or null when none applies (bins other than 5 and no map given).</summary>
    public RfmSegmentMap? SegmentMap { get; }

    /// <summary>The number of scored customers.</summary>
    public int Count => _customers.Length;

    /// <summary>The customers, column-wise.</summary>
    public ReadOnlySpan<TCustomer> Customers => _customers;

    /// <summary>The recency in days, column-wise.</summary>
    public ReadOnlySpan<int> RecencyDays => _recency;

    /// <summary>The purchase counts, column-wise.</summary>
    public ReadOnlySpan<int> Frequencies => _frequency;

    /// <summary>The R scores, column-wise.</summary>
    public ReadOnlySpan<byte> RecencyScores => _r;

    /// <summary>The F scores, column-wise.</summary>
    public ReadOnlySpan<byte> FrequencyScores => _f;

    /// <summary>The M scores, column-wise.</summary>
    public ReadOnlySpan<byte> MonetaryScores => _m;

    /// <summary>The sum of every scored customer's monetary value.</summary>
    public decimal TotalMonetary => _monetary.Total();

    /// <summary>The customer at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count−1.</exception>
    public RfmCustomer<TCustomer> this[int index]
    {
        get
        {
            Preconditions.CheckArgumentRange(nameof(index), index, 0, Count - 1);
            return new RfmCustomer<TCustomer>(_customers[index], _recency[index], _frequency[index], _monetary[index],
                new RfmScore(_r[index], _f[index], _m[index]), SegmentAt(index));
        }
    }

    /// <summary>The monetary value of the customer at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count−1.</exception>
    public decimal MonetaryAt(int index)
    {
        Preconditions.CheckArgumentRange(nameof(index), index, 0, Count - 1);
        return _monetary[index];
    }

    /// <summary>The segment of the customer at <paramref name="index"/>, or null when no map applies.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count−1.</exception>
    public string? SegmentAt(int index)
    {
        Preconditions.CheckArgumentRange(nameof(index), index, 0, Count - 1);
        return _segments is null ? null : SegmentMap!.Segments[_segments[index]];
    }

    /// <summary>
    /// Count, share of customers, monetary sum and share of revenue per segment, in the map's segment order (empty
    /// segments included with zeros).
    /// </summary>
    /// <exception cref="InvalidOperationException">No segment map applies to this result.</exception>
    public IReadOnlyList<RfmSegmentSummary> SegmentReport()
    {
        if (_segments is null || SegmentMap is null)
        {
            throw new InvalidOperationException("This result has no segments: use 5 bins or give RfmOptions.SegmentMap.");
        }
        var names = SegmentMap.Segments;
        var counts = new int[names.Count];
        var sums = new decimal[names.Count];
        for (var i = 0; i < _segments.Length; i++)
        {
            counts[_segments[i]]++;
            sums[_segments[i]] += _monetary[i];
        }
        var total = TotalMonetary;
        var report = new RfmSegmentSummary[names.Count];
        for (var s = 0; s < names.Count; s++)
        {
            report[s] = new RfmSegmentSummary(names[s], counts[s], Count == 0 ? 0 : (double)counts[s] / Count, sums[s],
                total == 0 ? 0 : (double)(sums[s] / total));
        }
        return report;
    }

    /// <summary>
    /// The top <paramref name="percent"/>% of customers by monetary value (highest first; ties by customer), e.g. the
    /// top 5% that must never be lost: ceil(percent/100 · Count) customers.
    /// </summary>
    /// <param name="percent">Greater than 0 and at most 100.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is outside (0, 100].</exception>
    public IReadOnlyList<RfmCustomer<TCustomer>> Top(decimal percent)
    {
        Preconditions.CheckInRange(percent > 0 && percent <= 100, nameof(percent), percent, "The percentage must be greater than 0 and at most 100.");
        var take = (int)Math.Ceiling(percent * Count / 100m);
        var order = Enumerable.Range(0, Count).ToArray();
        var comparer = Comparer<TCustomer>.Default;
        Array.Sort(order, (a, b) =>
        {
            var c = _monetary[b].CompareTo(_monetary[a]);
            return c != 0 ? c : comparer.Compare(_customers[a], _customers[b]);
        });
        var top = new RfmCustomer<TCustomer>[take];
        for (var i = 0; i < take; i++)
        {
            top[i] = this[order[i]];
        }
        return top;
    }

    /// <inheritdoc/>
    public IEnumerator<RfmCustomer<TCustomer>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A short description: count, currency and as-of date (no customer data).</summary>
    public override string ToString() =>
        $"RFM of {Count.ToString(CultureInfo.InvariantCulture)} customers as of {Options.AsOf:uuuu-MM-dd} ({Currency?.Code ?? "no currency"})";
}

/// <summary>Monetary values column-wise: whole minor units (cents) on the fast path, exact decimals otherwise.</summary>
internal readonly struct MonetaryColumn
{
    private readonly long[]? _minor;
    private readonly decimal[]? _exact;

    private MonetaryColumn(long[]? minor, decimal[]? exact)
    {
        _minor = minor;
        _exact = exact;
    }

    public static MonetaryColumn FromMinor(long[] cents) => new(cents, null);

    public static MonetaryColumn FromExact(decimal[] values) => new(null, values);

    public long[]? Minor => _minor;

    public decimal[]? Exact => _exact;

    public int Length => _minor?.Length ?? _exact?.Length ?? 0;

    public decimal this[int index] => _minor is not null ? FromCents(_minor[index]) : _exact![index];

    /// <summary>Cents as a decimal with exactly two decimal places (12.50, not 12.5), so output does not depend on the path taken.</summary>
    public static decimal FromCents(long cents)
    {
        var magnitude = cents < 0 ? (ulong)(-(cents + 1)) + 1 : (ulong)cents;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, cents < 0, 2);
    }

    public decimal Total()
    {
        if (_minor is not null)
        {
            // Int128 cannot overflow for any realistic count of long sums; decimal holds the result exactly.
            Int128 sum = 0;
            foreach (var v in _minor)
            {
                sum += v;
            }
            return (decimal)sum / 100m;
        }
        var total = 0m;
        foreach (var v in _exact!)
        {
            total += v;
        }
        return total;
    }
}
