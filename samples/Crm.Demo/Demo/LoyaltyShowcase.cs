using System.Globalization;
using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Demo.Data;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Loyalty: the followed customer's purchases and return recorded through <see cref="PurchaseRecorder"/> (points) and
/// <see cref="LoyaltyService"/> (welcome bonus, expiry, tier review) over the EF Core store — points with rule explanations, tiers moving up and down, a return taking points back — then the
/// tiers the most frequent buyers reach.
/// </summary>
public static class LoyaltyShowcase
{
    /// <summary>How many of the most frequent buyers join the club in the demo (each operation is one unit of work).</summary>
    public const int ClubSize = 20;

    /// <summary>The programme: 1 point per euro, double on camping gear, tiers on the points of a rolling year.</summary>
    public static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), RetailDataSet.Currency, RetailDataSet.Zone,
        new EarningRuleSet(
        [
            new SpendRule("base", 1m),                                             // 1 point per euro
            new MultiplierRule("camping-x2", 2m, categories: ["tents", "sleeping"]), // double points on camping gear
            new TierBonusRule("gold-bonus", "GOLD", 1.25m),                        // GOLD members earn 25 % more
            new EventRule("welcome", LoyaltyEventType.Registration, 100),
        ]),
        expiry: ExpiryPolicy.AfterDays(365),
        negativeBalancePolicy: NegativeBalancePolicy.ClampAtZero,
        redemption: new RedemptionPolicy(new Money(0.01m, RetailDataSet.Currency), minimumBalance: 200, maximumOrderShare: 0.5m),
        tiers: new TierPolicy([new("BRONZE", 0m), new("SILVER", 750m), new("GOLD", 2500m)],
            window: QualificationWindowKind.RollingDays, windowDays: 365, downgrade: DowngradeMode.AtPeriodEnd));

    // Purchases earn in the club; lifecycles are the lifecycle showcase's.
    private static readonly PurchaseRecordingOptions Recording = new(RetailDataSet.Zone) { Programme = Programme };

    /// <summary>Writes the showcase.</summary>
    public static async Task RunAsync(DemoContext demo)
    {
        var console = demo.Console;
        var data = demo.Data;
        console.Write(new Rule("[bold]Loyalty: points and tiers over time[/]").LeftJustified());

        var member = data.Featured;
        var table = new Table().Title($"{member} {demo.NameOf(member)} in the club").AddColumns("When", "What", "Points", "Available", "Tier");
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        EarnEntry? explained = null;
        await ReplayAsync(demo, member, async (what, entry) =>
        {
            var account = await demo.InScopeAsync<LoyaltyService, LoyaltyAccount?>(s => s.FindAccountAsync(Programme, member));
            table.AddRow(DemoContext.Day(demo.Clock.Now), Markup.Escape(what), (entry?.Points ?? 0).ToString("+#;-#;0", CultureInfo.InvariantCulture),
                DemoContext.N(account!.BalanceAt(demo.Clock.Now).Available), account.Tier);
            // Keep the first earn that more than one rule contributed to: its explanation teaches the most.
            explained ??= entry is EarnEntry { Contributions.Count: > 1 } earn ? earn : null;
        });
        console.Write(table);
        if (explained is not null)
        {
            console.MarkupLine($"[bold]Why order {Markup.Escape(explained.SourceId)} earned {explained.Points} points:[/]");
            foreach (var contribution in explained.Contributions)
            {
                console.MarkupLine("  " + Markup.Escape(contribution.Explain()));
            }
        }
        var history = (await demo.InScopeAsync<LoyaltyService, LoyaltyAccount?>(s => s.FindAccountAsync(Programme, member)))!.TierHistory;
        console.MarkupLine("[bold]Tier changes:[/]");
        foreach (var change in history)
        {
            console.MarkupLine("  {0}: {1} → {2} ({3}; {4})", DemoContext.Day(change.At), change.From, change.To, change.Reason, Markup.Escape(change.Evidence));
        }

        // The club: the most frequent buyers, replayed the same way; where their tiers stand today.
        var club = data.Customers.Select(c => c.Customer.Id).Where(id => id != member)
            .OrderByDescending(id => data.PurchasesOf[id].Count()).ThenBy(id => id).Take(ClubSize - 1).ToList();
        foreach (var id in club)
        {
            await ReplayAsync(demo, id, (_, _) => Task.CompletedTask);
        }
        var tiers = new BarChart().Width(70).Label($"[bold]Tiers of the {ClubSize} most frequent buyers, {DemoContext.Day(data.Today)}[/]");
        var accounts = new List<LoyaltyAccount>();
        foreach (var id in club.Append(member))
        {
            accounts.Add((await demo.InScopeAsync<LoyaltyService, LoyaltyAccount?>(s => s.FindAccountAsync(Programme, id)))!);
        }
        foreach (var (tier, color) in new[] { ("BRONZE", Color.Orange3), ("SILVER", Color.Silver), ("GOLD", Color.Gold1) })
        {
            tiers.AddItem(tier, accounts.Count(a => a.Tier == tier), color);
        }
        console.Write(tiers);
        console.MarkupLine($"Points outstanding in the club: [bold]{DemoContext.N(accounts.Sum(a => a.BalanceAt(data.Now).Available))}[/]; tier changes so far: {DemoContext.N(accounts.Sum(a => a.TierHistory.Count))}.");
        demo.Clock.Now = data.Now;
    }

    /// <summary>
    /// Replays a customer's history: the welcome bonus, every purchase and return at the time it happened (the clock
    /// moves with it), the tier review and expiry today. Each call is one unit of work.
    /// </summary>
    private static async Task ReplayAsync(DemoContext demo, CustomerId member, Func<string, LedgerEntry?, Task> row)
    {
        var registered = demo.Data.CustomerById[member].Customer.CreatedAt;
        demo.Clock.Now = registered;
        var welcome = await demo.InScopeAsync<LoyaltyService, LedgerResult<EarnEntry>>(s =>
            s.AwardEventAsync(Programme, member, new LoyaltyEvent(LoyaltyEventType.Registration, "registration", registered)));
        await row("joined the club", welcome.Entry);
        foreach (var purchase in demo.Data.PurchasesOf[member])
        {
            demo.Clock.Now = purchase.OccurredAt;
            // The call a till makes for a new purchase. These purchases are already stored (imported history), so each
            // recording finds its transaction and completes what the import left out: the points, or a return's reversal.
            var recorded = await demo.InScopeAsync<PurchaseRecorder, PurchaseRecording>(r => r.RecordAsync(purchase, Recording));
            await row($"{(purchase.IsRefund ? "return" : "order")} {purchase.Id}: {purchase.Total}", recorded.LoyaltyEntry);
        }
        demo.Clock.Now = demo.Data.Now;
        if (await demo.InScopeAsync<LoyaltyService, ExpireEntry?>(s => s.ExpireDueAsync(Programme, member)) is { } expired)
        {
            await row("points older than a year expire", expired);
        }
        if (await demo.InScopeAsync<LoyaltyService, TierChange?>(s => s.EvaluateTierAsync(Programme, member)) is { } change)
        {
            await row($"tier review: {change.From} → {change.To}", null);
        }
    }
}
