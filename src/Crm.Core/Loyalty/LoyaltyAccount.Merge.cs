using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Loyalty;

// Merging duplicate customers (Crm.Core.Duplicates.CustomerMergeService) moves the merged customer's points to the
// survivor. Kept apart from the ledger's hot paths: it only appends entries through LedgerState.Apply, like every
// other operation, so replay and storage need nothing new.
public sealed partial class LoyaltyAccount
{
    /// <summary>
    /// The survivor's account when the survivor had none in this programme: a copy of this account (ledger, lots, tier
    /// and its history) under <paramref name="survivorId"/>. Drain this account afterwards with <see cref="DrainInto"/>.
    /// </summary>
    internal LoyaltyAccount CopyFor(CustomerId survivorId) =>
        new(new LoyaltyAccountId(ProgrammeId, survivorId), OpenedAt, _tier, TenantId, _state.Clone(), _tierHistory)
        {
            _earnedTier = _earnedTier,
            _heldUntil = _heldUntil,
            _lastQualifiedAt = _lastQualifiedAt,
            TierOverride = TierOverride,
        };

    /// <summary>
    /// Takes over <paramref name="merged"/>'s points and keys: every lot with points left becomes a lot here with the
    /// same earned-at, availability and expiry, and every idempotency key of <paramref name="merged"/> not used here is
    /// recorded here too, so a repeated operation (an accrual of a moved purchase) answers "already applied" instead of
    /// counting twice. Then drains <paramref name="merged"/>. Balances are conserved: available plus pending here
    /// afterwards is the sum of both before.
    /// </summary>
    /// <exception cref="LoyaltyMergeRefusedException"><paramref name="merged"/> owes points (a deficit).</exception>
    internal void Absorb(LoyaltyAccount merged, Instant now)
    {
        Preconditions.CheckArgument(merged.ProgrammeId == ProgrammeId && merged.Id != Id, nameof(merged), "Only another account of the same programme can be absorbed.");
        CheckNoDeficit(merged);
        CheckFits(merged._state.Held, nameof(merged));
        var at = Stamp(merged.Stamp(now));
        var carried = new HashSet<long>();
        for (var i = 0; i < merged._state.SlotCount; i++)
        {
            if (!merged._state.IsLot(i))
            {
                continue;
            }
            var lot = merged._state.LotAt(i);
            if (lot.Remaining <= 0)
            {
                continue;
            }
            var source = merged._state.Entries[(int)lot.Sequence - 1];
            var key = FreeKey(source.IdempotencyKey);
            Writable().Apply(new MergedInEntry(_state.NextSequence, at, key, lot.Remaining, lot.EarnedAt, lot.AvailableAt, lot.ExpiresAt, merged.Id, source,
                merged.ReturnsSoFar(source)));
            if (key is not null)
            {
                carried.Add(source.Sequence);
            }
        }
        foreach (var entry in merged._state.Entries)
        {
            if (!carried.Contains(entry.Sequence) && FreeKey(entry.IdempotencyKey) is { } key)
            {
                Writable().Apply(new MergedKeyEntry(_state.NextSequence, at, key, merged.Id, entry, merged.ReturnsSoFar(entry)));
            }
        }
        merged.DrainInto(Id, at);
    }

    /// <summary>Records that every point left here moved to <paramref name="survivor"/> (after a copy or an absorption).</summary>
    /// <exception cref="LoyaltyMergeRefusedException">This account owes points (a deficit).</exception>
    internal void DrainInto(LoyaltyAccountId survivor, Instant now)
    {
        CheckNoDeficit(this);
        var allocations = new List<LotAllocation>();
        for (var i = 0; i < _state.SlotCount; i++)
        {
            if (!_state.IsLot(i))
            {
                continue;
            }
            var lot = _state.LotAt(i);
            if (lot.Remaining > 0)
            {
                allocations.Add(new LotAllocation(lot.Sequence, lot.Remaining));
            }
        }
        // Recorded even with no points left: the entry marks the account as merged away (see CheckNotMergedAway).
        Writable().Apply(new MergedOutEntry(_state.NextSequence, Stamp(now), allocations.ToArray(), survivor));
    }

    /// <summary>The entry a key taken over in a merge stands for (following merges of merges), or the entry itself.</summary>
    private static LedgerEntry OriginalOf(LedgerEntry entry)
    {
        while (true)
        {
            switch (entry)
            {
                case MergedInEntry { IdempotencyKey: not null } lot:
                    entry = lot.Source;
                    break;
                case MergedKeyEntry key:
                    entry = key.Source;
                    break;
                default:
                    return entry;
            }
        }
    }

    /// <summary>
    /// What returns have taken back of the purchase award <paramref name="entry"/> stands for, to travel with its lot or
    /// key into the survivor's ledger; null when <paramref name="entry"/> is not a purchase award.
    /// </summary>
    private CarriedReturns? ReturnsSoFar(LedgerEntry entry) =>
        AwardOf(entry) is { } award ? new CarriedReturns(award.Reversed, award.Refunded, award.ExpiredUnforgiven) : null;

    /// <summary>
    /// The purchase award <paramref name="found"/> (an entry of this ledger) stands for, as returns see it: the purchase's
    /// own earn lot, or a lot or key taken over in a merge from one, whose returns booked before the merge travelled
    /// with it. Null for any other entry, and for merged entries stored before returns travelled with them.
    /// </summary>
    private PurchaseAward? AwardOf(LedgerEntry found)
    {
        switch (found)
        {
            case EarnEntry { Source: EarnSource.Purchase } earn:
            {
                var index = _state.IndexOfLot(earn.Sequence);
                var lot = _state.LotAt(index);
                return new(index, earn.Credited, earn.PurchaseAmount, lot.Reversed, lot.Refunded, lot.Remaining, lot.Expired - lot.ExpiredForgiven);
            }
            case MergedInEntry { Carried: { } before } merged when OriginalOf(merged) is EarnEntry { Source: EarnSource.Purchase } earn:
            {
                // The lot holds what was left of the award at the merge; its own counters are the returns since.
                var index = _state.IndexOfLot(merged.Sequence);
                var lot = _state.LotAt(index);
                return new(index, earn.Credited, earn.PurchaseAmount, before.Reversed + lot.Reversed, Saturating.Add(before.Refunded, lot.Refunded), lot.Remaining,
                    before.ExpiredUnforgiven + lot.Expired - lot.ExpiredForgiven);
            }
            case MergedKeyEntry { Carried: { } before } merged when OriginalOf(merged) is EarnEntry { Source: EarnSource.Purchase } earn:
            {
                // Nothing was left of the award at the merge: later returns take from other lots (or the policy decides).
                var since = _state.ReturnsOf(merged.Sequence);
                return new(-1, earn.Credited, earn.PurchaseAmount, before.Reversed + since.Reversed, Saturating.Add(before.Refunded, since.Refunded), 0,
                    before.ExpiredUnforgiven - since.ExpiredForgiven);
            }
            default:
                return null;
        }
    }

    /// <summary>A purchase's award as a return sees it (see <see cref="AwardOf"/>).</summary>
    /// <param name="LotIndex">The slot of the lot holding what is left of it, or -1 when no lot here does.</param>
    /// <param name="Original">The points the purchase earned.</param>
    /// <param name="PurchaseAmount">The purchase's total.</param>
    /// <param name="Reversed">The points returns took back so far.</param>
    /// <param name="Refunded">The amount refunded so far.</param>
    /// <param name="Remaining">The points of the award still in its lot.</param>
    /// <param name="ExpiredUnforgiven">The award's expired points that no return has accounted for yet.</param>
    private readonly record struct PurchaseAward(int LotIndex, long Original, decimal PurchaseAmount, long Reversed, decimal Refunded, long Remaining, long ExpiredUnforgiven);

    private string? FreeKey(string? key) => key is not null && !_state.TryGetByKey(key, out _) ? key : null;

    private static void CheckNoDeficit(LoyaltyAccount account)
    {
        if (account._state.Deficit > 0)
        {
            throw new LoyaltyMergeRefusedException(account.Id, account._state.Deficit);
        }
    }
}

/// <summary>
/// Points taken over from the account of a customer merged into this one: a lot that keeps the earned-at, availability
/// and expiry of the lot it came from.
/// </summary>
public sealed class MergedInEntry : CreditEntry
{
    internal MergedInEntry(long sequence, Instant at, string? key, long credited, Instant earnedAt, Instant availableAt, Instant expiresAt,
        LoyaltyAccountId from, LedgerEntry source, CarriedReturns? carried)
        : base(sequence, at, key, credited, earnedAt, availableAt, expiresAt, 0)
    {
        From = from;
        Source = source;
        Carried = carried;
    }

    /// <summary>When <see cref="Source"/> is a purchase award: what returns had taken back of it before the merge.</summary>
    internal CarriedReturns? Carried { get; }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.MergedIn;

    /// <summary>The merged customer's account.</summary>
    public LoyaltyAccountId From { get; }

    /// <summary>The entry of <see cref="From"/> that created the lot; its idempotency key, when not used here, is this entry's key.</summary>
    public LedgerEntry Source { get; }
}

/// <summary>
/// The idempotency key of an entry of a merged customer's account, recorded here so that repeating that operation on
/// the survivor answers "already applied". Changes no balance.
/// </summary>
public sealed class MergedKeyEntry : LedgerEntry
{
    internal MergedKeyEntry(long sequence, Instant at, string key, LoyaltyAccountId from, LedgerEntry source, CarriedReturns? carried)
        : base(sequence, at, key)
    {
        From = from;
        Source = source;
        Carried = carried;
    }

    /// <summary>When <see cref="Source"/> is a purchase award: what returns had taken back of it before the merge.</summary>
    internal CarriedReturns? Carried { get; }

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.MergedIn;

    /// <inheritdoc/>
    public override long Points => 0;

    /// <summary>The merged customer's account.</summary>
    public LoyaltyAccountId From { get; }

    /// <summary>The entry of <see cref="From"/> whose key this is.</summary>
    public LedgerEntry Source { get; }
}

/// <summary>
/// What returns had taken back of a purchase award when a merge moved it to another ledger, so that returns arriving
/// after the merge still take back no more than the purchase earned. Null on entries stored before merges carried it
/// (a return of such an award is refused with <see cref="LedgerEntryNotFoundException"/>, as it was then).
/// </summary>
/// <param name="Reversed">Points taken back.</param>
/// <param name="Refunded">The amount refunded.</param>
/// <param name="ExpiredUnforgiven">Expired points of the award no return had accounted for.</param>
internal sealed record CarriedReturns(long Reversed, decimal Refunded, long ExpiredUnforgiven);

/// <summary>Every point left in an account, moved to the account of the customer it was merged into.</summary>
public sealed class MergedOutEntry : DebitEntry
{
    internal MergedOutEntry(long sequence, Instant at, LotAllocation[] allocations, LoyaltyAccountId to)
        : base(sequence, at, null, allocations) => To = to;

    /// <inheritdoc/>
    public override LedgerEntryKind Kind => LedgerEntryKind.MergedOut;

    /// <summary>The survivor's account.</summary>
    public LoyaltyAccountId To { get; }
}

/// <summary>
/// Thrown when an operation would change the points of a customer merged into another: the points and the ledger's
/// history moved to the survivor's account. Record it there (<see cref="Duplicates.CustomerMergeService.ResolveAsync"/>
/// finds the survivor; <see cref="Purchases.PurchaseRecorder"/> follows merges by itself). Nothing was changed.
/// </summary>
public sealed class LoyaltyAccountMergedException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="accountId">The merged customer's account.</param>
    /// <param name="survivorAccountId">The survivor's account, which holds the points now.</param>
    public LoyaltyAccountMergedException(LoyaltyAccountId accountId, LoyaltyAccountId survivorAccountId)
        : base($"Loyalty account '{accountId}' was merged into '{survivorAccountId}': its points and history are there now. Record the operation on the survivor's account (CustomerMergeService.ResolveAsync finds it; PurchaseRecorder follows merges).")
    {
        AccountId = accountId;
        SurvivorAccountId = survivorAccountId;
    }

    /// <summary>The merged customer's account.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>The survivor's account.</summary>
    public LoyaltyAccountId SurvivorAccountId { get; }
}

/// <summary>Thrown when a merge would move a loyalty account that owes points; settle the deficit first.</summary>
public sealed class LoyaltyMergeRefusedException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="accountId">The account that owes points.</param>
    /// <param name="deficit">The points owed.</param>
    public LoyaltyMergeRefusedException(LoyaltyAccountId accountId, long deficit)
        : base($"Loyalty account '{accountId}' owes {deficit} points, which a merge cannot move without changing a balance. Settle the deficit first (a positive Adjust pays it off), then merge.")
    {
        AccountId = accountId;
        Deficit = deficit;
    }

    /// <summary>The account that owes points.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>The points owed.</summary>
    public long Deficit { get; }
}
