using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Loyalty;

/// <summary>
/// State-machine style properties: random sequences of earn, redeem, expire, reverse, adjust, transfer, cancel,
/// time passing and repeated requests, run through <see cref="LoyaltyService"/> over the in-memory store.
/// </summary>
public class LoyaltyPropertiesTest
{
    [Property(Arbitrary = new[] { typeof(LoyaltyArbitraries) }, MaxTest = 60)]
    public Property Ledger_invariants_hold_when_negative_balances_are_allowed(LoyaltyScenario scenario) => Holds(scenario, NegativeBalancePolicy.AllowNegative);

    [Property(Arbitrary = new[] { typeof(LoyaltyArbitraries) }, MaxTest = 60)]
    public Property Ledger_invariants_hold_and_balances_never_go_negative_when_clamped(LoyaltyScenario scenario) => Holds(scenario, NegativeBalancePolicy.ClampAtZero);

    [Property(Arbitrary = new[] { typeof(LoyaltyArbitraries) }, MaxTest = 40)]
    public Property Ledger_invariants_hold_when_spent_returns_are_blocked(LoyaltyScenario scenario) => Holds(scenario, NegativeBalancePolicy.Block);

    /// <summary>
    /// The in-memory store shares ledger storage between the copies it hands out and keeps (copy on write): whatever a
    /// caller does to a loaded account without committing must leave the store as it was, and two copies loaded from
    /// the same version must not see each other's changes.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(LoyaltyArbitraries) }, MaxTest = 40)]
    public Property Loaded_copies_never_change_the_store_or_each_other(LoyaltyScenario scenario)
    {
        using var runner = new LoyaltyScenarioRunner(NegativeBalancePolicy.AllowNegative);
        var problem = runner.Run(scenario);
        for (var m = 0; m < LoyaltyScenario.Members && problem is null; m++)
        {
            problem = CopiesAreIsolated(runner, m);
        }
        return (problem is null).Label(problem ?? "ok");
    }

    private static string? CopiesAreIsolated(LoyaltyScenarioRunner runner, int member)
    {
        if (runner.Load(member) is not { } first || runner.Load(member) is not { } second)
        {
            return null;
        }
        var programme = runner.Programme;
        var stored = first.State.Describe();
        var now = runner.Now + Duration.FromDays(1);

        // Both copies append at the same position, then change existing lots (a debit, expiry) and the maps.
        var a = first.Accrue(programme, Purchase.Create(new TransactionId("iso-a"), runner.Member(member), now, Channel.Web, new Money(150m, Currency.EUR)), now).Entry;
        var b = second.Accrue(programme, Purchase.Create(new TransactionId("iso-b"), runner.Member(member), now, Channel.Web, new Money(250m, Currency.EUR)), now).Entry;
        first.Adjust(programme, 50, "isolation", "test", "iso-credit", now);
        if (first.BalanceAt(now).Available is > 0 and var available)
        {
            first.Adjust(programme, -available, "isolation", "test", "iso-debit", now); // takes from every available lot
        }
        first.ExpireDue(programme, now + Duration.FromDays(3650));
        if (second.TryGetEntry("iso-a", out _) || first.TryGetEntry("iso-b", out _))
        {
            return $"member {member}: one copy sees the other's entry";
        }
        if (!first.TryGetEntry("iso-a", out var foundA) || foundA != a || !second.TryGetEntry("iso-b", out var foundB) || foundB != b)
        {
            return $"member {member}: a copy lost its own entry";
        }
        if (first.State.Describe() != first.ReplayState().Describe() || second.State.Describe() != second.ReplayState().Describe())
        {
            return $"member {member}: a copy's state differs from its replay";
        }
        var reloaded = runner.Load(member)!.State.Describe();
        return reloaded == stored ? null : $"member {member}: changing loaded copies without committing changed the store";
    }

    private static Property Holds(LoyaltyScenario scenario, NegativeBalancePolicy policy)
    {
        using var runner = new LoyaltyScenarioRunner(policy);
        var problem = runner.Run(scenario);
        return (problem is null).Label(problem ?? "ok");
    }
}
