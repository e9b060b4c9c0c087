using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// A member's points and tier in one programme: an append-only ledger of entries from which every balance is derived.
/// </summary>
/// <remarks>
/// <para>
/// Every operation is validated completely before anything is recorded, so a refused operation changes nothing.
/// Operations that carry an idempotency key (accruals, events, redemptions, returns, adjustments, transfers,
/// cancellations) are recorded once: repeating the key returns the original entry with
/// <see cref="LedgerResult{TEntry}.AlreadyApplied"/> set. Keys share one namespace per account; a key reused for a
/// different kind of operation throws <see cref="IdempotencyKeyConflictException"/>.
/// </para>
/// <para>
/// Ledger time never goes backwards: an entry is stamped with the instant passed in, or with the previous entry's
/// instant if that is later. Points earn, expire and count for tiers by the purchase or event time instead.
/// </para>
/// <para>Not thread-safe: load one copy per unit of work; the store's version check catches concurrent changes.</para>
/// </remarks>
public sealed partial class LoyaltyAccount : AggregateRoot<LoyaltyAccountId>, IRestoredFromDocument
{
    private LedgerState _state;
    // True while _state may be shared with a copy of this account (stores copy on every load and save): the first
    // change then takes a private clone (see Writable), so a copy that is only read, or saved unchanged, costs no state.
    private bool _stateShared;
    // Replaced (never changed) when a tier changes, so copies of the account share it.
    private TierChange[] _tierHistory;
    private int _earnedTier;
    private string _tier;
    private Instant _heldUntil;
    private Instant _lastQualifiedAt;

    private LoyaltyAccount(LoyaltyAccountId id, Instant openedAt, string tier, TenantId? tenantId, LedgerState state, TierChange[] tierHistory)
        : base(id, tenantId)
    {
        OpenedAt = openedAt;
        _state = state;
        _tierHistory = tierHistory;
        _tier = tier;
        _heldUntil = openedAt;
        _lastQualifiedAt = openedAt;
    }

    /// <summary>Opens an empty account in the programme's lowest tier.</summary>
    /// <param name="id">The account id (programme and customer).</param>
    /// <param name="programme">The programme; must be the one the id names.</param>
    /// <param name="openedAt">When the member joined.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <exception cref="ArgumentException">The id is default or names another programme.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="programme"/> is null.</exception>
    public static LoyaltyAccount Open(LoyaltyAccountId id, LoyaltyProgramme programme, Instant openedAt, TenantId? tenantId = null)
    {
        Preconditions.CheckNotNull(programme);
        Preconditions.CheckArgument(id.ProgrammeId == programme.Id, nameof(id), $"The account belongs to programme '{id.ProgrammeId}' but programme '{programme.Id}' was given.");
        return new LoyaltyAccount(id, openedAt, programme.Tiers.Tiers[0].Code, tenantId, new LedgerState(), []);
    }

    /// <summary>The programme.</summary>
    public ProgrammeId ProgrammeId => Id.ProgrammeId;

    /// <summary>The member.</summary>
    public CustomerId CustomerId => Id.CustomerId;

    /// <summary>When the member joined.</summary>
    public Instant OpenedAt { get; }

    /// <summary>The ledger, oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Entries => _state.Entries;

    /// <summary>The member's effective tier as of the last operation (an override, while it lasts, or the earned tier).</summary>
    public string Tier => _tier;

    /// <summary>The tier earned by the metric, ignoring any override.</summary>
    public string EarnedTier(LoyaltyProgramme programme) => Checked(programme).Tiers.Tiers[_earnedTier].Code;

    /// <summary>The manual override, or null.</summary>
    public TierOverride? TierOverride { get; private set; }

    /// <summary>Every change of the effective tier, oldest first, with reason and evidence.</summary>
    public IReadOnlyList<TierChange> TierHistory => _tierHistory;

    /// <summary>Points owed after returns of spent points; later credits pay it off first.</summary>
    public long Deficit => _state.Deficit;

    /// <summary>The lots as they stand, oldest first.</summary>
    public IReadOnlyList<PointsLot> Lots
    {
        get
        {
            var lots = new List<PointsLot>();
            for (var i = 0; i < _state.SlotCount; i++)
            {
                if (!_state.IsLot(i))
                {
                    continue;
                }
                var lot = _state.LotAt(i);
                lots.Add(new PointsLot(lot.Sequence, lot.EarnedAt, lot.AvailableAt, lot.ExpiresAt == Instant.MaxValue ? null : lot.ExpiresAt,
                    lot.Original, lot.Remaining, lot.Expired, lot.Reversed));
            }
            return lots;
        }
    }

    /// <summary>The entry recorded with <paramref name="key"/>, if any.</summary>
    public bool TryGetEntry(string key, out LedgerEntry entry)
    {
        Preconditions.CheckNotNull(key);
        return _state.TryGetByKey(key, out entry);
    }

    /// <summary>The entry <paramref name="key"/> stands for, following keys taken over in merges to the entry they came from (as repeats are answered).</summary>
    internal bool TryGetOriginalEntry(string key, out LedgerEntry entry)
    {
        if (!_state.TryGetByKey(key, out entry))
        {
            return false;
        }
        entry = OriginalOf(entry);
        return true;
    }

    /// <summary>
    /// The balances at <paramref name="at"/>: computed from the live state when <paramref name="at"/> is at or after the
    /// last entry, otherwise by replaying the entries recorded up to <paramref name="at"/>.
    /// </summary>
    public LoyaltyBalance BalanceAt(Instant at) =>
        at >= _state.LastAt ? _state.BalanceAt(at) : LedgerState.Replay(_state.Entries, at).BalanceAt(at);

    /// <summary>Points (per lot) that expire after <paramref name="asOf"/> and no later than <paramref name="asOf"/> + <paramref name="within"/>, soonest first — for reminders.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="within"/> is negative.</exception>
    public IReadOnlyList<ExpiringPoints> ExpiringWithin(Instant asOf, Duration within)
    {
        Preconditions.CheckInRange(within >= Duration.Zero, nameof(within), within, "The reminder window must not be negative.");
        var until = TimeEdges.Plus(asOf, within); // Duration.MaxValue asks for everything that expires at all
        var result = new List<ExpiringPoints>();
        for (var i = 0; i < _state.SlotCount; i++)
        {
            if (!_state.IsLot(i))
            {
                continue;
            }
            var lot = _state.LotAt(i);
            if (lot.Remaining > 0 && lot.ExpiresAt > asOf && lot.ExpiresAt <= until)
            {
                result.Add(new ExpiringPoints(lot.Sequence, lot.Remaining, lot.ExpiresAt));
            }
        }
        result.Sort((a, b) => a.ExpiresAt != b.ExpiresAt ? a.ExpiresAt.CompareTo(b.ExpiresAt) : a.Lot.CompareTo(b.Lot));
        return result;
    }

    /// <summary>
    /// Awards the points a purchase earns under the programme's rules, as one earn entry (a lot) recording every rule
    /// that contributed. Idempotent by the purchase's transaction id. A purchase that earns nothing is still recorded
    /// (it counts for tiers and explains why nothing was awarded). May upgrade the tier.
    /// </summary>
    /// <param name="programme">The programme.</param>
    /// <param name="purchase">The purchase (not a refund), in the programme currency, of this member.</param>
    /// <param name="now">The current instant (from the host's clock).</param>
    /// <param name="context">Segments for rule conditions; null for none.</param>
    /// <exception cref="ArgumentException">The purchase is a refund, belongs to another customer, or the programme is not this account's.</exception>
    /// <exception cref="CurrencyMismatchException">The purchase is not in the programme currency.</exception>
    /// <exception cref="IdempotencyKeyConflictException">The transaction id was used as the key of another kind of operation.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The purchase would earn more points, or add more spend, than the ledger can count.</exception>
    public LedgerResult<EarnEntry> Accrue(LoyaltyProgramme programme, Purchase purchase, Instant now, EarningContext? context = null)
    {
        Checked(programme);
        Preconditions.CheckNotNull(purchase);
        Preconditions.CheckArgument(!purchase.IsRefund, nameof(purchase), "A refund takes points back: pass it to Reverse, not Accrue.");
        Preconditions.CheckArgument(purchase.CustomerId == CustomerId, nameof(purchase), "The purchase belongs to another customer than this account's member.");
        if (purchase.Total.Currency != programme.Currency)
        {
            throw new CurrencyMismatchException(programme.Currency, purchase.Total.Currency);
        }
        var key = purchase.TransactionId.Value;
        if (Existing<EarnEntry>(key, LedgerEntryKind.Earn) is { } existing)
        {
            return new(existing, true);
        }
        CheckNotMergedAway();
        var at = Stamp(now);
        EarnEntry entry;
        try
        {
            // Nothing changes until the entry exists: an override that ran out ends only once the earning is sure.
            var contributions = programme.Engine.EvaluatePurchase(purchase, TierAt(programme, at), context, !_state.HasPurchase, _state, out var total);
            var earnedAt = purchase.OccurredAt;
            entry = PackedEarnEntry1.Create(_state.NextSequence, at, key, total, earnedAt, TimeEdges.Plus(earnedAt, programme.PendingPeriod),
                programme.ExpiresAt(earnedAt), Math.Min(_state.Deficit, total), purchase.Total.Amount, contributions);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(purchase), $"The purchase of {purchase.Total} would earn more points than a ledger can count (a long). Check the amount and the rules' rates.");
        }
        return Book(programme, entry, at, nameof(purchase), purchase.Total.Amount);
    }

    /// <summary>Awards the points event rules give for <paramref name="loyaltyEvent"/>. Idempotent by the event's key.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The programme is not this account's.</exception>
    /// <exception cref="IdempotencyKeyConflictException">The key was used for another kind of operation.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The event would award more points than the ledger can count.</exception>
    public LedgerResult<EarnEntry> AwardEvent(LoyaltyProgramme programme, LoyaltyEvent loyaltyEvent, Instant now, EarningContext? context = null)
    {
        Checked(programme);
        Preconditions.CheckNotNull(loyaltyEvent);
        if (Existing<EarnEntry>(loyaltyEvent.Key, LedgerEntryKind.Earn) is { } existing)
        {
            return new(existing, true);
        }
        CheckNotMergedAway();
        var at = Stamp(now);
        EarnEntry entry;
        try
        {
            var contributions = programme.Engine.EvaluateEvent(loyaltyEvent, TierAt(programme, at), context, _state, out var total);
            var earnedAt = loyaltyEvent.OccurredAt;
            entry = new EarnEntry(_state.NextSequence, at, loyaltyEvent.Key, total, earnedAt, earnedAt,
                programme.ExpiresAt(earnedAt), Math.Min(_state.Deficit, total), EarnSource.Event, 0m, contributions);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(loyaltyEvent), "The event rules would award more points than a ledger can count (a long). Check the rules' points.");
        }
        return Book(programme, entry, at, nameof(loyaltyEvent), 0m);
    }

    /// <summary>
    /// Records an earning built without changing anything: refused if it would not fit, then an override that ran out
    /// ends (the rules already saw the earned tier, see <see cref="TierAt"/>), the lot is added and the tier may rise.
    /// </summary>
    private LedgerResult<EarnEntry> Book(LoyaltyProgramme programme, EarnEntry entry, Instant at, string paramName, decimal purchaseAmount)
    {
        CheckFits(entry.Credited, paramName, earned: true, purchaseAmount);
        SyncOverride(programme, at);
        Writable().Apply(entry);
        CheckUpgrade(programme, at);
        return new(entry, false);
    }

    /// <summary>
    /// Spends points towards an order. The points are taken from available lots in the programme's spending order.
    /// </summary>
    /// <param name="programme">The programme.</param>
    /// <param name="points">The points to spend (positive).</param>
    /// <param name="key">The idempotency key, e.g. <c>redeem:ORDER-7</c>.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="orderTotal">The order the points pay towards; when given, the programme's maximum order share applies.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> is not positive.</exception>
    /// <exception cref="InsufficientPointsException">Fewer points are available.</exception>
    /// <exception cref="RedemptionRefusedException">The minimum balance or maximum order share forbids it.</exception>
    public LedgerResult<RedeemEntry> Redeem(LoyaltyProgramme programme, long points, string key, Instant now, Money? orderTotal = null)
    {
        Checked(programme);
        Preconditions.CheckPositive(points);
        ValidateKey(key);
        if (Existing<RedeemEntry>(key, LedgerEntryKind.Redeem) is { } existing)
        {
            return new(existing, true);
        }
        if (orderTotal is { } order)
        {
            var policy = programme.Redemption;
            Preconditions.CheckArgument(order.Currency == programme.Currency && order.Amount > 0m, nameof(orderTotal), "The order total must be positive and in the programme currency.");
            var value = points * policy.PointValue.Amount;
            if (value > order.Amount * policy.MaximumOrderShare)
            {
                throw new RedemptionRefusedException(Id, RedemptionRefusal.ExceedsMaximumOrderShare,
                    $"{points} points are worth {value} but at most {policy.MaximumOrderShare:P0} of the order ({order.Amount * policy.MaximumOrderShare}) may be paid with points. Redeem fewer points.");
            }
        }
        return new(RedeemCore(programme, points, key, now, null, orderTotal), false);
    }

    /// <summary>Redeems a catalogue reward at its cost, respecting its per-member limit.</summary>
    /// <exception cref="RedemptionRefusedException">The reward is unknown, its limit is reached, or the minimum balance forbids it.</exception>
    /// <exception cref="InsufficientPointsException">Fewer points are available than the reward costs.</exception>
    public LedgerResult<RedeemEntry> RedeemReward(LoyaltyProgramme programme, string rewardId, string key, Instant now)
    {
        Checked(programme);
        Preconditions.CheckNotNull(rewardId);
        ValidateKey(key);
        if (Existing<RedeemEntry>(key, LedgerEntryKind.Redeem) is { } existing)
        {
            return new(existing, true);
        }
        var reward = programme.Redemption.FindReward(rewardId)
            ?? throw new RedemptionRefusedException(Id, RedemptionRefusal.UnknownReward, "The reward is not in the programme's catalogue; check its id.");
        if (reward.PerMemberLimit is { } limit && _state.RewardCount(reward.Id) >= limit)
        {
            throw new RedemptionRefusedException(Id, RedemptionRefusal.RewardLimitReached,
                $"Reward '{reward.Id}' may be redeemed {limit} time(s) per member and that many redemptions are already recorded.");
        }
        return new(RedeemCore(programme, reward.Cost, key, now, reward.Id, null), false);
    }

    private RedeemEntry RedeemCore(LoyaltyProgramme programme, long points, string key, Instant now, string? rewardId, Money? orderTotal)
    {
        CheckNotMergedAway();
        var at = Stamp(now);
        var available = _state.AvailableAt(at);
        if (available < programme.Redemption.MinimumBalance)
        {
            throw new RedemptionRefusedException(Id, RedemptionRefusal.BelowMinimumBalance,
                $"The member has {available} available points and the programme requires {programme.Redemption.MinimumBalance} before redeeming.");
        }
        if (points > available)
        {
            throw new InsufficientPointsException(Id, points, available);
        }
        var entry = new RedeemEntry(_state.NextSequence, at, key, _state.Allocate(points, at, programme.SpendingOrder), rewardId, orderTotal);
        Writable().Apply(entry);
        return entry;
    }

    /// <summary>Cancels a redemption: its points go back to the lots they came from, which keep their original expiry (so points whose lot expired meanwhile expire at the next <see cref="ExpireDue"/>).</summary>
    /// <param name="programme">The programme.</param>
    /// <param name="redemptionKey">The key the redemption was recorded with.</param>
    /// <param name="key">This cancellation's idempotency key.</param>
    /// <param name="now">The current instant.</param>
    /// <exception cref="LedgerEntryNotFoundException">No redemption has <paramref name="redemptionKey"/>.</exception>
    /// <exception cref="RedemptionRefusedException">The redemption was already cancelled (under another key).</exception>
    public LedgerResult<RedemptionCancelledEntry> CancelRedemption(LoyaltyProgramme programme, string redemptionKey, string key, Instant now)
    {
        Checked(programme);
        Preconditions.CheckNotNull(redemptionKey);
        ValidateKey(key);
        if (Existing<RedemptionCancelledEntry>(key, LedgerEntryKind.RedemptionCancelled) is { } existing)
        {
            return new(existing, true);
        }
        CheckNotMergedAway();
        if (!_state.TryGetByKey(redemptionKey, out var found) || found is not RedeemEntry redemption)
        {
            throw new LedgerEntryNotFoundException(Id, redemptionKey, LedgerEntryKind.Redeem);
        }
        if (_state.IsCancelled(redemption.Sequence))
        {
            throw new RedemptionRefusedException(Id, RedemptionRefusal.AlreadyCancelled, "This redemption was already cancelled; its points are back.");
        }
        var entry = new RedemptionCancelledEntry(_state.NextSequence, Stamp(now), key, redemptionKey, redemption.AllocationArray);
        Writable().Apply(entry);
        return new(entry, false);
    }

    /// <summary>Records every lot that has reached its expiry by <paramref name="asOf"/> as expired. Idempotent: a second call finds nothing due and returns null.</summary>
    /// <returns>The expire entry, or null when nothing was due.</returns>
    public ExpireEntry? ExpireDue(LoyaltyProgramme programme, Instant asOf)
    {
        Checked(programme);
        var allocations = new List<LotAllocation>();
        for (var i = 0; i < _state.SlotCount; i++)
        {
            if (!_state.IsLot(i))
            {
                continue;
            }
            var lot = _state.LotAt(i);
            if (lot.Remaining > 0 && lot.ExpiresAt <= asOf)
            {
                allocations.Add(new LotAllocation(lot.Sequence, lot.Remaining));
            }
        }
        if (allocations.Count == 0)
        {
            return null;
        }
        var entry = new ExpireEntry(_state.NextSequence, Stamp(asOf), allocations.ToArray());
        Writable().Apply(entry);
        return entry;
    }

    /// <summary>
    /// Takes back the points a purchase earned, pro rata to the money returned: after all returns of the purchase,
    /// floor(awarded × returned ÷ purchase total) points have been taken back in total — never more than awarded, and
    /// computed from what was awarded then, not from today's rules. Points still in the purchase's lot are taken first;
    /// points of it that already expired are not taken again; the rest comes from other available points, and what is
    /// still missing is handled by the programme's <see cref="NegativeBalancePolicy"/>. A purchase earned by a customer
    /// merged into this member (<see cref="Duplicates.CustomerMergeService"/>) is found by its transaction id too: the
    /// returns booked before the merge moved with its points, so all its returns together still take back no more
    /// than it earned.
    /// </summary>
    /// <param name="programme">The programme.</param>
    /// <param name="purchaseKey">The purchase's transaction id (the key its earn entry was recorded with).</param>
    /// <param name="refundAmount">The money returned by this return (positive).</param>
    /// <param name="key">This return's idempotency key (e.g. the refund's transaction id).</param>
    /// <param name="now">The current instant.</param>
    /// <exception cref="LedgerEntryNotFoundException">No purchase earned points under <paramref name="purchaseKey"/> in this ledger or in one merged into it (merges stored by versions before returns travelled with the points are not followed).</exception>
    /// <exception cref="ReversalBlockedException">The policy is <see cref="NegativeBalancePolicy.Block"/> and the points were spent.</exception>
    public LedgerResult<ReverseEntry> Reverse(LoyaltyProgramme programme, string purchaseKey, decimal refundAmount, string key, Instant now)
    {
        Checked(programme);
        Preconditions.CheckNotNull(purchaseKey);
        Preconditions.CheckPositive(refundAmount);
        ValidateKey(key);
        if (Existing<ReverseEntry>(key, LedgerEntryKind.Reverse) is { } existing)
        {
            return new(existing, true);
        }
        CheckNotMergedAway();
        if (!_state.TryGetByKey(purchaseKey, out var found) || AwardOf(found) is not { } award)
        {
            throw new LedgerEntryNotFoundException(Id, purchaseKey, LedgerEntryKind.Earn);
        }
        var at = Stamp(now);
        // Compared before adding, so that refunds near decimal's range cannot overflow: beyond the total counts as the total.
        var refunded = refundAmount >= award.PurchaseAmount - award.Refunded ? award.PurchaseAmount : award.Refunded + refundAmount;
        var target = award.PurchaseAmount <= 0m ? award.Original : ProRata(award.Original, refunded, award.PurchaseAmount);
        var toReverse = Math.Max(0, target - award.Reversed);

        var allocations = new List<LotAllocation>();
        var fromLot = Math.Min(toReverse, award.Remaining);
        if (fromLot > 0)
        {
            allocations.Add(new LotAllocation(found.Sequence, fromLot));
        }
        var rest = toReverse - fromLot;
        var forgiven = Math.Min(rest, award.ExpiredUnforgiven);
        rest -= forgiven;
        if (rest > 0)
        {
            var others = _state.Allocate(rest, at, programme.SpendingOrder, award.LotIndex);
            foreach (var allocation in others)
            {
                allocations.Add(allocation);
                rest -= allocation.Points;
            }
        }
        long shortfall = 0, deficit = 0;
        if (rest > 0)
        {
            switch (programme.NegativeBalancePolicy)
            {
                case NegativeBalancePolicy.Block:
                    throw new ReversalBlockedException(Id, toReverse, rest);
                case NegativeBalancePolicy.ClampAtZero:
                    shortfall = rest;
                    break;
                default:
                    deficit = rest;
                    break;
            }
        }
        var entry = new ReverseEntry(_state.NextSequence, at, key, purchaseKey, refundAmount, allocations.ToArray(), forgiven, shortfall, deficit);
        Writable().Apply(entry);
        return new(entry, false);
    }

    /// <summary>Takes back the points of the purchase a refund refers to, pro rata; the refund's transaction id is the key.</summary>
    /// <exception cref="ArgumentException">The purchase is not a refund of an earlier transaction or belongs to another customer.</exception>
    /// <inheritdoc cref="Reverse(LoyaltyProgramme, string, decimal, string, Instant)"/>
    public LedgerResult<ReverseEntry> Reverse(LoyaltyProgramme programme, Purchase refund, Instant now)
    {
        Preconditions.CheckNotNull(refund);
        Preconditions.CheckArgument(refund.IsRefund && refund.OriginalTransactionId is not null, nameof(refund), "Pass a refund created with Purchase.CreateRefund.");
        Preconditions.CheckArgument(refund.CustomerId == CustomerId, nameof(refund), "The refund belongs to another customer than this account's member.");
        return Reverse(programme, refund.OriginalTransactionId.Value.Value, -refund.Total.Amount, refund.TransactionId.Value, now);
    }

    /// <summary>A manual correction. Positive points create a lot (with the programme's expiry from now); negative points are taken in spending order and may not exceed the available balance.</summary>
    /// <param name="programme">The programme.</param>
    /// <param name="points">The points to add (positive) or remove (negative); not zero.</param>
    /// <param name="reason">Why (a short reason, no personal data).</param>
    /// <param name="actor">Who (a staff or system id).</param>
    /// <param name="key">The idempotency key.</param>
    /// <param name="now">The current instant.</param>
    /// <exception cref="ArgumentException">Points are zero or <see cref="long.MinValue"/>, or the reason/actor is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A credit would take the account beyond the points it can count.</exception>
    /// <exception cref="InsufficientPointsException">A debit exceeds the available balance.</exception>
    public LedgerResult<LedgerEntry> Adjust(LoyaltyProgramme programme, long points, string reason, string actor, string key, Instant now)
    {
        Checked(programme);
        Preconditions.CheckArgument(points != 0, nameof(points), "An adjustment must add or remove at least one point.");
        Preconditions.CheckArgument(points != long.MinValue, nameof(points), "An adjustment removes at most long.MaxValue points.");
        Preconditions.CheckNotBlank(reason);
        Preconditions.CheckNotBlank(actor);
        ValidateKey(key);
        if (Existing<LedgerEntry>(key, LedgerEntryKind.Adjust) is { } existing)
        {
            return new(existing, true);
        }
        CheckNotMergedAway();
        var at = Stamp(now);
        LedgerEntry entry;
        if (points > 0)
        {
            CheckFits(points, nameof(points));
            entry = new AdjustmentCreditEntry(_state.NextSequence, at, key, points, programme.ExpiresAt(at), Math.Min(_state.Deficit, points), reason, actor);
        }
        else
        {
            var available = _state.AvailableAt(at);
            if (-points > available)
            {
                throw new InsufficientPointsException(Id, -points, available);
            }
            entry = new AdjustmentDebitEntry(_state.NextSequence, at, key, _state.Allocate(-points, at, programme.SpendingOrder), reason, actor);
        }
        Writable().Apply(entry);
        return new(entry, false);
    }

    /// <summary>
    /// Moves points from one member to another in the same programme. The received lot expires no later than the
    /// earliest of the lots given, so a transfer never extends a point's life. Both accounts record the key; save both
    /// in one unit of work.
    /// </summary>
    /// <exception cref="ArgumentException">The accounts are the same or in different programmes.</exception>
    /// <exception cref="InsufficientPointsException">The giver has fewer available points.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The receiver would hold more points than it can count.</exception>
    public static (LedgerResult<TransferOutEntry> Out, LedgerResult<TransferInEntry> In) Transfer(LoyaltyProgramme programme, LoyaltyAccount from, LoyaltyAccount to, long points, string key, Instant now)
    {
        Preconditions.CheckNotNull(from);
        Preconditions.CheckNotNull(to);
        from.Checked(programme);
        to.Checked(programme);
        Preconditions.CheckArgument(from.Id != to.Id, nameof(to), "A member cannot transfer points to themselves.");
        Preconditions.CheckPositive(points);
        ValidateKey(key);
        var outExisting = from.Existing<TransferOutEntry>(key, LedgerEntryKind.TransferOut);
        var inExisting = to.Existing<TransferInEntry>(key, LedgerEntryKind.TransferIn);
        if (outExisting is not null && inExisting is not null)
        {
            return (new(outExisting, true), new(inExisting, true));
        }
        Preconditions.CheckArgument(outExisting is null && inExisting is null, nameof(key),
            "Only one side of this transfer is recorded: the two accounts were saved separately. Save both in one unit of work.");
        from.CheckNotMergedAway();
        to.CheckNotMergedAway();
        var at = Max(from._state.LastAt, to._state.LastAt, now);
        var available = from._state.AvailableAt(at);
        if (points > available)
        {
            throw new InsufficientPointsException(from.Id, points, available);
        }
        to.CheckFits(points, nameof(points));
        var allocations = from._state.Allocate(points, at, programme.SpendingOrder);
        var earliest = Instant.MaxValue;
        foreach (var allocation in allocations)
        {
            var expires = from._state.LotAt(from._state.IndexOfLot(allocation.Lot)).ExpiresAt;
            earliest = expires < earliest ? expires : earliest;
        }
        var outEntry = new TransferOutEntry(from._state.NextSequence, at, key, allocations, to.Id, earliest);
        var inEntry = new TransferInEntry(to._state.NextSequence, at, key, points, earliest, Math.Min(to._state.Deficit, points), from.Id);
        from.Writable().Apply(outEntry);
        to.Writable().Apply(inEntry);
        return (new(outEntry, false), new(inEntry, false));
    }

    /// <summary>
    /// Re-evaluates the tier at <paramref name="asOf"/>: upgrades at once when the metric qualifies for a higher tier;
    /// downgrades (by at most the policy's maximum drop) only when the downgrade mode allows it; ends an expired override.
    /// Run it periodically (for example nightly); accruals only ever upgrade.
    /// </summary>
    /// <returns>The change, or null when the effective tier stayed the same.</returns>
    public TierChange? EvaluateTier(LoyaltyProgramme programme, Instant asOf)
    {
        var policy = Checked(programme).Tiers;
        var before = _tierHistory.Length;
        SyncOverride(programme, asOf);
        var (start, end) = policy.WindowAt(asOf, programme.Zone);
        var metric = _state.Metric(policy.Metric, start, end);
        var qualifying = policy.QualifyingIndex(metric);
        var evidence = policy.Evidence(metric);
        if (qualifying >= _earnedTier)
        {
            var upgraded = qualifying > _earnedTier;
            _earnedTier = qualifying;
            _lastQualifiedAt = asOf;
            var heldUntil = policy.HeldUntil(asOf, programme.Zone);
            _heldUntil = heldUntil > _heldUntil ? heldUntil : _heldUntil;
            if (upgraded)
            {
                Announce(programme, asOf, TierChangeReason.Upgrade, evidence);
            }
        }
        else
        {
            var allowed = policy.Downgrade switch
            {
                DowngradeMode.AtPeriodEnd => asOf >= _heldUntil,
                DowngradeMode.AfterGracePeriod => asOf >= TimeEdges.Plus(_lastQualifiedAt, policy.GracePeriod),
                _ => false,
            };
            if (allowed)
            {
                _earnedTier = Math.Max(qualifying, _earnedTier - policy.MaxTiersDroppedPerEvaluation);
                _lastQualifiedAt = asOf;
                _heldUntil = policy.HeldUntil(asOf, programme.Zone);
                Announce(programme, asOf, TierChangeReason.Downgrade, evidence);
            }
        }
        if (policy.IndexOf(_tier) < 0)
        {
            // The programme dropped the member's tier (see Checked): the earned tier, now within the policy, takes over.
            Announce(programme, asOf, TierChangeReason.Downgrade, $"tier '{_tier}' is no longer in the programme; {evidence}");
        }
        return _tierHistory.Length > before ? _tierHistory[^1] : null;
    }

    /// <summary>Sets a tier by hand until <paramref name="until"/>; the earned tier applies again afterwards.</summary>
    /// <exception cref="ArgumentException">The tier is unknown, <paramref name="until"/> is not after <paramref name="now"/>, or reason/actor is blank.</exception>
    public TierChange? SetTierOverride(LoyaltyProgramme programme, string tier, Instant until, string reason, string actor, Instant now)
    {
        Checked(programme);
        Preconditions.CheckArgument(programme.Tiers.IndexOf(tier) >= 0, nameof(tier), "The tier is not defined by the programme's tier policy.");
        Preconditions.CheckArgument(until > now, nameof(until), "An override must end after it starts.");
        Preconditions.CheckNotBlank(reason);
        Preconditions.CheckNotBlank(actor);
        var before = _tierHistory.Length;
        TierOverride = new TierOverride(tier, until, reason, actor);
        Announce(programme, now, TierChangeReason.OverrideSet, $"set by '{actor}' until {until}: {reason}");
        return _tierHistory.Length > before ? _tierHistory[^1] : null;
    }

    /// <summary>Writes the member's tier and balances at <paramref name="at"/> into the segmentation read model, so segments and rule conditions can use them.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The profile belongs to another customer or the programme is not this account's.</exception>
    public void ProjectTo(Segmentation.CustomerProfile profile, LoyaltyProgramme programme, Instant at)
    {
        Preconditions.CheckNotNull(profile);
        Checked(programme);
        Preconditions.CheckArgument(profile.CustomerId.IsDefault || profile.CustomerId == CustomerId, nameof(profile), "The profile belongs to another customer.");
        var balance = BalanceAt(at);
        profile.LoyaltyProgramme = ProgrammeId.Value;
        profile.LoyaltyTier = _tier;
        profile.LoyaltyTierRank = programme.Tiers.IndexOf(_tier);
        profile.LoyaltyPoints = balance.Available;
        profile.LoyaltyPendingPoints = balance.Pending;
        profile.LoyaltyLifetimePoints = balance.LifetimeEarned;
    }

    /// <inheritdoc/>
    protected override AggregateRoot<LoyaltyAccountId> CreateCopy()
    {
        // Cheap however long the ledger: both share the state until one of them changes (see Writable), and even then
        // the clone shares its storage (see LedgerState).
        if (!_stateShared)
        {
            _stateShared = true; // tested first: a stored snapshot may be copied by several readers at once
        }
        var copy = new LoyaltyAccount(Id, OpenedAt, _tier, TenantId, _state, _tierHistory)
        {
            _stateShared = true,
            _earnedTier = _earnedTier,
            _heldUntil = _heldUntil,
            _lastQualifiedAt = _lastQualifiedAt,
            TierOverride = TierOverride,
        };
        return copy;
    }

    /// <inheritdoc/>
    void IRestoredFromDocument.AfterRestore() => _state.UpgradeStoredState();

    /// <summary>A fresh state rebuilt from the entries alone (for verifying that replay reproduces the live state).</summary>
    internal LedgerState ReplayState() => LedgerState.Replay(_state.Entries);

    internal LedgerState State => _state;

    /// <summary>The state, made private to this account first if a copy may share it. Every change goes through here.</summary>
    private LedgerState Writable()
    {
        if (_stateShared)
        {
            _state = _state.Clone();
            _stateShared = false;
        }
        return _state;
    }

    private LoyaltyProgramme Checked(LoyaltyProgramme programme)
    {
        Preconditions.CheckNotNull(programme);
        // A constant message: this check runs on every operation, and an interpolated one would allocate each time.
        Preconditions.CheckArgument(programme.Id == ProgrammeId, nameof(programme), "The programme is not the one this account belongs to: pass the programme its id names.");
        // A programme may lose tiers after its accounts were saved: an earned tier beyond the last counts as the last
        // (a normalisation, not a change: EvaluateTier records the new effective tier).
        var tiers = programme.Tiers.Tiers.Count;
        if (_earnedTier >= tiers)
        {
            _earnedTier = tiers - 1;
        }
        return programme;
    }

    /// <summary>The tier rules see at <paramref name="at"/>: the earned tier once an override has run out, else the last announced one.</summary>
    private string TierAt(LoyaltyProgramme programme, Instant at) =>
        TierOverride is { } o && at >= o.Until ? programme.Tiers.Tiers[_earnedTier].Code : _tier;

    /// <summary>
    /// Refuses changing the points of an account that a merge drained into the survivor's: they belong there now, and
    /// a return booked here would escape the survivor's count of what the purchase earned.
    /// </summary>
    private void CheckNotMergedAway()
    {
        if (_state.LastEntry is MergedOutEntry merged)
        {
            throw new LoyaltyAccountMergedException(Id, merged.To);
        }
    }

    /// <summary>Refuses a credit that would take a total of this account beyond its type (before anything changes).</summary>
    private void CheckFits(long points, string paramName, bool earned = false, decimal purchaseAmount = 0m)
    {
        if (!_state.Fits(points, earned, purchaseAmount))
        {
            throw new ArgumentOutOfRangeException(paramName, $"Crediting {points} points would take account '{Id}' beyond the points (a long) or the spend (a decimal) a ledger can count. Check the amount.");
        }
    }

    private static void ValidateKey(string key) => Identifier.Validate(key, nameof(key), "idempotency key");

    private T? Existing<T>(string key, LedgerEntryKind kind)
        where T : LedgerEntry
    {
        if (!_state.TryGetByKey(key, out var entry))
        {
            return null;
        }
        entry = OriginalOf(entry); // a key taken over from a merged account answers like the entry it came from
        return entry.Kind == kind && entry is T typed ? typed : throw new IdempotencyKeyConflictException(key, entry.Kind, kind);
    }

    /// <summary>floor(<paramref name="points"/> × <paramref name="part"/> ÷ <paramref name="whole"/>), for 0 ≤ part ≤ whole.</summary>
    private static long ProRata(long points, decimal part, decimal whole) =>
        // Multiplying first keeps whole results exact: 30 × 10 ÷ 30 is 10, whereas 30 × (10 ÷ 30) is 9.999… and floors
        // to 9. Only a product beyond decimal's range (points near long.MaxValue) divides first. The whole is the whole:
        // at 28 significant digits a huge award times a full refund could round one point short.
        part >= whole ? points
            : (long)Math.Floor(part <= decimal.MaxValue / Math.Max(1, points) ? points * part / whole : points * (part / whole));

    private Instant Stamp(Instant now) => now > _state.LastAt ? now : _state.LastAt;

    private static Instant Max(Instant a, Instant b, Instant c) => a > b ? (a > c ? a : c) : (b > c ? b : c);

    private void CheckUpgrade(LoyaltyProgramme programme, Instant at)
    {
        var policy = programme.Tiers;
        if (policy.Tiers.Count == 1 || (_earnedTier == policy.Tiers.Count - 1 && policy.Downgrade != DowngradeMode.AfterGracePeriod))
        {
            return; // nothing to upgrade to, and only the grace mode needs to know when the member last qualified
        }
        // The metric over all history bounds the one over any window. Below the next tier's threshold no upgrade is
        // possible, so the scan over the lots is skipped — unless the grace mode needs to know whether the member still
        // qualifies for the current tier (the only mode that reads _lastQualifiedAt).
        var bound = _state.MetricUpperBound(policy.Metric);
        var tiers = policy.Tiers;
        if (bound < tiers[_earnedTier].Threshold
            || (policy.Downgrade != DowngradeMode.AfterGracePeriod && _earnedTier + 1 < tiers.Count && bound < tiers[_earnedTier + 1].Threshold))
        {
            return;
        }
        var (start, end) = policy.WindowAt(at, programme.Zone);
        var metric = _state.Metric(policy.Metric, start, end);
        var qualifying = policy.QualifyingIndex(metric);
        if (qualifying < _earnedTier)
        {
            return;
        }
        _lastQualifiedAt = at;
        if (qualifying > _earnedTier)
        {
            _earnedTier = qualifying;
            _heldUntil = policy.HeldUntil(at, programme.Zone);
            Announce(programme, at, TierChangeReason.Upgrade, policy.Evidence(metric));
        }
    }

    /// <summary>Ends an override that ran out, so that rules see the earned tier.</summary>
    private void SyncOverride(LoyaltyProgramme programme, Instant at)
    {
        if (TierOverride is { } o && at >= o.Until)
        {
            TierOverride = null;
            Announce(programme, at, TierChangeReason.OverrideExpired, $"override set by '{o.Actor}' ended at {o.Until}");
        }
    }

    /// <summary>Records a change when the effective tier differs from the last announced one.</summary>
    private void Announce(LoyaltyProgramme programme, Instant at, TierChangeReason reason, string evidence)
    {
        var effective = TierOverride is { } o && at < o.Until ? o.Tier : programme.Tiers.Tiers[_earnedTier].Code;
        if (string.Equals(effective, _tier, StringComparison.Ordinal))
        {
            return;
        }
        var change = new TierChange(at, _tier, effective, reason, evidence);
        _tier = effective;
        _tierHistory = [.. _tierHistory, change];
        Raise(new TierChanged(Id, change));
    }
}
