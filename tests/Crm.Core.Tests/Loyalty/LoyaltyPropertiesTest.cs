using Crm.Core.Loyalty;
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

    private static Property Holds(LoyaltyScenario scenario, NegativeBalancePolicy policy)
    {
        using var runner = new LoyaltyScenarioRunner(policy);
        var problem = runner.Run(scenario);
        return (problem is null).Label(problem ?? "ok");
    }
}
