namespace Crm.Core.Rfm;

/// <summary>
/// How recency, frequency and monetary values become scores 1..k. Pick one of
/// <see cref="TieAwareQuantiles"/> (the default), <see cref="EqualCount"/> or <see cref="FixedThresholds"/>.
/// </summary>
/// <remarks>
/// With N scored customers and k bins:
/// <list type="bullet">
/// <item><b>Tie-aware quantiles</b>: F = 1 + floor(k · #{customers with frequency &lt; mine} / N), M likewise on monetary,
/// R = 1 + floor(k · #{customers with recency_days &gt; mine} / N). Equal values always share a score.</item>
/// <item><b>Equal count</b> (SQL <c>NTILE</c>): sort ascending by the metric (recency: oldest first), ties by customer
/// (ordinal for <see cref="Customers.CustomerId"/>, numeric for bulk keys), cut into k buckets whose sizes differ by at most one
/// (the first N mod k one larger); bucket i scores i. Equal values may be split.</item>
/// <item><b>Fixed thresholds</b>: k−1 ascending edges per dimension. F and M: 1 + number of edges ≤ value.
/// R (edges in days): 1 + number of edges &gt; recency_days.</item>
/// </list>
/// Instances are immutable and thread-safe.
/// </remarks>
public abstract class RfmScoring
{
    private protected RfmScoring()
    {
    }

    /// <summary>Tie-aware quantile scores: equal values get equal scores; the default.</summary>
    public static RfmScoring TieAwareQuantiles { get; } = new TieAwareScoring();

    /// <summary>Equal-count buckets with SQL <c>NTILE</c> semantics; ties broken by customer.</summary>
    public static RfmScoring EqualCount { get; } = new EqualCountScoring();

    /// <summary>Fixed, caller-chosen edges per dimension (k−1 strictly ascending edges each).</summary>
    /// <param name="recencyDayEdges">Edges in days; a recency equal to an edge goes to the lower (older) bin.</param>
    /// <param name="frequencyEdges">Edges on the number of purchases; a value equal to an edge goes to the higher bin.</param>
    /// <param name="monetaryEdges">Edges on the monetary sum; a value equal to an edge goes to the higher bin.</param>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">A list is empty, not strictly ascending, or the three lists differ in length.</exception>
    public static RfmScoring FixedThresholds(IReadOnlyList<int> recencyDayEdges, IReadOnlyList<int> frequencyEdges, IReadOnlyList<decimal> monetaryEdges)
    {
        Preconditions.CheckNotNull(recencyDayEdges);
        Preconditions.CheckNotNull(frequencyEdges);
        Preconditions.CheckNotNull(monetaryEdges);
        CheckAscending(recencyDayEdges, nameof(recencyDayEdges));
        CheckAscending(frequencyEdges, nameof(frequencyEdges));
        CheckAscending(monetaryEdges, nameof(monetaryEdges));
        Preconditions.CheckArgument(frequencyEdges.Count == recencyDayEdges.Count && monetaryEdges.Count == recencyDayEdges.Count, nameof(frequencyEdges),
            "Give every dimension the same number of edges (k−1 for k bins).");
        return new FixedThresholdScoring([.. recencyDayEdges], [.. frequencyEdges], [.. monetaryEdges]);
    }

    /// <summary>The strategy's name, e.g. <c>TieAwareQuantiles</c>.</summary>
    public abstract override string ToString();

    internal virtual void Validate(int bins, string paramName)
    {
    }

    private static void CheckAscending<T>(IReadOnlyList<T> edges, string paramName)
        where T : IComparable<T>
    {
        Preconditions.CheckArgument(edges.Count >= 1 && edges.Count < RfmOptions.MaxBins, paramName, $"Give 1 to {RfmOptions.MaxBins - 1} edges (k−1 for k bins).");
        for (var i = 1; i < edges.Count; i++)
        {
            Preconditions.CheckArgument(edges[i - 1].CompareTo(edges[i]) < 0, paramName, $"Edges must be strictly ascending; edge {i} is not above edge {i - 1}.");
        }
    }

    private sealed class TieAwareScoring : RfmScoring
    {
        public override string ToString() => "TieAwareQuantiles";
    }

    private sealed class EqualCountScoring : RfmScoring
    {
        public override string ToString() => "EqualCount";
    }

    internal sealed class FixedThresholdScoring(int[] recencyDayEdges, int[] frequencyEdges, decimal[] monetaryEdges) : RfmScoring
    {
        public int[] RecencyDayEdges { get; } = recencyDayEdges;

        public int[] FrequencyEdges { get; } = frequencyEdges;

        public decimal[] MonetaryEdges { get; } = monetaryEdges;

        public override string ToString() => "FixedThresholds";

        internal override void Validate(int bins, string paramName)
        {
            if (RecencyDayEdges.Length != bins - 1)
            {
                throw new ArgumentException($"Fixed thresholds have {RecencyDayEdges.Length} edges per dimension, which makes {RecencyDayEdges.Length + 1} bins, but the options ask for {bins}; set Bins to {RecencyDayEdges.Length + 1}.", paramName);
            }
        }
    }
}
