using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Tests.Loyalty;

/// <summary>Small builders so that tests state the programme and purchases in one line each.</summary>
internal static class LoyaltyTestData
{
    public static readonly ProgrammeId Programme = new("club");
    public static readonly CustomerId Alice = new("C-1");
    public static readonly CustomerId Bob = new("C-2");
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 10, 12, 0);

    public static LoyaltyProgramme Create(
        IEnumerable<EarningRule>? rules = null,
        ExpiryPolicy? expiry = null,
        Duration pending = default,
        NegativeBalancePolicy negative = NegativeBalancePolicy.AllowNegative,
        SpendingOrder order = SpendingOrder.SoonestExpiringFirst,
        RedemptionPolicy? redemption = null,
        TierPolicy? tiers = null) =>
        new(Programme, Currency.EUR, DateTimeZone.Utc, new EarningRuleSet(rules ?? [new SpendRule("base", 1m)]), expiry, pending, order, negative,
            MidpointRounding.ToZero, redemption, tiers);

    public static LoyaltyAccount Open(LoyaltyProgramme programme, CustomerId? customer = null) =>
        LoyaltyAccount.Open(new LoyaltyAccountId(programme.Id, customer ?? Alice), programme, T0 - Duration.FromDays(1));

    public static Purchase Buy(string id, decimal amount, Instant at, CustomerId? customer = null, Channel channel = Channel.Web) =>
        Purchase.Create(new TransactionId(id), customer ?? Alice, at, channel, new Money(amount, Currency.EUR));

    public static Purchase BuyLines(string id, Instant at, params PurchaseLine[] lines) =>
        Purchase.Create(new TransactionId(id), Alice, at, Channel.Web, lines);

    public static PurchaseLine Line(string sku, decimal amount, string? category = null, PurchaseLineKind kind = PurchaseLineKind.Product) =>
        new(new Sku(sku), 1m, new Money(amount, Currency.EUR), category, kind: kind);

    public static Purchase Refund(string id, string original, decimal amount, Instant at) =>
        Purchase.CreateRefund(new TransactionId(id), Alice, at, Channel.Web, new TransactionId(original),
            [new PurchaseLine(new Sku("RET"), -1m, new Money(amount, Currency.EUR))]);

    public static Instant Day(int days) => T0 + Duration.FromDays(days);
}
