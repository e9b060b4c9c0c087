using System.Globalization;
using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using Crm.Demo.Cli;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// A lifecycle journey: Ada signs up, buys, becomes a repeat customer, goes quiet (at risk, lapsed, churned), comes
/// back (reactivated), marries, and gets next-best offers with reasons; then the holdings report on a small portfolio.
/// </summary>
public static class LifecycleShowcase
{
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    /// <summary>Writes the showcase to the context's console.</summary>
    public static void Run(CliContext context)
    {
        var console = context.Console;
        console.Write(new Rule("[bold]Customer lifecycle[/]").LeftJustified());

        var start = new LocalDate(2025, 1, 6);
        Instant At(LocalDate day) => day.At(new LocalTime(10, 0)).InZoneLeniently(Zone).ToInstant();

        var customer = Customer.Register(new CustomerId("c-1001"), CustomerName.Person("Ada", "Lovelace"), At(start));
        customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, At(start), "signup form");
        customer.OpenProduct(new ProductId("current-1001"), "current-account", start, At(start));
        var lifecycle = CustomerLifecycle.Start(customer.Id, LifecycleModel.B2C, At(start), "web-signup");
        lifecycle.Advance(LifecycleModel.B2CStages.Lead, At(start), "web-signup", "newsletter sign-up");

        // Ada buys every week for ten weeks; the default rules move her up as the facts come in.
        var evaluator = new EngagementEvaluator(EngagementRules.Default, Zone);
        var rules = TransitionRuleSet.DefaultB2C;
        var purchases = 0;
        for (var week = 0; week < 10; week++)
        {
            var day = start.PlusDays(7 * (week + 1));
            lifecycle.RecordPurchase(day);
            purchases++;
            lifecycle.ApplyRules(rules, new LifecycleFacts(purchases, ProductsHeld: 1, ProductCategoriesHeld: 1), At(day));
        }
        lifecycle.ApplyRules(rules, new LifecycleFacts(purchases, 1, 1, ServiceInteractions: 1), At(start.PlusDays(75)));

        // Then silence, and the nightly job evaluates her engagement; she comes back on day 160.
        var statusRows = new List<(LocalDate Day, EngagementStatus Status)>();
        foreach (var offset in new[] { 72, 85, 92, 99, 130 })
        {
            var day = start.PlusDays(offset);
            statusRows.Add((day, lifecycle.Evaluate(evaluator, At(day))));
        }
        // She comes back on day 160 and buys weekly again: Reactivated for 90 days, then Active.
        var comeback = start.PlusDays(160);
        for (var k = 0; k <= 13; k++)
        {
            var day = comeback.PlusDays(7 * k);
            lifecycle.RecordPurchase(day);
            if (k is 0 or 10 or 13)
            {
                statusRows.Add((day, lifecycle.Evaluate(evaluator, At(day))));
            }
        }

        var history = new Table().Title("Stage history").AddColumn("When").AddColumn("From").AddColumn("To").AddColumn("By");
        foreach (var t in lifecycle.History)
        {
            history.AddRow(Day(t.At), t.From ?? "–", t.To, Markup.Escape(t.RuleId is null ? $"{t.Actor} ({t.Reason ?? t.Kind.ToString()})" : $"rule {t.RuleId}"));
        }
        console.Write(history);
        console.MarkupLine($"Highest stage reached: [bold]{lifecycle.HighestStage.DisplayName}[/]; touchpoints: {string.Join(", ", lifecycle.Touchpoints.Select(t => t.Name))}");

        var engagement = new Table().Title("Engagement (weekly buyer: typical interval 7 days)").AddColumn("Evaluated on").AddColumn("Days since last purchase").AddColumn("Status");
        foreach (var (day, status) in statusRows)
        {
            // The last purchase on or before the evaluation day: weekly until day 70, weekly again from day 160.
            var last = day < comeback ? start.PlusDays(70) : comeback.PlusDays(7 * (Period.DaysBetween(comeback, day) / 7));
            var since = Period.DaysBetween(last, day);
            engagement.AddRow(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), since.ToString(CultureInfo.InvariantCulture), status.ToString());
        }
        console.Write(engagement);

        // Life event → next-best offers, ranked with reasons; the card offer is excluded (no consent for SMS).
        customer.RecordLifeEvent(LifeEventType.Marriage, start.PlusDays(240), "branch form", At(start.PlusDays(241)));
        var profile = new CustomerProfile(customer.Id)
        {
            Holdings = [new ProfileHolding { ProductId = "current-1001", Category = "current-account", IsActive = true, OpenedOn = start }],
        };
        lifecycle.ProjectTo(profile);
        var engine = new NextBestOfferEngine(
        [
            new OfferRule("mortgage-after-marriage", new ProductId("mortgage"),
                [OfferCondition.LifeEventWithin(LifeEventType.Marriage, 180, "married in the last 6 months")], priority: 10),
            new OfferRule("joint-account", new ProductId("joint-account"),
                [OfferCondition.LifeEventWithin(LifeEventType.Marriage, 365, "recently married"),
                 OfferCondition.Profile("holds a current account", new HoldsCondition(null, "current-account"))], priority: 8),
            new OfferRule("welcome-back", new ProductId("voucher-10"),
                [OfferCondition.EngagementIn(EngagementStatus.Reactivated, EngagementStatus.Active),
                 OfferCondition.StageAtLeast(LifecycleModel.B2CStages.RepeatCustomer)], priority: 3),
            new OfferRule("credit-card-sms", new ProductId("credit-card"),
                [OfferCondition.HoldsCategory("current-account")], priority: 20, channel: ContactChannel.Sms),
            new OfferRule("graduate-car-loan", new ProductId("car-loan"),
                [OfferCondition.LifeEventWithin(LifeEventType.Graduation, 365)], priority: 15),
        ], Zone);
        var asOf = At(start.PlusDays(251));
        var offers = new Table().Title("Next-best offers for Ada").AddColumn("#").AddColumn("Offer").AddColumn("Why");
        foreach (var offer in engine.NextBestOffers(new OfferContext(customer, profile, lifecycle), asOf, max: 3))
        {
            offers.AddRow(offer.Rank.ToString(CultureInfo.InvariantCulture), offer.Offer.Product.Value, Markup.Escape(string.Join("; ", offer.Reasons)));
        }
        console.Write(offers);
        foreach (var decision in engine.Explain(new OfferContext(customer, profile, lifecycle), asOf).Where(d => d.Outcome != OfferOutcome.Eligible))
        {
            console.MarkupLine(Markup.Escape($"  not offered: {decision.Offer.Id} — {decision.Outcome}"));
        }

        HoldingsReport(console);
    }

    private static void HoldingsReport(IAnsiConsole console)
    {
        // A small generated portfolio in which more products mean fewer leavers, as in retail banking.
        var from = new LocalDate(2025, 1, 1);
        var to = new LocalDate(2025, 12, 31);
        var random = new Random(7);
        var churnChance = new[] { 0.5, 0.33, 0.1 };
        var categories = new[] { "current-account", "savings", "credit-card", "mortgage" };
        var profiles = Enumerable.Range(0, 3000).Select(i =>
        {
            var held = 1 + (i % 4);
            var leaves = random.NextDouble() < churnChance[Math.Min(held, 3) - 1];
            var closed = leaves ? from.PlusDays(random.Next(1, 360)) : (LocalDate?)null;
            return new CustomerProfile(new CustomerId($"p{i}"))
            {
                Holdings = [.. categories.Take(held).Select(c => new ProfileHolding { ProductId = $"{c}-{i}", Category = c, OpenedOn = from.PlusDays(-30), ClosedOn = closed, IsActive = !leaves })],
            };
        }).ToList();

        var report = HoldingsAnalysis.ChurnByProductsHeld(profiles, from, to);
        var table = new Table().Title("Churn by products held, 2025").AddColumn("Products").AddColumn("Customers").AddColumn("Churned").AddColumn("Churn rate");
        foreach (var bucket in report.Buckets)
        {
            table.AddRow(bucket.Label, bucket.Customers.ToString(CultureInfo.InvariantCulture), bucket.Churned.ToString(CultureInfo.InvariantCulture),
                bucket.ChurnRate.ToString("P0", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        var family = new CategoryFamily("everyday banking", "current-account", "savings", "credit-card");
        var candidates = HoldingsAnalysis.CrossSellCandidates(profiles, family, to).Count();
        console.MarkupLine($"Cross-sell candidates (1–2 of {family.Categories.Count} everyday-banking products): [bold]{candidates}[/]");
    }

    private static string Day(Instant instant) => instant.InZone(Zone).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
