using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// The state derived from a ledger: lots with their remaining points, the deficit, counters, cap usage, reward
/// counts and the idempotency index. Built only by <see cref="Apply"/>, so replaying the entries rebuilds it exactly.
/// </summary>
/// <remarks>Not thread-safe; owned by one <see cref="LoyaltyAccount"/>.</remarks>
internal sealed class LedgerState
{
    private Lot[] _lots;
    private int _lotCount;
    /// <summary>Below this many keyed entries, idempotency lookups scan the ledger instead of keeping a dictionary (most members have few entries).</summary>
    private const int IndexThreshold = 16;

    private readonly List<LedgerEntry> _entries;
    private Dictionary<string, LedgerEntry>? _byKey;
    private Dictionary<(string Rule, long Window), long>? _capUsed;
    private Dictionary<string, int>? _rewardCounts;
    private HashSet<long>? _cancelledRedemptions;

    public LedgerState()
    {
        _lots = new Lot[4];
        _entries = new List<LedgerEntry>(4);
    }

    private LedgerState(LedgerState other)
    {
        _lots = other._lots.AsSpan(0, Math.Max(4, other._lotCount)).ToArray();
        _lotCount = other._lotCount;
        _entries = new List<LedgerEntry>(other._entries);
        _byKey = other._byKey is null ? null : new Dictionary<string, LedgerEntry>(other._byKey, StringComparer.Ordinal);
        _capUsed = other._capUsed is null ? null : new Dictionary<(string, long), long>(other._capUsed);
        _rewardCounts = other._rewardCounts is null ? null : new Dictionary<string, int>(other._rewardCounts, StringComparer.Ordinal);
        _cancelledRedemptions = other._cancelledRedemptions is null ? null : new HashSet<long>(other._cancelledRedemptions);
        Deficit = other.Deficit;
        LifetimeEarned = other.LifetimeEarned;
        Redeemed = other.Redeemed;
        ExpiredTotal = other.ExpiredTotal;
        Reversed = other.Reversed;
        Shortfall = other.Shortfall;
        HasPurchase = other.HasPurchase;
    }

    /// <summary>
    /// One lot: the points one credit entry created, and what happened to them since. Only the mutable counters live
    /// here; everything fixed is read from the entry, which keeps the per-lot footprint small.
    /// </summary>
    internal struct Lot
    {
        public CreditEntry Entry;
        public long Remaining;
        public long Expired;
        public long ExpiredForgiven;
        public long Reversed;
        public decimal Refunded;

        public readonly long Sequence => Entry.Sequence;

        public readonly Instant EarnedAt => Entry.EarnedAt;

        public readonly Instant AvailableAt => Entry.AvailableAt;

        public readonly Instant ExpiresAt => Entry.ExpiresAtOrMax;

        public readonly long Original => Entry.Credited;

        public readonly bool IsEarn => Entry is EarnEntry;

        public readonly bool IsPurchase => Entry is EarnEntry { Source: EarnSource.Purchase };

        public readonly decimal PurchaseAmount => (Entry as EarnEntry)?.PurchaseAmount ?? 0m;
    }

    public IReadOnlyList<LedgerEntry> Entries => _entries;

    public long NextSequence => _entries.Count + 1;

    public Instant LastAt => _entries.Count == 0 ? Instant.MinValue : _entries[^1].At;

    public long Deficit { get; private set; }

    public long LifetimeEarned { get; private set; }

    public long Redeemed { get; private set; }

    public long ExpiredTotal { get; private set; }

    public long Reversed { get; private set; }

    public long Shortfall { get; private set; }

    public bool HasPurchase { get; private set; }

    public int LotCount => _lotCount;

    public ref readonly Lot LotAt(int index) => ref _lots[index];

    public LedgerState Clone() => new(this);

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
        if (_byKey is not null)
        {
            return _byKey.TryGetValue(key, out entry!);
        }
        foreach (var candidate in _entries)
        {
            if (string.Equals(candidate.IdempotencyKey, key, StringComparison.Ordinal))
            {
                entry = candidate;
                return true;
            }
        }
        entry = null!;
        return false;
    }

    public long CapUsed(string ruleId, long window) => _capUsed is not null && _capUsed.TryGetValue((ruleId, window), out var used) ? used : 0;

    public int RewardCount(string rewardId) => _rewardCounts is not null && _rewardCounts.TryGetValue(rewardId, out var n) ? n : 0;

    public bool IsCancelled(long redemptionSequence) => _cancelledRedemptions?.Contains(redemptionSequence) ?? false;

    public int IndexOfLot(long sequence)
    {
        int lo = 0, hi = _lotCount - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var s = _lots[mid].Sequence;
            if (s == sequence)
            {
                return mid;
            }
            if (s < sequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /// <summary>Applies one entry; the only way the state changes.</summary>
    public void Apply(LedgerEntry entry)
    {
        switch (entry)
        {
            case CreditEntry credit:
                AddLot(credit);
                break;
            case DebitEntry debit:
                foreach (var allocation in debit.AllocationArray)
                {
                    ref var lot = ref _lots[IndexOfLot(allocation.Lot)];
                    lot.Remaining -= allocation.Points;
                    if (debit is ExpireEntry)
                    {
                        lot.Expired += allocation.Points;
                    }
                }
                ApplyDebit(debit);
                break;
            case RedemptionCancelledEntry cancelled:
                foreach (var allocation in cancelled.RestoredArray)
                {
                    _lots[IndexOfLot(allocation.Lot)].Remaining += allocation.Points;
                }
                TryGetByKey(cancelled.RedemptionKey, out var found);
                var redemption = (RedeemEntry)found;
                (_cancelledRedemptions ??= new HashSet<long>()).Add(redemption.Sequence);
                Redeemed -= cancelled.Restored;
                if (redemption.RewardId is { } rewardId)
                {
                    _rewardCounts![rewardId]--;
                }
                break;
        }
        _entries.Add(entry);
        if (_byKey is not null)
        {
            if (entry.IdempotencyKey is { } key)
            {
                _byKey.Add(key, entry);
            }
        }
        else if (_entries.Count > IndexThreshold)
        {
            _byKey = new Dictionary<string, LedgerEntry>(_entries.Count * 2, StringComparer.Ordinal);
            foreach (var keyed in _entries)
            {
                if (keyed.IdempotencyKey is { } k)
                {
                    _byKey.Add(k, keyed);
                }
            }
        }
    }

    private void AddLot(CreditEntry credit)
    {
        if (_lotCount == _lots.Length)
        {
            Array.Resize(ref _lots, _lots.Length * 2);
        }
        var earn = credit as EarnEntry;
        _lots[_lotCount++] = new Lot { Entry = credit, Remaining = credit.Credited - credit.SettledDeficit };
        Deficit -= credit.SettledDeficit;
        if (earn is null)
        {
            return;
        }
        LifetimeEarned += earn.Credited;
        HasPurchase |= earn.Source == EarnSource.Purchase;
        foreach (var contribution in earn.ContributionArray)
        {
            if (contribution.CapWindow is { } window)
            {
                var slot = (contribution.RuleId, window);
                var used = CapUsed(contribution.RuleId, window);
                (_capUsed ??= new Dictionary<(string, long), long>())[slot] = used + contribution.Points;
            }
        }
    }

    private void ApplyDebit(DebitEntry debit)
    {
        switch (debit)
        {
            case RedeemEntry redeem:
                Redeemed += redeem.Allocated;
                if (redeem.RewardId is { } rewardId)
                {
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
                ref var lot = ref _lots[IndexOfLot(purchase.Sequence)];
                lot.Reversed += reverse.PointsReversed;
                lot.Refunded += reverse.RefundAmount;
                lot.ExpiredForgiven += reverse.ForgivenExpired;
                Deficit += reverse.DeficitAdded;
                Shortfall += reverse.Shortfall;
                Reversed += reverse.PointsReversed;
                break;
            }
        }
    }

    /// <summary>Points spendable at <paramref name="at"/> (lots minus the deficit; negative only when a deficit exceeds the lots).</summary>
    public long AvailableAt(Instant at, int excludeLot = -1)
    {
        var sum = 0L;
        for (var i = 0; i < _lotCount; i++)
        {
            ref readonly var lot = ref _lots[i];
            if (i != excludeLot && lot.Remaining > 0 && lot.AvailableAt <= at && at < lot.ExpiresAt)
            {
                sum += lot.Remaining;
            }
        }
        return sum - (excludeLot < 0 ? Deficit : 0);
    }

    /// <summary>The balances at <paramref name="at"/>, from this state (which must hold every entry up to <paramref name="at"/>).</summary>
    public LoyaltyBalance BalanceAt(Instant at)
    {
        long available = 0, pending = 0, dueExpired = 0;
        for (var i = 0; i < _lotCount; i++)
        {
            ref readonly var lot = ref _lots[i];
            if (lot.Remaining <= 0)
            {
                continue;
            }
            if (lot.ExpiresAt <= at)
            {
                dueExpired += lot.Remaining;
            }
            else if (lot.AvailableAt > at)
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
        var candidates = new List<int>();
        for (var i = 0; i < _lotCount; i++)
        {
            ref readonly var lot = ref _lots[i];
            if (i != excludeLot && lot.Remaining > 0 && lot.AvailableAt <= at && at < lot.ExpiresAt)
            {
                candidates.Add(i);
            }
        }
        if (order == SpendingOrder.SoonestExpiringFirst)
        {
            // Stable on sequence for equal expiry: the older lot goes first.
            candidates.Sort((a, b) =>
            {
                var c = _lots[a].ExpiresAt.CompareTo(_lots[b].ExpiresAt);
                return c != 0 ? c : _lots[a].Sequence.CompareTo(_lots[b].Sequence);
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
            var take = Math.Min(left, _lots[index].Remaining);
            result.Add(new LotAllocation(_lots[index].Sequence, take));
            left -= take;
        }
        return result.ToArray();
    }

    /// <summary>The tier metric over earn lots earned in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public decimal Metric(TierMetric metric, Instant start, Instant end)
    {
        var sum = 0m;
        for (var i = 0; i < _lotCount; i++)
        {
            ref readonly var lot = ref _lots[i];
            if (!lot.IsEarn || lot.EarnedAt < start || lot.EarnedAt >= end)
            {
                continue;
            }
            sum += metric switch
            {
                TierMetric.PointsEarned => lot.Original - lot.Reversed,
                TierMetric.Spend => Math.Max(0m, lot.PurchaseAmount - lot.Refunded),
                _ => lot.IsPurchase && !(lot.PurchaseAmount > 0m && lot.Refunded >= lot.PurchaseAmount) ? 1m : 0m,
            };
        }
        return sum;
    }
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
