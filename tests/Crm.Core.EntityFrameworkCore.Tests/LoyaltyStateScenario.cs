using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// A ledger touching every kind of state (lots with remaining and expired points, returns, a cap, reward counts, a
/// cancelled redemption, a transfer, adjustments, a tier change). The same code produced the stored fixture with the
/// library as it was before the ledger's storage changed (see LoyaltyStateCompatibilityTest).
/// </summary>
internal static class LoyaltyStateScenario
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 10, 12, 0);

    public static LoyaltyProgramme Programme { get; } = new(new ProgrammeId("compat"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet(
        [
            new SpendRule("base", 1m),
            new MultiplierRule("shoes", 2m, categories: ["shoes"]),
            new SpendRule("capped", 0.5m, cap: new RuleCap(CapPeriod.Month, 60)),
            new TierBonusRule("silver", "SILVER", 1.5m),
            new EventRule("first", LoyaltyEventType.FirstPurchase, 100),
            new EventRule("birthday", LoyaltyEventType.Birthday, 25),
        ]),
        ExpiryPolicy.AfterDays(30),
        redemption: new RedemptionPolicy(new Money(0.01m, Currency.EUR), catalogue: [new Reward("mug", 50, perMemberLimit: 2)]),
        tiers: new TierPolicy([new TierDefinition("BRONZE", 0m), new TierDefinition("SILVER", 300m)]));

    public static (LoyaltyAccount Alice, LoyaltyAccount Bob) Build()
    {
        var p = Programme;
        var alice = LoyaltyAccount.Open(new LoyaltyAccountId(p.Id, new CustomerId("C-1")), p, T0);
        var bob = LoyaltyAccount.Open(new LoyaltyAccountId(p.Id, new CustomerId("C-2")), p, T0);
        PurchaseLine Line(string sku, decimal amount, string? category = null) => new(new Sku(sku), 1m, new Money(amount, Currency.EUR), category);
        Purchase Buy(string id, int day, params PurchaseLine[] lines) => Purchase.Create(new TransactionId(id), alice.CustomerId, T0 + Duration.FromDays(day), Channel.Web, lines);
        alice.Accrue(p, Buy("P1", 0, Line("S1", 100m, "shoes"), Line("B1", 50m, "books")), T0);
        alice.Accrue(p, Buy("P2", 1, Line("B2", 120m, "books")), T0 + Duration.FromDays(1));
        alice.AwardEvent(p, new LoyaltyEvent(LoyaltyEventType.Birthday, "bday-2026", T0 + Duration.FromDays(2)), T0 + Duration.FromDays(2));
        alice.Redeem(p, 120, "R1", T0 + Duration.FromDays(3));
        alice.RedeemReward(p, "mug", "R2", T0 + Duration.FromDays(3));
        alice.Reverse(p, "P1", 40m, "RET-1", T0 + Duration.FromDays(4));
        alice.Adjust(p, 30, "goodwill", "agent-7", "A1", T0 + Duration.FromDays(5));
        alice.Adjust(p, -10, "correction", "agent-7", "A2", T0 + Duration.FromDays(5));
        alice.CancelRedemption(p, "R1", "C1", T0 + Duration.FromDays(6));
        LoyaltyAccount.Transfer(p, alice, bob, 40, "X1", T0 + Duration.FromDays(7));
        alice.Accrue(p, Buy("P3", 8, Line("S2", 90m, "shoes")), T0 + Duration.FromDays(8));
        alice.ExpireDue(p, T0 + Duration.FromDays(33));
        alice.Accrue(p, Buy("P4", 34, Line("B3", 10m, "books")), T0 + Duration.FromDays(34));
        return (alice, bob);
    }
}
