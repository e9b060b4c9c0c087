using Crm.Core.Customers;

namespace Crm.Core.Duplicates;

/// <summary>Why two customer records may be the same person or organisation.</summary>
public enum MatchReason
{
    /// <summary>They share a normalised email address.</summary>
    Email = 1,

    /// <summary>They share a phone number (same E.164 number).</summary>
    Phone = 2,

    /// <summary>They are linked to the same id in the same source system.</summary>
    ExternalId = 3,

    /// <summary>Their names are similar and they share a postal code (fuzzy; see <see cref="FuzzyNameRule"/>).</summary>
    NameAndPostalCode = 4,
}

/// <summary>One rule that matched, with the score it contributed (0-1).</summary>
/// <param name="Reason">The rule.</param>
/// <param name="Score">Its score: the rule's weight, times the name similarity for the fuzzy rule.</param>
/// <remarks>Holds no personal data: which rule, not which value.</remarks>
public readonly record struct MatchEvidence(MatchReason Reason, double Score);

/// <summary>A customer that may duplicate another, with the combined score and the evidence.</summary>
/// <param name="CustomerId">The possible duplicate.</param>
/// <param name="Score">The combined score, 0-1: 1 − Π(1 − evidence score), so independent evidence adds up without exceeding 1.</param>
/// <param name="Evidence">The rules that matched, strongest first.</param>
/// <remarks>Immutable. <see cref="ToString"/> shows ids, score and rule names only.</remarks>
public sealed record DuplicateCandidate(CustomerId CustomerId, double Score, IReadOnlyList<MatchEvidence> Evidence)
{
    /// <summary>The rules that matched, strongest first.</summary>
    public IEnumerable<MatchReason> Reasons => Evidence.Select(e => e.Reason);

    /// <summary>For example <c>00042 0.95 (Email, Phone)</c>.</summary>
    public override string ToString() =>
        $"{CustomerId} {Score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ({string.Join(", ", Reasons)})";
}

/// <summary>Two customers that may be duplicates (a batch scan's result): <see cref="First"/> sorts before <see cref="Second"/>.</summary>
/// <param name="First">The customer with the smaller id.</param>
/// <param name="Second">The other customer.</param>
/// <param name="Score">The combined score, 0-1.</param>
/// <param name="Evidence">The rules that matched, strongest first.</param>
public sealed record DuplicatePair(CustomerId First, CustomerId Second, double Score, IReadOnlyList<MatchEvidence> Evidence)
{
    /// <summary>The rules that matched, strongest first.</summary>
    public IEnumerable<MatchReason> Reasons => Evidence.Select(e => e.Reason);

    /// <summary>For example <c>00007 ~ 00042 0.95 (Email)</c>.</summary>
    public override string ToString() =>
        $"{First} ~ {Second} {Score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ({string.Join(", ", Reasons)})";
}

/// <summary>The fuzzy rule: similar names (Jaro-Winkler on normalised names) at the same postal code.</summary>
/// <remarks>
/// Names are compared after case folding, removal of accents and punctuation, and sorting of their words, so that
/// <c>Lee, Ann</c> and <c>ann lee</c> compare equal. Only customers sharing a postal code (same country) are compared,
/// which keeps both the look-up at registration and the batch scan far from comparing everyone with everyone.
/// Immutable and thread-safe.
/// </remarks>
public sealed record FuzzyNameRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="minimumSimilarity">The lowest Jaro-Winkler similarity (0-1) that counts as a match; 0.92 is strict enough for typos but not for different people.</param>
    /// <param name="weight">The score of an exact name match at the same postal code (0-1); a match scores weight × similarity.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside 0-1.</exception>
    public FuzzyNameRule(double minimumSimilarity = 0.92, double weight = 0.8)
    {
        MinimumSimilarity = Preconditions.CheckArgumentRange(nameof(minimumSimilarity), minimumSimilarity, 0d, 1d);
        Weight = Preconditions.CheckArgumentRange(nameof(weight), weight, 0d, 1d);
    }

    /// <summary>The lowest name similarity that counts as a match.</summary>
    public double MinimumSimilarity { get; }

    /// <summary>The score of an exact name match at the same postal code.</summary>
    public double Weight { get; }
}

/// <summary>
/// Which match rules apply and how much each counts: exact rules on normalised email, E.164 phone and external id, and
/// an optional fuzzy name + postal code rule. Used at registration, at import and by the batch scan
/// (<see cref="DuplicateFinder"/>).
/// </summary>
/// <remarks>Immutable (change it with <c>with</c>) and thread-safe. A rule with weight 0 is off.</remarks>
public sealed record DuplicateRules
{
    /// <summary>The exact rules (email 0.95, phone 0.9, external id 1.0), no fuzzy rule, minimum score 0.5.</summary>
    public static DuplicateRules Default { get; } = new();

    /// <summary>The exact rules plus <see cref="FuzzyNameRule"/> with its defaults.</summary>
    public static DuplicateRules WithFuzzyNames { get; } = new() { FuzzyName = new FuzzyNameRule() };

    private readonly double _email = 0.95;
    private readonly double _phone = 0.9;
    private readonly double _externalId = 1.0;
    private readonly double _minimumScore = 0.5;
    private readonly int _maxBlockSize = 1000;

    /// <summary>The score of a shared email address (0-1; 0 turns the rule off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0-1.</exception>
    public double EmailWeight { get => _email; init => _email = Preconditions.CheckArgumentRange(nameof(EmailWeight), value, 0d, 1d); }

    /// <summary>The score of a shared phone number (0-1; 0 turns the rule off). Shared household lines make it weaker than email.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0-1.</exception>
    public double PhoneWeight { get => _phone; init => _phone = Preconditions.CheckArgumentRange(nameof(PhoneWeight), value, 0d, 1d); }

    /// <summary>The score of a shared external id (0-1; 0 turns the rule off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0-1.</exception>
    public double ExternalIdWeight { get => _externalId; init => _externalId = Preconditions.CheckArgumentRange(nameof(ExternalIdWeight), value, 0d, 1d); }

    /// <summary>The fuzzy name + postal code rule, or null (the default) for exact rules only.</summary>
    public FuzzyNameRule? FuzzyName { get; init; }

    /// <summary>Candidates scoring below this (0-1] are not reported.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not above 0 or above 1.</exception>
    public double MinimumScore
    {
        get => _minimumScore;
        init
        {
            Preconditions.CheckArgument(value > 0d && value <= 1d, nameof(MinimumScore), "The minimum score must be above 0 and at most 1.");
            _minimumScore = value;
        }
    }

    /// <summary>
    /// The batch scan skips a blocking key (one email, phone, external id or postal code) shared by more customers than
    /// this: such a key (a shop's own address, a big-city postal code) says little and would make the scan quadratic.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public int MaxBlockSize { get => _maxBlockSize; init => _maxBlockSize = Preconditions.CheckArgumentRange(nameof(MaxBlockSize), value, 2, int.MaxValue); }

    /// <summary>Compares two customers under these rules.</summary>
    /// <param name="first">One customer.</param>
    /// <param name="second">The other.</param>
    /// <returns>The candidate (<paramref name="second"/> as seen from <paramref name="first"/>), or null when the score is below <see cref="MinimumScore"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public DuplicateCandidate? Compare(Customer first, Customer second)
    {
        Preconditions.CheckNotNull(first);
        Preconditions.CheckNotNull(second);
        return Compare(MatchProfile.Of(first), MatchProfile.Of(second));
    }

    internal DuplicateCandidate? Compare(MatchProfile first, MatchProfile second)
    {
        if (first.CustomerId == second.CustomerId)
        {
            return null;
        }
        var evidence = new List<MatchEvidence>(4);
        if (_email > 0 && first.Emails.Overlaps(second.Emails))
        {
            evidence.Add(new MatchEvidence(MatchReason.Email, _email));
        }
        if (_phone > 0 && first.Phones.Overlaps(second.Phones))
        {
            evidence.Add(new MatchEvidence(MatchReason.Phone, _phone));
        }
        if (_externalId > 0 && first.ExternalIds.Overlaps(second.ExternalIds))
        {
            evidence.Add(new MatchEvidence(MatchReason.ExternalId, _externalId));
        }
        if (FuzzyName is { } fuzzy && fuzzy.Weight > 0 && first.Kind == second.Kind && first.PostalCodes.Overlaps(second.PostalCodes))
        {
            var similarity = NameSimilarity.JaroWinkler(first.NameKey, second.NameKey);
            if (similarity >= fuzzy.MinimumSimilarity)
            {
                evidence.Add(new MatchEvidence(MatchReason.NameAndPostalCode, fuzzy.Weight * similarity));
            }
        }
        if (evidence.Count == 0)
        {
            return null;
        }
        var miss = 1d;
        foreach (var e in evidence)
        {
            miss *= 1d - e.Score;
        }
        var score = 1d - miss;
        if (score < _minimumScore)
        {
            return null;
        }
        evidence.Sort((a, b) => b.Score.CompareTo(a.Score));
        return new DuplicateCandidate(second.CustomerId, score, evidence);
    }
}
