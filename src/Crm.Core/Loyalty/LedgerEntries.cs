using System.Globalization;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>The kinds of ledger entry.</summary>
public enum LedgerEntryKind
{
    /// <summary>Points earned from a purchase or an event: a new lot.</summary>
    Earn = 0,

    /// <summary>Points spent, allocated to specific lots.</summary>
    Redeem = 1,

    /// <summary>Points that reached their lots' expiry.</summary>
    Expire = 2,

    /// <summary>Points taken back because a purchase was returned.</summary>
    Reverse = 3,

    /// <summary>A manual correction, with reason and actor.</summary>
    Adjust = 4,

    /// <summary>Points given to another member.</summary>
    TransferOut = 5,

    /// <summary>Points received from another member: a new lot.</summary>
    TransferIn = 6,

    /// <summary>A redemption undone: its points go back to the lots they came from.</summary>
    RedemptionCancelled = 7,

    /// <summary>A lot (or only the key of an entry) taken over from the account of a customer merged into this one.</summary>
    MergedIn = 20,

    /// <summary>Every remaining point moved to the account of the customer this one was merged into.</summary>
    MergedOut = 21,
}

/// <summary>Points taken from (or restored to) one lot; <see cref="Lot"/> is the <see cref="LedgerEntry.Sequence"/> of the entry that created it.</summary>
/// <param name="Lot">The lot (its creating entry's sequence number).</param>
/// <param name="Points">The points (positive).</param>
public readonly record struct LotAllocation(long Lot, long Points);

/// <summary>Which rule kind produced an <see cref="EarnContribution"/>.</summary>
public enum EarningRuleKind
{
    /// <summary>A <see cref="SpendRule"/>.</summary>
    Spend = 0,

    /// <summary>A <see cref="MultiplierRule"/>.</summary>
    Multiplier = 1,

    /// <summary>A <see cref="TierBonusRule"/>.</summary>
    TierBonus = 2,

    /// <summary>An <see cref="EventRule"/>.</summary>
    Event = 3,
}

/// <summary>The points one rule contributed to an earn entry, and the figures that explain them.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="RuleKind">The rule's kind.</param>
/// <param name="Points">The points it awarded (after rounding and cap).</param>
/// <param name="Basis">Spend rules: the eligible amount; multiplier and tier rules: the base points multiplied (unrounded); event rules: 0.</param>
/// <param name="Factor">Spend rules: points per unit; multiplier and tier rules: the multiplier; event rules: the points.</param>
/// <param name="CapWindow">The cap period key the points count against, or null when the rule has no cap.</param>
/// <param name="Capped">Whether the cap cut the points down.</param>
public readonly record struct EarnContribution(string RuleId, EarningRuleKind RuleKind, long Points, decimal Basis, decimal Factor, long? CapWindow, bool Capped)
{
    /// <summary>A sentence saying why these points were awarded.</summary>
    public string Explain()
    {
        var basis = Basis.ToString(CultureInfo.InvariantCulture);
        var factor = Factor.ToString(CultureInfo.InvariantCulture);
        var text = RuleKind switch
        {
            EarningRuleKind.Spend => $"rule '{RuleId}': {basis} eligible spend × {factor} points per unit → {Points} points",
            EarningRuleKind.Multiplier => $"rule '{RuleId}': {basis} base points on matching lines × ({factor} − 1) → {Points} extra points",
            EarningRuleKind.TierBonus => $"rule '{RuleId}': {basis} base points × (tier multiplier {factor} − 1) → {Points} extra points",
            _ => $"rule '{RuleId}': event → {Points} points",
        };
        return Capped ? text + " (reduced by the rule's cap)" : text;
    }
}

/// <summary>
/// One immutable line of a <see cref="LoyaltyAccount"/>'s append-only ledger. Balances are never stored: they are
/// derived by replaying entries. <see cref="Sequence"/> starts at 1 and increases by one per entry.
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="object.ToString"/> shows identifiers and points only.</remarks>
public abstract class LedgerEntry
{
    private protected LedgerEntry(long sequence, Instant at, string? idempotencyKey)
    {
        Sequence = sequence;
        At = at;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>The position in the ledger (1 for the first entry).</summary>
    public long Sequence { get; }

    /// <summary>When the entry was recorded (never earlier than the entry before it).</summary>
    public Instant At { get; }

    /// <summary>The key that makes the operation idempotent; null for expiry, which is idempotent by nature.</summary>
    public string? IdempotencyKey { get; }

    /// <summary>The kind.</summary>
    public abstract LedgerEntryKind Kind { get; }

    /// <summary>The signed change to the member's balance (lots minus deficit).</summary>
    public abstract long Points { get; }

    /// <summary>For example <c>#3 Redeem -200 at 2026-01-01T00:00:00Z</c>.</summary>
    public override string ToString() => $"#{Sequence} {Kind} {Points:+#;-#;0} at {At}";
}

/// <summary>An entry that creates a lot: points with their own availability and expiry.</summary>
public abstract class CreditEntry : LedgerEntry
{
    private protected CreditEntry(long sequence, Instant at, string? key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt, long settledDeficit)
        : base(sequence, at, key)
    {
        Credited = credited;
        EarnedAt = earnedAt;
        AvailableAt = availableAt;
        ExpiresAtOrMax = expiresAt;
        SettledDeficit = settledDeficit;
    }

    /// <summary>The points in the lot when created.</summary>
    public long Credited { get; }

    /// <summary>When the points were earned (the purchase or event time); expiry and tier windows count from here.</summary>
    public Instant EarnedAt { get; }

    /// <summary>When the points become spendable (later than <see cref="EarnedAt"/> while pending).</summary>
    public Instant AvailableAt { get; }

    /// <summary>When the points expire (exclusive), or null when they never do.</summary>
    public Instant? ExpiresAt => ExpiresAtOrMax == Instant.MaxValue ? null : ExpiresAtOrMax;

    /// <summary>The points of this lot used at once to pay off a negative balance.</summary>
    public long SettledDeficit { get; }

    internal Instant ExpiresAtOrMax { get; }

    /// <inheritdoc/>
    public override long Points => Credited;
}

/// <summary>An entry that takes points from lots.</summary>
public abstract class DebitEntry : LedgerEntry
{
    private protected DebitEntry(long sequence, Instant at, string? key, LotAllocation[] allocations)
        : base(sequence, at, key)
    {
        AllocationArray = allocations;
        var total = 0L;
        foreach (var allocation in allocations)
        {
            total += allocation.Points;
        }
        Allocated = total;
    }

    /// <summary>The lots the points were taken from.</summary>
    public IReadOnlyList<LotAllocation> Allocations => AllocationArray;

    /// <summary>The points taken from lots.</summary>
    public long Allocated { get; }

    internal LotAllocation[] AllocationArray { get; }

    /// <inheritdoc/>
    public override long Points => -Allocated;
}

/// <summary>Whether an earn came from a purchase or an event.</summary>
public enum EarnSource
{
    /// <summary>A purchase.</summary>
    Purchase = 0,

    /// <summary>An event (registration, birthday, referral, custom).</summary>
    Event = 1,
}

/// <summary>Points earned: a lot, with the rules that produced it and why.</summary>
/// <remarks>Not meant to be derived from outside this library (it has no public constructor).</remarks>
public class EarnEntry : CreditEntry
{
    internal EarnEntry(long sequence, Instant at, string key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt, long settledDeficit,
        EarnSource source, decimal purchaseAmount, EarnContribution[]? contributions)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, settledDeficit)
    {
        Source = source;
        PurchaseAmount = purchaseAmount;
        ContributionArray = contributions;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Earn;

    /// <summary>The source event id (the purchase's transaction id, or the event's key).</summary>
    public string SourceId => IdempotencyKey!;

    /// <summary>Purchase or event.</summary>
    public EarnSource Source { get; }

    /// <summary>For purchases: the purchase total the points were earned on (returns are pro rata to it); 0 for events.</summary>
    public decimal PurchaseAmount { get; }

    /// <summary>One contribution per rule that awarded points, in evaluation order (empty when no rule applied).</summary>
    public IReadOnlyList<EarnContribution> Contributions
    {
        get
        {
            if (ContributionArray is { } array)
            {
                return array;
            }
            var count = ContributionCount;
            // A packed entry (see PackedEarnEntry1): the public form is built on demand; the entry stays immutable.
            var contributions = new EarnContribution[count];
            for (var i = 0; i < count; i++)
            {
                contributions[i] = ContributionAt(i);
            }
            return contributions;
        }
    }

    /// <summary>
    /// The contributions in their public form, for entries that keep them so: events, purchases with many contributing
    /// rules, and entries read from documents written before purchase entries were packed. Null for packed entries.
    /// The name is part of the stored state document: keep it.
    /// </summary>
    internal EarnContribution[]? ContributionArray { get; }

    /// <summary>How many rules contributed.</summary>
    internal virtual int ContributionCount => ContributionArray?.Length ?? 0;

    /// <summary>The contribution at <paramref name="index"/> (less than <see cref="ContributionCount"/>).</summary>
    internal virtual EarnContribution ContributionAt(int index) => ContributionArray![index];

    /// <summary>The cap bookkeeping of the contribution at <paramref name="index"/>: its rule, cap window (null when uncapped) and points.</summary>
    internal virtual (string RuleId, long? CapWindow, long Points) CapAt(int index)
    {
        ref readonly var c = ref ContributionArray![index];
        return (c.RuleId, c.CapWindow, c.Points);
    }

    /// <summary>Why these points were awarded, one rule per line.</summary>
    public string Explain()
    {
        var count = ContributionCount;
        if (count == 0)
        {
            return "no rule applied";
        }
        var lines = new string[count];
        for (var i = 0; i < count; i++)
        {
            lines[i] = ContributionAt(i).Explain();
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Points spent on an order or a reward.</summary>
public sealed class RedeemEntry : DebitEntry
{
    internal RedeemEntry(long sequence, Instant at, string key, LotAllocation[] allocations, string? rewardId, Money? orderTotal)
        : base(sequence, at, key, allocations)
    {
        RewardId = rewardId;
        OrderTotal = orderTotal;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Redeem;

    /// <summary>The catalogue reward, or null when paying an order.</summary>
    public string? RewardId { get; }

    /// <summary>The order the points paid towards, when given.</summary>
    public Money? OrderTotal { get; }
}

/// <summary>Points that reached their expiry; never touches spent points.</summary>
public sealed class ExpireEntry : DebitEntry
{
    internal ExpireEntry(long sequence, Instant at, LotAllocation[] allocations)
        : base(sequence, at, null, allocations)
    {
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Expire;
}

/// <summary>Points taken back for a (partial) return, as awarded at the time of the purchase.</summary>
public sealed class ReverseEntry : DebitEntry
{
    internal ReverseEntry(long sequence, Instant at, string key, string purchaseKey, decimal refundAmount, LotAllocation[] allocations,
        long forgivenExpired, long shortfall, long deficitAdded)
        : base(sequence, at, key, allocations)
    {
        PurchaseKey = purchaseKey;
        RefundAmount = refundAmount;
        ForgivenExpired = forgivenExpired;
        Shortfall = shortfall;
        DeficitAdded = deficitAdded;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Reverse;

    /// <summary>The earn entry's key (the purchase's transaction id).</summary>
    public string PurchaseKey { get; }

    /// <summary>The money returned by this return.</summary>
    public decimal RefundAmount { get; }

    /// <summary>Points of the purchase that had already expired: gone already, so not taken again.</summary>
    public long ForgivenExpired { get; }

    /// <summary>Under <see cref="NegativeBalancePolicy.ClampAtZero"/>: points that were due but no longer there.</summary>
    public long Shortfall { get; }

    /// <summary>Under <see cref="NegativeBalancePolicy.AllowNegative"/>: points that made the balance go below zero.</summary>
    public long DeficitAdded { get; }

    /// <summary>All points this return accounts for: taken from lots, forgiven, short and owed.</summary>
    public long PointsReversed => Allocated + ForgivenExpired + Shortfall + DeficitAdded;

    /// <inheritdoc/>
    public override long Points => -(Allocated + DeficitAdded);
}

/// <summary>A manual credit, with reason and actor.</summary>
public sealed class AdjustmentCreditEntry : CreditEntry
{
    internal AdjustmentCreditEntry(long sequence, Instant at, string key, long credited, Instant expiresAt, long settledDeficit, string reason, string actor)
        : base(sequence, at, key, credited, at, at, expiresAt, settledDeficit)
    {
        Reason = reason;
        Actor = actor;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Adjust;

    /// <summary>Why.</summary>
    public string Reason { get; }

    /// <summary>Who (a staff or system id, not a name).</summary>
    public string Actor { get; }
}

/// <summary>A manual debit, with reason and actor.</summary>
public sealed class AdjustmentDebitEntry : DebitEntry
{
    internal AdjustmentDebitEntry(long sequence, Instant at, string key, LotAllocation[] allocations, string reason, string actor)
        : base(sequence, at, key, allocations)
    {
        Reason = reason;
        Actor = actor;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.Adjust;

    /// <summary>Why.</summary>
    public string Reason { get; }

    /// <summary>Who (a staff or system id, not a name).</summary>
    public string Actor { get; }
}

/// <summary>Points given to another member.</summary>
public sealed class TransferOutEntry : DebitEntry
{
    internal TransferOutEntry(long sequence, Instant at, string key, LotAllocation[] allocations, LoyaltyAccountId to, Instant earliestExpiry)
        : base(sequence, at, key, allocations)
    {
        To = to;
        EarliestExpiry = earliestExpiry;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.TransferOut;

    /// <summary>The receiving account.</summary>
    public LoyaltyAccountId To { get; }

    /// <summary>The earliest expiry among the lots given (the received lot keeps it, so a transfer never extends a point's life).</summary>
    public Instant EarliestExpiry { get; }
}

/// <summary>Points received from another member: a lot expiring no later than the points given.</summary>
public sealed class TransferInEntry : CreditEntry
{
    internal TransferInEntry(long sequence, Instant at, string key, long credited, Instant expiresAt, long settledDeficit, LoyaltyAccountId from)
        : base(sequence, at, key, credited, at, at, expiresAt, settledDeficit)
    {
        From = from;
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.TransferIn;

    /// <summary>The giving account.</summary>
    public LoyaltyAccountId From { get; }
}

/// <summary>A redemption undone: its points return to the lots they came from, keeping those lots' expiry.</summary>
public sealed class RedemptionCancelledEntry : LedgerEntry
{
    internal RedemptionCancelledEntry(long sequence, Instant at, string key, string redemptionKey, LotAllocation[] restored)
        : base(sequence, at, key)
    {
        RedemptionKey = redemptionKey;
        RestoredArray = restored;
        Restored = restored.Sum(a => a.Points);
    }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.RedemptionCancelled;

    /// <summary>The cancelled redemption's key.</summary>
    public string RedemptionKey { get; }

    /// <summary>The points returned, per lot.</summary>
    public IReadOnlyList<LotAllocation> RestoredAllocations => RestoredArray;

    /// <summary>The points returned.</summary>
    public long Restored { get; }

    internal LotAllocation[] RestoredArray { get; }

    /// <inheritdoc/>
    public override long Points => Restored;
}
