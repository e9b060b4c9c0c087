using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Loyalty;

/// <summary>
/// Runs generated <see cref="LoyaltyScenario"/>s through the public entry point (<see cref="LoyaltyService"/> over the
/// in-memory store and unit of work, one DI scope per operation) and checks the ledger invariants after every step.
/// </summary>
internal sealed class LoyaltyScenarioRunner : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 1, 1, 0, 0));
    private readonly CustomerId[] _members = Enumerable.Range(0, LoyaltyScenario.Members).Select(i => new CustomerId($"M{i}")).ToArray();
    private readonly List<(int Member, string Key)> _purchases = new();
    private readonly List<(int Member, string Key)> _redemptions = new();
    private readonly List<(int[] Members, Func<LoyaltyService, Task<bool>> Again)> _done = new();
    private int _counter;

    public LoyaltyScenarioRunner(NegativeBalancePolicy policy)
    {
        Programme = new LoyaltyProgramme(new ProgrammeId("prop"), Currency.EUR, DateTimeZone.Utc,
            new EarningRuleSet(
            [
                new SpendRule("base", 1m),
                new MultiplierRule("spring", 2m, validFrom: Instant.FromUtc(2026, 3, 1, 0, 0), validUntil: Instant.FromUtc(2026, 4, 1, 0, 0)),
                new EventRule("first", LoyaltyEventType.FirstPurchase, 25),
                new TierBonusRule("gold", "GOLD", 1.5m),
                // Capped, so that cap usage (state kept up to date per earning) is part of what replay must rebuild.
                new SpendRule("big-basket", 0.5m, minimumOrderValue: 100m, cap: new RuleCap(CapPeriod.Month, 200)),
            ]),
            ExpiryPolicy.AfterDays(90), Duration.FromDays(7), negativeBalancePolicy: policy,
            tiers: new TierPolicy([new("BASE", 0m), new("SILVER", 300m), new("GOLD", 1000m), new("PLATINUM", 3000m)]));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(_clock);
        services.AddCrmCore().UseInMemoryStore();
        _provider = services.BuildServiceProvider();
    }

    public LoyaltyProgramme Programme { get; }

    public Instant Now => _clock.GetCurrentInstant();

    public void Dispose() => _provider.Dispose();

    /// <summary>Runs every step, checking the invariants after each; returns the first violation, or null.</summary>
    public string? Run(LoyaltyScenario scenario)
    {
        foreach (var step in scenario.Steps)
        {
            var problem = RunStepAsync(step).GetAwaiter().GetResult() ?? CheckInvariants();
            if (problem is not null)
            {
                return $"after {step}: {problem}";
            }
        }
        return null;
    }

    public T WithService<T>(Func<LoyaltyService, Task<T>> action)
    {
        using var scope = _provider.CreateScope();
        return action(scope.ServiceProvider.GetRequiredService<LoyaltyService>()).GetAwaiter().GetResult();
    }

    public LoyaltyAccount? Load(int member) => WithService(s => s.FindAccountAsync(Programme, _members[member]));

    /// <summary>The member's customer id.</summary>
    public CustomerId Member(int member) => _members[member];

    private async Task<string?> RunStepAsync(LoyaltyStep step)
    {
        if (step.Kind == LoyaltyStepKind.TimePasses)
        {
            _clock.Advance(Duration.FromDays(step.Days));
            return null;
        }
        if (step.Kind == LoyaltyStepKind.Repeat)
        {
            if (_done.Count == 0)
            {
                return null;
            }
            var (members, repeat) = _done[step.Ref % _done.Count];
            var before = members.Select(Snapshot).ToArray();
            var alreadyApplied = WithService(repeat);
            var after = members.Select(Snapshot).ToArray();
            return alreadyApplied && before.SequenceEqual(after) ? null : "repeating an idempotency key changed the ledger";
        }

        var member = step.Member;
        var touched = step.Kind == LoyaltyStepKind.Transfer ? new[] { member, step.Other } : new[] { member };
        var snapshots = touched.Select(Snapshot).ToArray();
        var availableBefore = Load(member)?.BalanceAt(Now).Available ?? 0;
        var key = $"op-{++_counter}";
        Func<LoyaltyService, Task<bool>>? again = null;
        try
        {
            switch (step.Kind)
            {
                case LoyaltyStepKind.Earn:
                {
                    var purchase = Purchase.Create(new TransactionId(key), _members[member], Now, Channel.Web, new Money(step.Amount, Currency.EUR));
                    WithService(s => s.AccrueAsync(Programme, purchase));
                    _purchases.Add((member, key));
                    again = async s => (await s.AccrueAsync(Programme, purchase)).AlreadyApplied;
                    break;
                }
                case LoyaltyStepKind.Redeem:
                {
                    var result = WithService(s => s.RedeemAsync(Programme, _members[member], step.Points, key));
                    if (result.Entry.Allocated > availableBefore)
                    {
                        return $"redeemed {result.Entry.Allocated} with only {availableBefore} available";
                    }
                    _redemptions.Add((member, key));
                    again = async s => (await s.RedeemAsync(Programme, _members[member], step.Points, key)).AlreadyApplied;
                    break;
                }
                case LoyaltyStepKind.Expire:
                    WithService(s => s.ExpireDueAsync(Programme, _members[member]));
                    break;
                case LoyaltyStepKind.Reverse:
                {
                    if (_purchases.Count == 0)
                    {
                        return null;
                    }
                    var (buyer, purchaseKey) = _purchases[step.Ref % _purchases.Count];
                    touched[0] = buyer;
                    snapshots[0] = Snapshot(buyer);
                    var account = Load(buyer)!;
                    var earn = (EarnEntry)Entry(account, purchaseKey);
                    var refund = Purchase.CreateRefund(new TransactionId(key), _members[buyer], Now, Channel.Web, new TransactionId(purchaseKey),
                        [new PurchaseLine(new Sku("RET"), -1m, new Money(Math.Max(0.01m, Math.Round(earn.PurchaseAmount * step.Amount, 2)), Currency.EUR))]);
                    WithService(s => s.ReverseAsync(Programme, refund));
                    again = async s => (await s.ReverseAsync(Programme, refund)).AlreadyApplied;
                    member = buyer;
                    break;
                }
                case LoyaltyStepKind.Adjust:
                    WithService(s => s.AdjustAsync(Programme, _members[member], step.Points, "test", "prop", key));
                    again = async s => (await s.AdjustAsync(Programme, _members[member], step.Points, "test", "prop", key)).AlreadyApplied;
                    break;
                case LoyaltyStepKind.Transfer:
                    if (step.Other == member)
                    {
                        return null;
                    }
                    WithService(s => s.TransferAsync(Programme, _members[member], _members[step.Other], step.Points, key));
                    again = async s => (await s.TransferAsync(Programme, _members[member], _members[step.Other], step.Points, key)).Out.AlreadyApplied;
                    break;
                case LoyaltyStepKind.CancelRedemption:
                {
                    if (_redemptions.Count == 0)
                    {
                        return null;
                    }
                    var (redeemer, redemptionKey) = _redemptions[step.Ref % _redemptions.Count];
                    touched[0] = redeemer;
                    snapshots[0] = Snapshot(redeemer);
                    WithService(s => s.CancelRedemptionAsync(Programme, _members[redeemer], redemptionKey, key));
                    again = async s => (await s.CancelRedemptionAsync(Programme, _members[redeemer], redemptionKey, key)).AlreadyApplied;
                    break;
                }
            }
        }
        catch (CrmException)
        {
            // A refused operation (not enough points, already cancelled, blocked reversal) must change nothing.
            return touched.Select(Snapshot).SequenceEqual(snapshots) ? null : $"a refused {step.Kind} changed the ledger";
        }
        if (again is not null)
        {
            _done.Add((touched, again));
        }
        return null;
    }

    private static LedgerEntry Entry(LoyaltyAccount account, string key) => account.TryGetEntry(key, out var entry) ? entry : throw new InvalidOperationException(key);

    private string Snapshot(int member)
    {
        var account = Load(member);
        return account is null ? "none" : $"{account.Version}:{account.Entries.Count}:{account.BalanceAt(Now)}";
    }

    private string? CheckInvariants()
    {
        long transferredOut = 0, transferredIn = 0;
        for (var m = 0; m < _members.Length; m++)
        {
            var account = Load(m);
            if (account is null)
            {
                continue;
            }
            var problem = CheckAccount(account);
            if (problem is not null)
            {
                return $"member {m}: {problem}";
            }
            transferredOut += account.Entries.OfType<TransferOutEntry>().Sum(e => e.Allocated);
            transferredIn += account.Entries.OfType<TransferInEntry>().Sum(e => e.Credited);
        }
        return transferredOut == transferredIn ? null : $"transfers do not conserve points: {transferredOut} out, {transferredIn} in";
    }

    private string? CheckAccount(LoyaltyAccount account)
    {
        var now = Now;
        var balance = account.BalanceAt(now);
        var lots = account.Lots;
        var history = account.Entries.Sum(e => e.Points);
        var remaining = lots.Sum(l => l.Remaining);
        if (history != remaining - account.Deficit)
        {
            return $"the ledger sums to {history} but the lots hold {remaining} with deficit {account.Deficit}";
        }
        var materialised = account.Entries.OfType<ExpireEntry>().Sum(e => e.Allocated);
        if (balance.Available + balance.Pending + (balance.Expired - materialised) != history)
        {
            return $"balance {balance} does not match the ledger total {history}";
        }
        if (lots.Any(l => l.Remaining < 0))
        {
            return "a lot went below zero";
        }
        if (balance.Available < 0 && Programme.NegativeBalancePolicy != NegativeBalancePolicy.AllowNegative)
        {
            return $"available balance {balance.Available} is negative under {Programme.NegativeBalancePolicy}";
        }

        // Rebuild every lot independently from the entries: expiry and every debit only ever took what was there.
        var model = new Dictionary<long, long>();
        foreach (var entry in account.Entries)
        {
            switch (entry)
            {
                case CreditEntry credit:
                    model[credit.Sequence] = credit.Credited - credit.SettledDeficit;
                    break;
                case DebitEntry debit:
                    foreach (var a in debit.Allocations)
                    {
                        model[a.Lot] -= a.Points;
                        if (model[a.Lot] < 0)
                        {
                            return $"{entry.Kind} #{entry.Sequence} took more from lot {a.Lot} than it held";
                        }
                    }
                    break;
                case RedemptionCancelledEntry cancelled:
                    foreach (var a in cancelled.RestoredAllocations)
                    {
                        model[a.Lot] += a.Points;
                    }
                    break;
            }
        }
        if (!lots.All(l => model[l.Lot] == l.Remaining))
        {
            return "the lots differ from the ones rebuilt from the entries";
        }

        // Replaying the ledger rebuilds the same state: balances, and every piece of state kept up to date entry by
        // entry (lots, return bookkeeping, counters and tier-metric bounds, cap usage, reward counts, key hashes).
        var replayed = account.ReplayState();
        if (replayed.BalanceAt(now) != balance || replayed.Deficit != account.Deficit)
        {
            return $"replay gives {replayed.BalanceAt(now)} instead of {balance}";
        }
        var (live, rebuilt) = (account.State.Describe(), replayed.Describe());
        if (live != rebuilt)
        {
            return $"the live state differs from a full replay:\n{live}\nreplay:\n{rebuilt}";
        }
        if (account.State.Held != account.Lots.Sum(l => l.Remaining))
        {
            return $"the held-points counter {account.State.Held} differs from the lots' {account.Lots.Sum(l => l.Remaining)}";
        }
        var policy = Programme.Tiers;
        var (start, end) = policy.WindowAt(now, Programme.Zone);
        if (account.State.Metric(policy.Metric, start, end) > account.State.MetricUpperBound(policy.Metric))
        {
            return "the tier metric exceeds its maintained upper bound";
        }

        // The metric's shortcut (running totals while every earn lot is inside the window and nothing was returned)
        // agrees with the lot-by-lot sum, for every metric, over the policy's window, an earlier one and a narrow one.
        (Instant Start, Instant End)[] windows = [(start, end), (start - Duration.FromDays(40), end - Duration.FromDays(40)), (now - Duration.FromDays(3), now + Duration.Epsilon)];
        foreach (var metric in Enum.GetValues<TierMetric>())
        {
            foreach (var (from, to) in windows)
            {
                var (fast, scanned) = (account.State.Metric(metric, from, to), account.State.MetricByScan(metric, from, to));
                if (fast != scanned)
                {
                    return $"the {metric} metric over [{from}, {to}) is {fast} but the lots sum to {scanned}";
                }
            }
        }

        // Returns never take back more than the purchase awarded.
        foreach (var earn in account.Entries.OfType<EarnEntry>())
        {
            var reversed = account.Entries.OfType<ReverseEntry>().Where(r => r.PurchaseKey == earn.SourceId).Sum(r => r.PointsReversed);
            if (reversed > earn.Credited)
            {
                return $"purchase {earn.SourceId} awarded {earn.Credited} but {reversed} were reversed";
            }
        }
        return null;
    }
}
