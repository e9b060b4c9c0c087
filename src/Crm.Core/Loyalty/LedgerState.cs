using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// The state derived from a ledger: lots with their remaining points, the deficit, counters, cap usage, reward
/// counts and the idempotency index. Built only by <see cref="Apply"/>, so replaying the entries rebuilds it exactly
/// (<see cref="Describe"/> lets tests compare the two).
/// </summary>
/// <remarks>
/// <para>
/// Copies are cheap because stores copy an account on every load and save: the entries, their key hashes and the lot
/// counters live in one <see cref="AppendLog{T}"/> of slots shared with the copy, and the small maps are shared until
/// either side changes them (copy on write). Appending never disturbs another copy; changing an existing lot (a
/// debit) or a map first takes a private copy unless this state is known to be the only one holding it.
/// </para>
/// <para>
/// A lot is the slot of the credit entry that created it (lot index = slot index = sequence − 1), so an earning
/// touches one array per account, and finding a lot by its sequence is an index, not a search.
/// </para>
/// <para>Not thread-safe; owned by one <see cref="LoyaltyAccount"/>.</para>
/// </remarks>
internal sealed class LedgerState
{
    private const int InitialCapacity = 4;

    // Each entry with a deterministic hash of its idempotency key and, for credits, its lot's counters: a lookup scans
    // the hashes, which sit next to each other in one array, instead of touching every entry object, and no
    // per-account dictionary is built or copied.
    private AppendLog<EntrySlot> _entries;
    private int _count;
    // The last entry's instant, kept here so that stamping a new entry does not have to load the previous one.
    private Instant _lastAt = Instant.MinValue;
    // True while no other state can see _entries: only then may an existing lot's counters be changed in place.
    private bool _ownsSlots;
    // The points left in all lots (the sum of the slots' Remaining), kept with every change so that a credit is checked
    // against it without a scan; documents restore it by recounting (UpgradeStoredState), whatever they stored.
    private long _held;

    // Documents stored before the lot counters moved into the slots hold the lots here; UpgradeStoredState moves them.
    private AppendLog<Lot>? _lots;
    private int _lotCount;

    // Rarely used, so kept out of the lots (which every copy and every earning touches). Copy on write: see _ownsMaps.
    private Dictionary<long, LotReturns>? _returns;
    // Points awarded under capped rules: one record per capped contribution, appended (and shared with copies) like the
    // entries, so that an earning never copies a table; CapUsed sums the records of one rule and period (a few per member).
    private AppendLog<CapUsage>? _caps;
    private int _capsCount;
    // Documents stored before the cap records were appended hold totals per rule and period here; UpgradeStoredState moves them.
    private CapUsage[]? _capUsed;
    private int _capCount;
    private Dictionary<string, int>? _rewardCounts;
    private HashSet<long>? _cancelledRedemptions;
    private bool _ownsMaps;

    // The earliest and latest EarnedAt of the earn lots: while no return has been booked, a tier window holding both
    // holds every earn lot, and the metric over it is the running total (MetricUpperBound) instead of a scan over
    // every lot. Documents stored before these were kept restore _earnSpanKnown as false; UpgradeStoredState fills them.
    private Instant _earnFirst = Instant.MaxValue;
    private Instant _earnLast = Instant.MinValue;
    private bool _earnSpanKnown = true;

    public LedgerState()
    {
        _entries = new AppendLog<EntrySlot>(InitialCapacity);
        _ownsSlots = true;
        _ownsMaps = true;
    }

    private LedgerState(LedgerState other)
    {
        _entries = other._entries;
        _count = other._count;
        _lastAt = other._lastAt;
        _held = other._held;
        _returns = other._returns;
        _caps = other._caps;
        _capsCount = other._capsCount;
        _rewardCounts = other._rewardCounts;
        _cancelledRedemptions = other._cancelledRedemptions;
        _earnFirst = other._earnFirst;
        _earnLast = other._earnLast;
        _earnSpanKnown = other._earnSpanKnown;
        Deficit = other.Deficit;
        LifetimeEarned = other.LifetimeEarned;
        PurchaseSpend = other.PurchaseSpend;
        PurchaseCount = other.PurchaseCount;
        Redeemed = other.Redeemed;
        ExpiredTotal = other.ExpiredTotal;
        Reversed = other.Reversed;
        Shortfall = other.Shortfall;
        HasPurchase = other.HasPurchase;
    }

    /// <summary>An entry, the hash of its idempotency key (0 when it has none) and, when the entry is a credit, its lot's counters.</summary>
    internal struct EntrySlot
    {
        public LedgerEntry Entry;
        public long Remaining;
        public long Expired;
        public int KeyHash;
        public bool IsLot;
    }

    /// <summary>Points a capped rule awarded in one period (one contribution's, or a stored total).</summary>
    internal struct CapUsage
    {
        public string RuleId;
        public long Window;
        public long Used;
    }

    /// <summary>A lot as documents stored before the counters moved into the entry slots hold it (read only by <see cref="UpgradeStoredState"/>).</summary>
    internal struct Lot
    {
        public CreditEntry Entry;
        public long Remaining;
        public long Expired;
    }

    /// <summary>What returns did to one purchase lot.</summary>
    internal struct LotReturns
    {
        public long Reversed;
        public long ExpiredForgiven;
        public decimal Refunded;
    }

    /// <summary>A lot as it stands, for reading.</summary>
    internal readonly struct LotView
    {
        private readonly CreditEntry _entry;

        public LotView(in EntrySlot slot, LotReturns returns)
        {
            _entry = (CreditEntry)slot.Entry;
            Remaining = slot.Remaining;
            Expired = slot.Expired;
            Reversed = returns.Reversed;
            ExpiredForgiven = returns.ExpiredForgiven;
            Refunded = returns.Refunded;
        }

        public long Remaining { get; }

        public long Expired { get; }

        public long Reversed { get; }

        public long ExpiredForgiven { get; }

        public decimal Refunded { get; }

        public long Sequence => _entry.Sequence;

        public Instant EarnedAt => _entry.EarnedAt;

        public Instant AvailableAt => _entry.AvailableAt;

        public Instant ExpiresAt => _entry.ExpiresAtOrMax;

        public long Original => _entry.Credited;

        public decimal PurchaseAmount => (_entry as EarnEntry)?.PurchaseAmount ?? 0m;
    }

    public IReadOnlyList<LedgerEntry> Entries => new EntryList(_entries.Items, _count);

    public long NextSequence => _count + 1;

    /// <summary>The latest entry, or null for an empty ledger.</summary>
    public LedgerEntry? LastEntry => _count == 0 ? null : _entries.Items[_count - 1].Entry;

    public Instant LastAt => _lastAt;

    public long Deficit { get; private set; }

    public long LifetimeEarned { get; private set; }

    /// <summary>The purchase totals of all purchase lots (before returns): an upper bound of the spend metric in any window.</summary>
    public decimal PurchaseSpend { get; private set; }

    /// <summary>The number of purchase lots: an upper bound of the purchase-count metric in any window.</summary>
    public long PurchaseCount { get; private set; }

    public long Redeemed { get; private set; }

    public long ExpiredTotal { get; private set; }

    public long Reversed { get; private set; }

    public long Shortfall { get; private set; }

    public bool HasPurchase { get; private set; }

    /// <summary>How many entries (slots) there are; lots are the slots for which <see cref="IsLot"/> holds.</summary>
    public int SlotCount => _count;

    /// <summary>Whether the slot at <paramref name="index"/> (below <see cref="SlotCount"/>) is a lot.</summary>
    public bool IsLot(int index) => _entries.Items[index].IsLot;

    /// <summary>The lot in the slot at <paramref name="index"/>, which must be a lot (<see cref="IsLot"/>).</summary>
    public LotView LotAt(int index)
    {
        ref readonly var slot = ref _entries.Items[index];
        return new LotView(slot, ReturnsOf(slot.Entry.Sequence));
    }

    /// <summary>
    /// Brings a document stored in an earlier layout up to date: lot counters move into the entry slots, cap totals
    /// into the cap records. Called once after a state document is restored; does nothing for current documents.
    /// </summary>
    internal void UpgradeStoredState()
    {
        if (!_earnSpanKnown)
        {
            _earnFirst = Instant.MaxValue;
            _earnLast = Instant.MinValue;
            for (var i = 0; i < _count; i++)
            {
                if (_entries.Items[i].Entry is EarnEntry earn)
                {
                    WidenEarnSpan(earn.EarnedAt);
                }
            }
            _earnSpanKnown = true;
        }
        if (_capUsed is not null)
        {
            for (var i = 0; i < _capCount; i++)
            {
                AddCapUsage(_capUsed[i]);
            }
            _capUsed = null;
            _capCount = 0;
        }
        if (_lots is not null)
        {
            var slots = _entries.Items;
            for (var i = 0; i < _lotCount; i++)
            {
                ref readonly var lot = ref _lots.Items[i];
                var index = lot.Entry.Sequence - 1;
                if ((ulong)index >= (ulong)_count || slots[index].Entry is not CreditEntry credit || credit.Sequence != lot.Entry.Sequence)
                {
                    throw new InvalidDataException("The stored loyalty ledger names a lot that is not one of its entries; the document is damaged.");
                }
                ref var slot = ref slots[index];
                slot.IsLot = true;
                slot.Remaining = lot.Remaining;
                slot.Expired = lot.Expired;
            }
            _lots = null;
            _lotCount = 0;
            _ownsSlots = true; // a restored state is private to its account
        }
        _held = 0;
        for (var i = 0; i < _count; i++)
        {
            _held += _entries.Items[i].Remaining;
        }
    }

    /// <summary>A copy sharing everything until one side changes it (see the remarks on the class).</summary>
    public LedgerState Clone()
    {
        // Both sides lose exclusive ownership. Test before writing: a stored snapshot (already not an owner) may be
        // cloned by several readers at once, and they must not write to it.
        if (_ownsSlots)
        {
            _ownsSlots = false;
        }
        if (_ownsMaps)
        {
            _ownsMaps = false;
        }
        return new LedgerState(this);
    }

    public static LedgerState Replay(IEnumerable<LedgerEntry> entries, Instant? upTo = null)
    {
        var state = new LedgerState();
        foreach (var entry in entries)
        {
            if (upTo is { } limit && entry.At > limit)
            {
                break;
            }
            state.Apply(entry);
        }
        return state;
    }

    public bool TryGetByKey(string key, out LedgerEntry entry)
    {
        var hash = KeyHash(key);
        var slots = _entries.Items;
        for (var i = 0; i < _count; i++)
        {
            // Only a matching hash (the key itself, or a rare collision) loads the entry.
            if (slots[i].KeyHash == hash && string.Equals(slots[i].Entry.IdempotencyKey, key, StringComparison.Ordinal))
            {
                entry = slots[i].Entry;
                return true;
            }
        }
        entry = null!;
        return false;
    }

    /// <summary>
    /// FNV-1a over the key's UTF-16 code units. Not <see cref="string.GetHashCode()"/>: that differs between processes,
    /// and the hashes are part of the state that stores persist.
    /// </summary>
    internal static int KeyHash(string? key)
    {
        if (key is null)
        {
            return 0;
        }
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)hash;
    }

    public long CapUsed(string ruleId, long window)
    {
        if (_caps is null)
        {
            return 0;
        }
        var records = _caps.Items;
        var used = 0L;
        for (var i = 0; i < _capsCount; i++)
        {
            ref readonly var usage = ref records[i];
            if (usage.Window == window && string.Equals(usage.RuleId, ruleId, StringComparison.Ordinal))
            {
                used += usage.Used;
            }
        }
        return used;
    }

    private void AddCapUsage(CapUsage usage)
    {
        _caps ??= new AppendLog<CapUsage>(InitialCapacity);
        AppendLog<CapUsage>.Append(ref _caps, _capsCount, usage);
        _capsCount++;
    }

    /// <summary>
    /// Whether crediting <paramref name="points"/> keeps the points held — and, for an earning (<paramref name="earned"/>,
    /// from a purchase of <paramref name="purchaseAmount"/>), the lifetime total and the spend — inside their types, so
    /// that no balance ever wraps around.
    /// </summary>
    public bool Fits(long points, bool earned, decimal purchaseAmount)
    {
        if (earned && (points > long.MaxValue - LifetimeEarned || purchaseAmount > decimal.MaxValue - PurchaseSpend))
        {
            return false;
        }
        return points <= long.MaxValue - _held;
    }

    /// <summary>The points left in the lots (pending, available or past expiry but not yet expired).</summary>
    public long Held => _held;

    public int RewardCount(string rewardId) => _rewardCounts is not null && _rewardCounts.TryGetValue(rewardId, out var n) ? n : 0;

    public bool IsCancelled(long redemptionSequence) => _cancelledRedemptions?.Contains(redemptionSequence) ?? false;

    /// <summary>The slot index of the lot created by the entry with <paramref name="sequence"/>, or -1 when that entry is not a credit.</summary>
    public int IndexOfLot(long sequence)
    {
        var index = sequence - 1;
        return (ulong)index < (ulong)_count && _entries.Items[index].IsLot ? (int)index : -1;
    }

    /// <summary>Applies one entry; the only way the state changes.</summary>
    public void Apply(LedgerEntry entry)
    {
        var slot = new EntrySlot { Entry = entry, KeyHash = KeyHash(entry.IdempotencyKey) };
        switch (entry)
        {
            case CreditEntry credit:
                slot.IsLot = true;
                slot.Remaining = credit.Credited - credit.SettledDeficit;
                _held += slot.Remaining;
                AddLot(credit);
                break;
            case DebitEntry debit:
                if (debit.AllocationArray.Length > 0)
                {
                    var slots = OwnedSlots();
                    foreach (var allocation in debit.AllocationArray)
                    {
                        ref var lot = ref slots[IndexOfLot(allocation.Lot)];
                        lot.Remaining -= allocation.Points;
                        _held -= allocation.Points;
                        if (debit is ExpireEntry)
                        {
                            lot.Expired += allocation.Points;
                        }
                    }
                }
                ApplyDebit(debit);
                break;
            case RedemptionCancelledEntry cancelled:
            {
                var slots = OwnedSlots();
                foreach (var allocation in cancelled.RestoredArray)
                {
                    slots[IndexOfLot(allocation.Lot)].Remaining += allocation.Points;
                    _held += allocation.Points;
                }
                TryGetByKey(cancelled.RedemptionKey, out var found);
                var redemption = (RedeemEntry)found;
                OwnMaps();
                (_cancelledRedemptions ??= new HashSet<long>()).Add(redemption.Sequence);
                Redeemed -= cancelled.Restored;
                if (redemption.RewardId is { } rewardId)
                {
                    _rewardCounts![rewardId]--;
                }
                break;
            }
        }
        AppendLog<EntrySlot>.Append(ref _entries, _count, slot);
        _count++;
        _lastAt = entry.At;
    }

    /// <summary>The bookkeeping of a new lot (its counters are set in its slot by <see cref="Apply"/>).</summary>
    private void AddLot(CreditEntry credit)
    {
        Deficit -= credit.SettledDeficit;
        if (credit is not EarnEntry earn)
        {
            return;
        }
        LifetimeEarned += earn.Credited;
        WidenEarnSpan(earn.EarnedAt);
        if (earn.Source == EarnSource.Purchase)
        {
            HasPurchase = true;
            PurchaseCount++;
            PurchaseSpend += earn.PurchaseAmount;
        }
        var contributions = earn.ContributionCount;
        for (var i = 0; i < contributions; i++)
        {
            var (ruleId, capWindow, points) = earn.CapAt(i);
            if (capWindow is { } window)
            {
                AddCapUsage(new CapUsage { RuleId = ruleId, Window = window, Used = points });
            }
        }
    }

    private void WidenEarnSpan(Instant earnedAt)
    {
        _earnFirst = earnedAt < _earnFirst ? earnedAt : _earnFirst;
        _earnLast = earnedAt > _earnLast ? earnedAt : _earnLast;
    }

    private void ApplyDebit(DebitEntry debit)
    {
        switch (debit)
        {
            case RedeemEntry redeem:
                Redeemed += redeem.Allocated;
                if (redeem.RewardId is { } rewardId)
                {
                    OwnMaps();
                    var count = RewardCount(rewardId);
                    (_rewardCounts ??= new Dictionary<string, int>(StringComparer.Ordinal))[rewardId] = count + 1;
                }
                break;
            case ExpireEntry expire:
                ExpiredTotal += expire.Allocated;
                break;
            case ReverseEntry reverse:
            {
                TryGetByKey(reverse.PurchaseKey, out var purchase);
                OwnMaps();
                _returns ??= new Dictionary<long, LotReturns>();
                ref var returns = ref CollectionsMarshal.GetValueRefOrAddDefault(_returns, purchase.Sequence, out _);
                returns.Reversed += reverse.PointsReversed;
                // Saturating: refunds beyond the purchase total count as the whole total anyway (see LoyaltyAccount.Reverse).
                returns.Refunded = Saturating.Add(returns.Refunded, reverse.RefundAmount);
                returns.ExpiredForgiven += reverse.ForgivenExpired;
                Deficit += reverse.DeficitAdded;
                Shortfall += reverse.Shortfall;
                Reversed += reverse.PointsReversed;
                break;
            }
        }
    }

    /// <summary>The slots, made private to this state first if another copy may see them (before a lot's counters change).</summary>
    private EntrySlot[] OwnedSlots()
    {
        if (!_ownsSlots)
        {
            _entries = AppendLog<EntrySlot>.CopyOf(_entries, _count);
            _ownsSlots = true;
        }
        return _entries.Items;
    }

    /// <summary>Makes the maps private to this state before one of them changes, if another copy may see them.</summary>
    private void OwnMaps()
    {
        if (_ownsMaps)
        {
            return;
        }
        _returns = _returns is null ? null : new Dictionary<long, LotReturns>(_returns);
        _rewardCounts = _rewardCounts is null ? null : new Dictionary<string, int>(_rewardCounts, StringComparer.Ordinal);
        _cancelledRedemptions = _cancelledRedemptions is null ? null : new HashSet<long>(_cancelledRedemptions);
        _ownsMaps = true;
    }

    private static bool IsAvailable(CreditEntry credit, Instant at) => credit.AvailableAt <= at && at < credit.ExpiresAtOrMax;

    /// <summary>What returns booked against the entry with <paramref name="lotSequence"/> (a purchase lot, or a lot or key taken over in a merge).</summary>
    public LotReturns ReturnsOf(long lotSequence) =>
        _returns is not null && _returns.TryGetValue(lotSequence, out var returns) ? returns : default;

    /// <summary>Points spendable at <paramref name="at"/> (lots minus the deficit; negative only when a deficit exceeds the lots).</summary>
    public long AvailableAt(Instant at, int excludeLot = -1)
    {
        var slots = _entries.Items;
        var sum = 0L;
        for (var i = 0; i < _count; i++)
        {
            ref readonly var lot = ref slots[i];
            if (lot.IsLot && i != excludeLot && lot.Remaining > 0 && IsAvailable((CreditEntry)lot.Entry, at))
            {
                sum += lot.Remaining;
            }
        }
        return sum - (excludeLot < 0 ? Deficit : 0);
    }

    /// <summary>The balances at <paramref name="at"/>, from this state (which must hold every entry up to <paramref name="at"/>).</summary>
    public LoyaltyBalance BalanceAt(Instant at)
    {
        var slots = _entries.Items;
        long available = 0, pending = 0, dueExpired = 0;
        for (var i = 0; i < _count; i++)
        {
            ref readonly var lot = ref slots[i];
            if (!lot.IsLot || lot.Remaining <= 0)
            {
                continue;
            }
            var credit = (CreditEntry)lot.Entry;
            if (credit.ExpiresAtOrMax <= at)
            {
                dueExpired += lot.Remaining;
            }
            else if (credit.AvailableAt > at)
            {
                pending += lot.Remaining;
            }
            else
            {
                available += lot.Remaining;
            }
        }
        return new LoyaltyBalance(available - Deficit, pending, ExpiredTotal + dueExpired, Redeemed, LifetimeEarned, Reversed, Deficit);
    }

    /// <summary>
    /// Chooses lots for a debit of <paramref name="points"/> at <paramref name="at"/> in <paramref name="order"/>; only
    /// available lots (not pending, not expired) are used. Returns fewer points than asked when there are not enough.
    /// </summary>
    public LotAllocation[] Allocate(long points, Instant at, SpendingOrder order, int excludeLot = -1)
    {
        if (points <= 0)
        {
            return [];
        }
        var lots = _entries.Items;
        var candidates = new List<int>();
        for (var i = 0; i < _count; i++)
        {
            ref readonly var lot = ref lots[i];
            if (lot.IsLot && i != excludeLot && lot.Remaining > 0 && IsAvailable((CreditEntry)lot.Entry, at))
            {
                candidates.Add(i);
            }
        }
        if (order == SpendingOrder.SoonestExpiringFirst)
        {
            // Stable on sequence for equal expiry: the older lot goes first.
            candidates.Sort((a, b) =>
            {
                var c = ((CreditEntry)lots[a].Entry).ExpiresAtOrMax.CompareTo(((CreditEntry)lots[b].Entry).ExpiresAtOrMax);
                return c != 0 ? c : lots[a].Entry.Sequence.CompareTo(lots[b].Entry.Sequence);
            });
        }
        var result = new List<LotAllocation>();
        var left = points;
        foreach (var index in candidates)
        {
            if (left == 0)
            {
                break;
            }
            var take = Math.Min(left, lots[index].Remaining);
            result.Add(new LotAllocation(lots[index].Entry.Sequence, take));
            left -= take;
        }
        return result.ToArray();
    }

    /// <summary>
    /// An upper bound of <see cref="Metric"/> over any window, kept up to date as entries are applied: when it is below
    /// a tier's threshold, no window can qualify for that tier and the scan over the lots can be skipped.
    /// </summary>
    /// <remarks>Every lot's term is at least 0 and the sums below are the terms before returns, so while no return is booked they equal the metric over the whole history.</remarks>
    public decimal MetricUpperBound(TierMetric metric) => metric switch
    {
        // Not net of Reversed: returns may also be booked against lots and keys taken over in merges, which earned
        // nothing here, so subtracting them could fall below the metric of the earn lots.
        TierMetric.PointsEarned => LifetimeEarned,
        TierMetric.Spend => PurchaseSpend,
        _ => PurchaseCount,
    };

    /// <summary>The tier metric over earn lots earned in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public decimal Metric(TierMetric metric, Instant start, Instant end) =>
        // With no returns every lot's term is its value before returns, so a window holding every earn lot sums to the
        // running totals; a member's whole history usually fits a rolling year, and accruals then never scan the lots.
        _earnSpanKnown && _returns is null && _earnFirst >= start && _earnLast < end
            ? MetricUpperBound(metric)
            : MetricByScan(metric, start, end);

    /// <summary>The tier metric over earn lots earned in [<paramref name="start"/>, <paramref name="end"/>), summed lot by lot.</summary>
    internal decimal MetricByScan(TierMetric metric, Instant start, Instant end)
    {
        var slots = _entries.Items;
        var sum = 0m;
        for (var i = 0; i < _count; i++)
        {
            if (!slots[i].IsLot || slots[i].Entry is not EarnEntry earn || earn.EarnedAt < start || earn.EarnedAt >= end)
            {
                continue;
            }
            var returns = ReturnsOf(earn.Sequence);
            sum += metric switch
            {
                TierMetric.PointsEarned => earn.Credited - returns.Reversed,
                TierMetric.Spend => Math.Max(0m, earn.PurchaseAmount - returns.Refunded),
                _ => earn.Source == EarnSource.Purchase && !(earn.PurchaseAmount > 0m && returns.Refunded >= earn.PurchaseAmount) ? 1m : 0m,
            };
        }
        return sum;
    }

    /// <summary>
    /// Every piece of derived state in a canonical text form, so that tests can check that the state kept up to date
    /// entry by entry equals the one a full replay builds.
    /// </summary>
    internal string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"entries {_count} next {NextSequence} last {LastAt}; deficit {Deficit} lifetime {LifetimeEarned} spend {PurchaseSpend} purchases {PurchaseCount} ");
        text.Append(CultureInfo.InvariantCulture, $"redeemed {Redeemed} expired {ExpiredTotal} reversed {Reversed} shortfall {Shortfall} hasPurchase {HasPurchase} earned {_earnFirst}..{_earnLast} known {_earnSpanKnown} held {_held}\n");
        for (var i = 0; i < _count; i++)
        {
            if (!IsLot(i))
            {
                continue;
            }
            var lot = LotAt(i);
            text.Append(CultureInfo.InvariantCulture, $"lot {lot.Sequence}: {lot.Original} left {lot.Remaining} expired {lot.Expired} reversed {lot.Reversed} forgiven {lot.ExpiredForgiven} refunded {lot.Refunded}\n");
        }
        var caps = (_caps?.Items ?? []).Take(_capsCount).GroupBy(u => (u.RuleId, u.Window)).Select(g => (g.Key.RuleId, g.Key.Window, Used: g.Sum(u => u.Used)));
        foreach (var usage in caps.OrderBy(u => u.RuleId, StringComparer.Ordinal).ThenBy(u => u.Window))
        {
            text.Append(CultureInfo.InvariantCulture, $"cap {usage.RuleId}/{usage.Window}: {usage.Used}\n");
        }
        foreach (var (reward, count) in (_rewardCounts ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"reward {reward}: {count}\n");
        }
        text.Append("cancelled ").AppendJoin(',', (_cancelledRedemptions ?? []).Order()).Append('\n');
        // Every return record, lots or not: returns of a purchase merged in without points left are booked on its key entry.
        foreach (var (sequence, returns) in (_returns ?? []).OrderBy(r => r.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"returns {sequence}: reversed {returns.Reversed} forgiven {returns.ExpiredForgiven} refunded {returns.Refunded}\n");
        }
        var held = 0L;
        for (var i = 0; i < _count; i++)
        {
            held += _entries.Items[i].Remaining;
            var (entry, hash) = (_entries.Items[i].Entry, _entries.Items[i].KeyHash);
            if (hash != KeyHash(entry.IdempotencyKey) || entry.Sequence != i + 1 || (i == _count - 1 && entry.At != _lastAt))
            {
                text.Append(CultureInfo.InvariantCulture, $"entry {i} is out of place or has a stale key hash\n");
            }
        }
        if (held != _held)
        {
            text.Append(CultureInfo.InvariantCulture, $"the held counter {_held} differs from the lots' {held}\n");
        }
        return text.ToString();
    }
}

/// <summary>A read-only view of the first entries of a ledger's slots (what <see cref="LoyaltyAccount.Entries"/> returns).</summary>
internal sealed class EntryList(LedgerState.EntrySlot[] slots, int count) : IReadOnlyList<LedgerEntry>
{
    public LedgerEntry this[int index] => (uint)index < (uint)count ? slots[index].Entry : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count => count;

    public IEnumerator<LedgerEntry> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return slots[i].Entry;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A member's balances at one instant, all derived from the ledger.</summary>
/// <param name="Available">Spendable points: available lots minus any deficit (negative only under <see cref="NegativeBalancePolicy.AllowNegative"/>).</param>
/// <param name="Pending">Points earned but not yet spendable.</param>
/// <param name="Expired">Points lost to expiry (including lots past expiry that <see cref="LoyaltyAccount.ExpireDue"/> has not recorded yet).</param>
/// <param name="Redeemed">Points redeemed, net of cancelled redemptions.</param>
/// <param name="LifetimeEarned">Points ever earned from purchases and events (before reversals).</param>
/// <param name="Reversed">Points taken back by returns (including forgiven and short points).</param>
/// <param name="Deficit">Points owed after returns of spent points (<see cref="NegativeBalancePolicy.AllowNegative"/>).</param>
public readonly record struct LoyaltyBalance(long Available, long Pending, long Expired, long Redeemed, long LifetimeEarned, long Reversed, long Deficit);

/// <summary>Points of one lot that expire soon (see <see cref="LoyaltyAccount.ExpiringWithin"/>).</summary>
/// <param name="Lot">The lot (its creating entry's sequence).</param>
/// <param name="Points">The points left in it.</param>
/// <param name="ExpiresAt">When they expire.</param>
public readonly record struct ExpiringPoints(long Lot, long Points, Instant ExpiresAt);

/// <summary>A lot as it stands: what was credited and what is left.</summary>
/// <param name="Lot">The lot (its creating entry's sequence).</param>
/// <param name="EarnedAt">When the points were earned.</param>
/// <param name="AvailableAt">When they become spendable.</param>
/// <param name="ExpiresAt">When they expire, or null for never.</param>
/// <param name="Credited">The points credited.</param>
/// <param name="Remaining">The points left.</param>
/// <param name="Expired">The points expired from it.</param>
/// <param name="Reversed">The points returns accounted for against it.</param>
public readonly record struct PointsLot(long Lot, Instant EarnedAt, Instant AvailableAt, Instant? ExpiresAt, long Credited, long Remaining, long Expired, long Reversed);
