namespace Crm.Core.Rfm;

/// <summary>An inclusive range of scores, e.g. 4..5.</summary>
/// <param name="Min">The lowest score included (at least 1).</param>
/// <param name="Max">The highest score included (at least <paramref name="Min"/>).</param>
public readonly record struct RfmRange(int Min, int Max)
{
    /// <summary>Every score 1..k.</summary>
    public static RfmRange Any(int bins) => new(1, bins);

    /// <summary>Exactly one score.</summary>
    public static RfmRange Only(int score) => new(score, score);

    /// <summary>Whether <paramref name="score"/> lies in the range.</summary>
    public bool Contains(int score) => score >= Min && score <= Max;

    /// <summary>The range as <c>4-5</c>, or <c>3</c> when it is a single score.</summary>
    public override string ToString() => Min == Max ? $"{Min}" : $"{Min}-{Max}";
}

/// <summary>One named rule of a segment map: a customer whose R, F and M scores all lie in the ranges belongs to <see cref="Name"/>.</summary>
/// <param name="Name">The segment name; not blank.</param>
/// <param name="R">The recency scores matched.</param>
/// <param name="F">The frequency scores matched.</param>
/// <param name="M">The monetary scores matched.</param>
public sealed record RfmSegmentRule(string Name, RfmRange R, RfmRange F, RfmRange M)
{
    /// <summary>Whether the rule matches <paramref name="score"/>.</summary>
    public bool Matches(RfmScore score) => R.Contains(score.R) && F.Contains(score.F) && M.Contains(score.M);
}

/// <summary>
/// Maps RFM scores to named segments: an ordered list of rules, the first match wins, and a fallback name for
/// scores no rule matches. <see cref="Default"/> is the classic ten-segment map over R and F for five bins.
/// </summary>
/// <remarks>
/// Validated on construction: names are not blank and every range lies inside 1..<see cref="Bins"/>. The map is
/// resolved once into a lookup table, so assigning a segment is an array read. Immutable and thread-safe.
/// </remarks>
public sealed class RfmSegmentMap
{
    private readonly byte[] _lookup;

    /// <summary>Creates a map.</summary>
    /// <param name="bins">The number of bins k the scores run over (2..<see cref="RfmOptions.MaxBins"/>).</param>
    /// <param name="rules">The rules in priority order (first match wins); may be empty.</param>
    /// <param name="fallback">The segment of scores no rule matches.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/>, a rule or <paramref name="fallback"/> is null.</exception>
    /// <exception cref="ArgumentException">A name is blank, a range lies outside 1..k or is empty, or there are more than 254 distinct names.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> is outside 2..<see cref="RfmOptions.MaxBins"/>.</exception>
    public RfmSegmentMap(int bins, IEnumerable<RfmSegmentRule> rules, string fallback)
    {
        Preconditions.CheckArgumentRange(nameof(bins), bins, 2, RfmOptions.MaxBins);
        Preconditions.CheckNotNull(rules);
        Preconditions.CheckNotBlank(fallback);
        var list = rules.ToArray();
        var names = new List<string>();
        var nameIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var ruleSegment = new int[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i];
            Preconditions.CheckArgument(rule is not null, nameof(rules), $"Rule {i} is null.");
            Preconditions.CheckArgument(!string.IsNullOrWhiteSpace(rule.Name), nameof(rules), $"Rule {i} has a blank name; give every segment a name.");
            CheckRange(rule.R, bins, i, "R");
            CheckRange(rule.F, bins, i, "F");
            CheckRange(rule.M, bins, i, "M");
            ruleSegment[i] = Intern(rule.Name);
        }
        var fallbackIndex = Intern(fallback);
        Preconditions.CheckArgument(names.Count <= 254, nameof(rules), "A map may name at most 254 segments.");
        Bins = bins;
        Rules = list;
        Fallback = fallback;
        Segments = names;

        // Resolve first-match-wins once: k^3 cells (at most 1,000,000 bytes for k = 100).
        _lookup = new byte[bins * bins * bins];
        for (var r = 1; r <= bins; r++)
        {
            for (var f = 1; f <= bins; f++)
            {
                for (var m = 1; m <= bins; m++)
                {
                    var segment = fallbackIndex;
                    for (var i = 0; i < list.Length; i++)
                    {
                        if (list[i].R.Contains(r) && list[i].F.Contains(f) && list[i].M.Contains(m))
                        {
                            segment = ruleSegment[i];
                            break;
                        }
                    }
                    _lookup[Cell(r, f, m)] = (byte)segment;
                }
            }
        }

        int Intern(string name)
        {
            if (!nameIndex.TryGetValue(name, out var index))
            {
                index = names.Count;
                nameIndex.Add(name, index);
                names.Add(name);
            }
            return index;
        }
    }

    /// <summary>
    /// The classic map for five bins, from R and F only: Champions R5 F4–5; Loyal R3–4 F4–5; Potential Loyalist R4–5 F2–3;
    /// New R5 F1; Promising R4 F1; Need Attention R3 F3; About to Sleep R3 F1–2; At Risk R1–2 F3–4; Can't Lose R1–2 F5;
    /// Hibernating R1–2 F1–2. The ten cells cover all 25 (R, F) pairs exactly once, so the fallback never applies.
    /// </summary>
    public static RfmSegmentMap Default { get; } = new(5,
    [
        Rule("Champions", 5, 5, 4, 5),
        Rule("Loyal", 3, 4, 4, 5),
        Rule("Potential Loyalist", 4, 5, 2, 3),
        Rule("New", 5, 5, 1, 1),
        Rule("Promising", 4, 4, 1, 1),
        Rule("Need Attention", 3, 3, 3, 3),
        Rule("About to Sleep", 3, 3, 1, 2),
        Rule("At Risk", 1, 2, 3, 4),
        Rule("Can't Lose", 1, 2, 5, 5),
        Rule("Hibernating", 1, 2, 1, 2),
    ], "Hibernating");

    /// <summary>The number of bins k the map is for.</summary>
    public int Bins { get; }

    /// <summary>The rules, in priority order.</summary>
    public IReadOnlyList<RfmSegmentRule> Rules { get; }

    /// <summary>The segment of scores no rule matches.</summary>
    public string Fallback { get; }

    /// <summary>The distinct segment names in order of first appearance (rules, then fallback); reports use this order.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The segment of <paramref name="score"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A score lies outside 1..<see cref="Bins"/>.</exception>
    public string SegmentOf(RfmScore score) => Segments[SegmentIndexOf(score)];

    /// <summary>The index into <see cref="Segments"/> of <paramref name="score"/>'s segment.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A score lies outside 1..<see cref="Bins"/>.</exception>
    public int SegmentIndexOf(RfmScore score)
    {
        Preconditions.CheckArgumentRange(nameof(score), score.R, 1, Bins);
        Preconditions.CheckArgumentRange(nameof(score), score.F, 1, Bins);
        Preconditions.CheckArgumentRange(nameof(score), score.M, 1, Bins);
        return _lookup[Cell(score.R, score.F, score.M)];
    }

    /// <summary>Segment indexes for whole score columns (values already known to be in 1..k).</summary>
    internal void Assign(ReadOnlySpan<byte> r, ReadOnlySpan<byte> f, ReadOnlySpan<byte> m, Span<byte> segments)
    {
        var k = Bins;
        var lookup = _lookup;
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = lookup[((((r[i] - 1) * k) + f[i] - 1) * k) + m[i] - 1];
        }
    }

    private int Cell(int r, int f, int m) => ((((r - 1) * Bins) + f - 1) * Bins) + m - 1;

    private static RfmSegmentRule Rule(string name, int rMin, int rMax, int fMin, int fMax) =>
        new(name, new RfmRange(rMin, rMax), new RfmRange(fMin, fMax), new RfmRange(1, 5));

    private static void CheckRange(RfmRange range, int bins, int rule, string dimension) =>
        Preconditions.CheckArgument(range.Min >= 1 && range.Max <= bins && range.Min <= range.Max, "rules",
            $"Rule {rule} has {dimension} range {range}, which is not a non-empty range inside 1..{bins}.");
}
