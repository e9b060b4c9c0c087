using System.Globalization;
using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Demo.Cli;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Loyalty: one member's points and tier moving through a year — registration, purchases with rule explanations,
/// a tier upgrade, a redemption, a partial return, a retried request, expiry and a downgrade — all through
/// <see cref="LoyaltyService"/> over the in-memory store.
/// </summary>
public static class LoyaltyShowcase
{
    /// <summary>Writes the showcase to the context's console.</summary>
    public static void Run(CliContext context)
    {
        var clock = new DemoClock(Instant.FromUtc(2026, 1, 5, 10, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseInMemoryStore();
        using var provider = services.BuildServiceProvider();

        var programme = new LoyaltyProgramme(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
            new EarningRuleSet(
            [
                new SpendRule("base", 1m),                                      // 1 point per euro; delivery excluded by default
                new MultiplierRule("shoes-x2", 2m, categories: ["shoes"]),      // double points on shoes
                new TierBonusRule("gold-bonus", "GOLD", 1.25m),                 // GOLD members earn 25 % more
                new EventRule("welcome", LoyaltyEventType.Registration, 100),
                new EventRule("first-order", LoyaltyEventType.FirstPurchase, 50),
            ]),
            expiry: ExpiryPolicy.AfterDays(365),
            negativeBalancePolicy: NegativeBalancePolicy.ClampAtZero,
            redemption: new RedemptionPolicy(new Money(0.01m, Currency.EUR), minimumBalance: 200, maximumOrderShare: 0.5m),
            tiers: new TierPolicy([new("BRONZE", 0m), new("SILVER", 500m), new("GOLD", 1500m)],
                window: QualificationWindowKind.RollingDays, windowDays: 365, downgrade: DowngradeMode.AtPeriodEnd));
        var member = new CustomerId("C-1001");

        var table = new Table().Title("Loyalty: one member's year").AddColumn("When").AddColumn("What").AddColumn(new TableColumn("Points").RightAligned())
            .AddColumn(new TableColumn("Available").RightAligned()).AddColumn("Tier");

        T Do<T>(Func<LoyaltyService, Task<T>> action)
        {
            using var scope = provider.CreateScope();
            return action(scope.ServiceProvider.GetRequiredService<LoyaltyService>()).GetAwaiter().GetResult();
        }

        void Row(string what, long points)
        {
            var account = Do(s => s.FindAccountAsync(programme, member))!;
            table.AddRow(clock.Now.InUtc().Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Markup.Escape(what),
                points.ToString("+#;-#;0", CultureInfo.InvariantCulture),
                account.BalanceAt(clock.Now).Available.ToString(CultureInfo.InvariantCulture), account.Tier);
        }

        Purchase Order(string id, params PurchaseLine[] lines) => Purchase.Create(new TransactionId(id), member, clock.Now, Channel.Web, lines);
        PurchaseLine Line(string sku, decimal price, string category, PurchaseLineKind kind = PurchaseLineKind.Product) =>
            new(new Sku(sku), 1m, new Money(price, Currency.EUR), category, kind: kind);

        var welcome = Do(s => s.AwardEventAsync(programme, member, new LoyaltyEvent(LoyaltyEventType.Registration, "registration", clock.Now)));
        Row("joined the club", welcome.Entry.Points);

        clock.Advance(Duration.FromDays(10));
        var first = Do(s => s.AccrueAsync(programme, Order("O-1", Line("RUN-1", 120m, "shoes"), Line("SHIP", 4.90m, "delivery", PurchaseLineKind.Delivery))));
        Row("order O-1: shoes + delivery", first.Entry.Points);

        clock.Advance(Duration.FromDays(30));
        var second = Do(s => s.AccrueAsync(programme, Order("O-2", Line("TENT-4", 480m, "outdoor"))));
        Row("order O-2: tent", second.Entry.Points);

        clock.Advance(Duration.FromDays(30));
        var third = Do(s => s.AccrueAsync(programme, Order("O-3", Line("BIKE-9", 900m, "bikes"))));
        Row("order O-3: bike", third.Entry.Points);

        clock.Advance(Duration.FromDays(5));
        var fourth = Do(s => s.AccrueAsync(programme, Order("O-4", Line("HELMET", 80m, "bikes"))));
        Row("order O-4: helmet, as GOLD", fourth.Entry.Points);

        var retried = Do(s => s.AccrueAsync(programme, Order("O-4", Line("HELMET", 80m, "bikes"))));
        Row($"O-4 resent: {(retried.AlreadyApplied ? "ignored" : "COUNTED TWICE")}", 0);

        clock.Advance(Duration.FromDays(2));
        var redeem = Do(s => s.RedeemAsync(programme, member, 400, "pay:O-5", new Money(60m, Currency.EUR)));
        Row("4.00 EUR of O-5 paid in points", redeem.Entry.Points);

        clock.Advance(Duration.FromDays(3));
        var refund = Purchase.CreateRefund(new TransactionId("R-3"), member, clock.Now, Channel.Branch, new TransactionId("O-3"),
            [new PurchaseLine(new Sku("BIKE-9"), -1m, new Money(450m, Currency.EUR), "bikes")]);
        var reverse = Do(s => s.ReverseAsync(programme, refund));
        Row("half of O-3 returned", reverse.Entry.Points);

        clock.Advance(Duration.FromDays(400));
        var expired = Do(s => s.ExpireDueAsync(programme, member));
        Row("13 months later: expiry", expired?.Points ?? 0);
        var change = Do(s => s.EvaluateTierAsync(programme, member));
        Row($"tier review: {change?.Reason.ToString() ?? "no change"}", 0);

        context.Console.Write(table);
        context.Console.MarkupLine("[bold]Why order O-1 earned {0} points:[/]", first.Entry.Points);
        foreach (var contribution in first.Entry.Contributions)
        {
            context.Console.MarkupLine("  {0}", Markup.Escape(contribution.Explain()));
        }
        var history = Do(s => s.FindAccountAsync(programme, member))!.TierHistory;
        context.Console.MarkupLine("[bold]Tier changes:[/]");
        foreach (var tierChange in history)
        {
            context.Console.MarkupLine("  {0}: {1} → {2} ({3}; {4})", tierChange.At.InUtc().Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                tierChange.From, tierChange.To, tierChange.Reason, Markup.Escape(tierChange.Evidence));
        }
    }

    /// <summary>A clock the story moves forward by hand.</summary>
    private sealed class DemoClock(Instant start) : IClock
    {
        public Instant Now { get; private set; } = start;

        public void Advance(Duration by) => Now += by;

        public Instant GetCurrentInstant() => Now;
    }
}
