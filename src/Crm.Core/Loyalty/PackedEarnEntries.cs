using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// What a contributing rule's <see cref="EarnContribution"/> holds, in 40 bytes instead of 72: the rule's id, kind,
/// factor and cap flags live in a <see cref="RuleStamp"/> shared by every contribution of that rule.
/// </summary>
internal struct PackedContribution
{
    public RuleStamp Rule;
    public long Points;
    public decimal Basis;
    // Meaningful only when Rule.HasCap (a nullable long would take 16 bytes).
    public long CapWindow;

    public readonly EarnContribution ToPublic() =>
        new(Rule.RuleId, Rule.Kind, Points, Basis, Rule.Factor, Rule.HasCap ? CapWindow : null, Rule.Capped);
}

/// <summary>The fixed part of a rule's contributions (one per compiled rule and cap outcome); immutable.</summary>
internal sealed record RuleStamp(string RuleId, EarningRuleKind Kind, decimal Factor, bool HasCap, bool Capped);

// Purchase earn entries with one to six contributions keep them in fields of the entry itself, so that a purchase
// leaves one object in the ledger instead of an entry plus an array (every purchase's entry lives as long as the
// account, and each extra object costs the garbage collector on every promotion). Each class adds one field to the
// previous one; more contributions use the public array of the base class. The class names and field names are
// part of the stored state document: keep them.

/// <summary>A purchase earn entry with one contribution kept inline.</summary>
internal class PackedEarnEntry1 : EarnEntry
{
    private readonly PackedContribution _c0;

    internal PackedEarnEntry1(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, EarnSource.Purchase, purchaseAmount, null) =>
        _c0 = contributions[0];

    internal override int ContributionCount => 1;

    internal override EarnContribution ContributionAt(int index) => Packed(index).ToPublic();

    internal override (string RuleId, long? CapWindow, long Points) CapAt(int index)
    {
        var c = Packed(index);
        return (c.Rule.RuleId, c.Rule.HasCap ? c.CapWindow : null, c.Points);
    }

    private PackedContribution Packed(int index) => index switch
    {
        0 => _c0,
        1 => ((PackedEarnEntry2)this).C1,
        2 => ((PackedEarnEntry3)this).C2,
        3 => ((PackedEarnEntry4)this).C3,
        4 => ((PackedEarnEntry5)this).C4,
        5 => ((PackedEarnEntry6)this).C5,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>
    /// The earn entry of a purchase: packed when one to six rules contributed, otherwise with the public array.
    /// </summary>
    internal static EarnEntry Create(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions) => contributions.Length switch
    {
        1 => new PackedEarnEntry1(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        2 => new PackedEarnEntry2(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        3 => new PackedEarnEntry3(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        4 => new PackedEarnEntry4(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        5 => new PackedEarnEntry5(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        6 => new PackedEarnEntry6(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions),
        _ => new EarnEntry(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, EarnSource.Purchase, purchaseAmount, ToPublic(contributions)),
    };

    private static EarnContribution[] ToPublic(ReadOnlySpan<PackedContribution> contributions)
    {
        if (contributions.IsEmpty)
        {
            return [];
        }
        var result = new EarnContribution[contributions.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = contributions[i].ToPublic();
        }
        return result;
    }
}

/// <summary>A purchase earn entry with two contributions kept inline.</summary>
internal class PackedEarnEntry2 : PackedEarnEntry1
{
    private readonly PackedContribution _c1;

    internal PackedEarnEntry2(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions) =>
        _c1 = contributions[1];

    internal PackedContribution C1 => _c1;

    internal override int ContributionCount => 2;
}

/// <summary>A purchase earn entry with three contributions kept inline.</summary>
internal class PackedEarnEntry3 : PackedEarnEntry2
{
    private readonly PackedContribution _c2;

    internal PackedEarnEntry3(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions) =>
        _c2 = contributions[2];

    internal PackedContribution C2 => _c2;

    internal override int ContributionCount => 3;
}

/// <summary>A purchase earn entry with four contributions kept inline.</summary>
internal class PackedEarnEntry4 : PackedEarnEntry3
{
    private readonly PackedContribution _c3;

    internal PackedEarnEntry4(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions) =>
        _c3 = contributions[3];

    internal PackedContribution C3 => _c3;

    internal override int ContributionCount => 4;
}

/// <summary>A purchase earn entry with five contributions kept inline.</summary>
internal class PackedEarnEntry5 : PackedEarnEntry4
{
    private readonly PackedContribution _c4;

    internal PackedEarnEntry5(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions) =>
        _c4 = contributions[4];

    internal PackedContribution C4 => _c4;

    internal override int ContributionCount => 5;
}

/// <summary>A purchase earn entry with six contributions kept inline.</summary>
internal sealed class PackedEarnEntry6 : PackedEarnEntry5
{
    private readonly PackedContribution _c5;

    internal PackedEarnEntry6(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        long settledDeficit, decimal purchaseAmount, ReadOnlySpan<PackedContribution> contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit, purchaseAmount, contributions) =>
        _c5 = contributions[5];

    internal PackedContribution C5 => _c5;

    internal override int ContributionCount => 6;
}
