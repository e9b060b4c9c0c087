using Crm.Core.Lifecycle;
using Crm.Core.Purchases;
using Crm.Demo.Data;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Lifecycle: every customer's journey replayed from the data — registration makes a lead, the default B2C rules move
/// buyers to first-time, repeat and loyal customers — and the nightly engagement evaluation (active, at risk, lapsed,
/// churned, reactivated) 90 days ago and today.
/// </summary>
public static class LifecycleShowcase
{
    /// <summary>The engagement rules' evaluator in the shop's zone.</summary>
    public static readonly EngagementEvaluator Evaluator = new(EngagementRules.Default, RetailDataSet.Zone);

    /// <summary>
    /// Replays one customer's lifecycle up to the end of <paramref name="asOf"/>: the sign-up, each purchase day with the
    /// default transition rules applied, returns as service touchpoints, then the engagement evaluation.
    /// </summary>
    public static CustomerLifecycle Follow(GeneratedCustomer generated, IEnumerable<Purchase> purchases, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(purchases);
        var customer = generated.Customer;
        var actor = generated.RegisteredVia.ToString().ToLowerInvariant();
        var lifecycle = CustomerLifecycle.Start(customer.Id, LifecycleModel.B2C, customer.CreatedAt, actor);
        lifecycle.Advance(LifecycleModel.B2CStages.Lead, customer.CreatedAt, actor, "registered");
        int days = 0, returns = 0;
        foreach (var purchase in purchases.Where(p => p.OccurredAt.InZone(RetailDataSet.Zone).Date <= asOf))
        {
            if (purchase.IsRefund)
            {
                returns++;
            }
            else if (lifecycle.RecordPurchase(purchase.OccurredAt.InZone(RetailDataSet.Zone).Date))
            {
                days++;
            }
            // The facts a host knows at that moment; the rule set decides the stage.
            lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(days, ServiceInteractions: returns), purchase.OccurredAt);
        }
        lifecycle.Evaluate(Evaluator, asOf.PlusDays(1).AtStartOfDayInZone(RetailDataSet.Zone).ToInstant());
        return lifecycle;
    }

    /// <summary>Writes the showcase.</summary>
    public static Task RunAsync(DemoContext demo)
    {
        var console = demo.Console;
        var data = demo.Data;
        console.Write(new Rule("[bold]Customer lifecycle[/]").LeftJustified());

        var today = data.Customers.Select(c => Follow(c, data.PurchasesOf[c.Customer.Id], data.Today)).ToList();
        var before = data.Customers.Select(c => Follow(c, data.PurchasesOf[c.Customer.Id], data.Today.PlusDays(-90))).ToList();

        var stages = new BarChart().Width(70).Label($"[bold]Current stage, {DemoContext.Day(data.Today)}[/]");
        foreach (var stage in LifecycleModel.B2C.Stages)
        {
            stages.AddItem(stage.DisplayName, today.Count(l => l.CurrentStage.Id == stage.Id), Color.Aqua);
        }
        console.Write(stages);

        // Every transition is recorded with who or which rule made it: an audit trail per customer.
        var transitions = new Table().Title("Stage transitions").AddColumns("From", "To", "By", "Customers");
        foreach (var g in today.SelectMany(l => l.History).Where(t => t.From is not null)
                     .GroupBy(t => (t.From, t.To, By: t.RuleId is null ? t.Kind.ToString() : $"rule {t.RuleId}"))
                     .OrderBy(g => LifecycleModel.B2C.RankOf(g.Key.To)).ThenBy(g => g.Key.By, StringComparer.Ordinal))
        {
            transitions.AddRow(g.Key.From!, g.Key.To, Markup.Escape(g.Key.By), DemoContext.N(g.Count()));
        }
        transitions.Columns[3].RightAligned();
        console.Write(transitions);

        var engagement = new Table().Title("Engagement status (typical interval per customer)")
            .AddColumns($"Status", DemoContext.Day(data.Today.PlusDays(-90)), DemoContext.Day(data.Today));
        foreach (var status in Enum.GetValues<EngagementStatus>())
        {
            engagement.AddRow(status.ToString(), DemoContext.N(before.Count(l => l.EngagementStatus == status)), DemoContext.N(today.Count(l => l.EngagementStatus == status)));
        }
        engagement.Columns[1].RightAligned();
        engagement.Columns[2].RightAligned();
        console.Write(engagement);
        var changed = before.Zip(today).Count(p => p.First.EngagementStatus != p.Second.EngagementStatus);
        var reactivated = today.Count(l => l.EngagementStatus == EngagementStatus.Reactivated);
        console.MarkupLine($"{DemoContext.N(changed)} customers changed engagement status in 90 days; {DemoContext.N(reactivated)} came back after going quiet (reactivated).");

        var featured = today.Single(l => l.CustomerId == data.Featured);
        var history = new Table().Title($"Stage history of {data.Featured} {demo.NameOf(data.Featured)}").AddColumns("When", "From", "To", "By");
        foreach (var t in featured.History)
        {
            history.AddRow(DemoContext.Day(t.At), t.From ?? "–", t.To, Markup.Escape(t.RuleId is null ? $"{t.Actor} ({t.Reason ?? t.Kind.ToString()})" : $"rule {t.RuleId}"));
        }
        console.Write(history);
        console.MarkupLine($"Engagement today: [bold]{featured.EngagementStatus}[/]; touchpoints: {Markup.Escape(string.Join(", ", featured.Touchpoints.Select(t => t.Name).DefaultIfEmpty("none")))}");
        return Task.CompletedTask;
    }
}
