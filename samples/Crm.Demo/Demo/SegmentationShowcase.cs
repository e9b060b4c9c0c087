using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Segmentation;
using Crm.Demo.Cli;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Segmentation: rules as JSON, a refresh that applies only the difference (who entered, who left), one customer
/// explained, a consent-aware audience and treatments by precedence.
/// </summary>
public static class SegmentationShowcase
{
    private const string ChampionsJson = """
        {"schema":1,"rule":{"all":[
          {"field":"purchases.count","op":"gte","value":5},
          {"field":"purchases.last","op":"gte","value":{"daysAgo":60}}]}}
        """;

    private const string AtRiskJson = """
        {"schema":1,"rule":{"all":[
          {"field":"purchases.count","op":"gte","value":3},
          {"not":{"field":"purchases.last","op":"gte","value":{"daysAgo":120}}}]}}
        """;

    /// <summary>Writes the showcase to the context's console.</summary>
    public static void Run(CliContext context) => RunAsync(context).GetAwaiter().GetResult();

    private static async Task RunAsync(CliContext context)
    {
        var console = context.Console;
        console.Write(new Rule("[bold]Segmentation[/]").LeftJustified());

        var clock = new DemoClock { Now = Instant.FromUtc(2024, 6, 1, 9, 0) };
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseInMemoryStore();
        using var provider = services.BuildServiceProvider();
        var profiles = provider.GetRequiredService<ICustomerProfileStore>();
        var today = new LocalDate(2024, 6, 1);

        // Twelve customers with different purchase rhythms; three have marketing consent by email.
        var random = new Random(7);
        for (var i = 1; i <= 12; i++)
        {
            await profiles.UpsertAsync(new CustomerProfile(new CustomerId($"C{i:000}"))
            {
                PurchaseCount = random.Next(0, 12),
                LastPurchaseDate = today.PlusDays(-random.Next(0, 200)),
                Consents = i % 3 == 1 ? [CustomerProfile.ConsentKey("marketing", Channel.Email)] : [],
            });
        }

        var champions = new SegmentId("champions");
        var atRisk = new SegmentId("at-risk");
        await InScope(provider, async s =>
        {
            await s.DefineDynamicAsync(champions, "Champions", SegmentDefinitionJson.Parse(ChampionsJson));
            await s.DefineDynamicAsync(atRisk, "At risk", SegmentDefinitionJson.Parse(AtRiskJson));
            await s.DefineStaticListAsync(new SegmentId("press"), "Press contacts");
            await s.IncludeAsync(new SegmentId("press"), new CustomerId("C003"));
        });

        console.MarkupLine("[grey]Champions rule (JSON):[/] " + Markup.Escape(SegmentDefinitionJson.Serialize(SegmentDefinitionJson.Parse(ChampionsJson))));
        Show(console, "First refresh", await InScope(provider, s => s.RefreshAllAsync()));

        // A month passes; two customers buy again, one champion goes quiet.
        clock.Now += Duration.FromDays(30);
        var now = clock.GetCurrentInstant().InUtc().Date;
        foreach (var (id, count) in new[] { ("C002", 9), ("C005", 6) })
        {
            var p = (await profiles.FindAsync(new CustomerId(id)))!;
            p.PurchaseCount = count;
            p.LastPurchaseDate = now;
            await profiles.UpsertAsync(p);
        }
        Show(console, "A month later: only the changes are applied", await InScope(provider, s => s.RefreshAllAsync()));
        Show(console, "Refreshing again changes nothing", await InScope(provider, s => s.RefreshAllAsync()));

        var explained = await InScope(provider, s => s.ExplainAsync(champions, new CustomerId("C001")));
        var explain = new Table().Title("Why is C001 (not) a champion?").AddColumn("Condition").AddColumn("Matched").AddColumn("Actual");
        foreach (var condition in explained.Conditions)
        {
            explain.AddRow(Markup.Escape(condition.Condition), condition.Matched ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(condition.Actual ?? "-"));
        }
        console.Write(explain);

        var members = await InScope(provider, s => s.GetMembersAsync(champions));
        var audience = await InScope(provider, s => s.GetAudienceAsync(champions, AudiencePurpose.Marketing(Channel.Email)));
        console.MarkupLine($"Champions: {members.Count} members, {audience.Count} may receive marketing email (consent); a service notice reaches all {members.Count}.");

        var plan = new TreatmentPlan(
            [
                new TreatmentRule(champions, new Treatment("serviceLevel", "priority line"), 20),
                new TreatmentRule(atRisk, new Treatment("serviceLevel", "retention desk"), 30),
                new TreatmentRule(atRisk, new Treatment("offer", "win-back 10%"), 1),
            ],
            additiveDimensions: ["offer"]);
        var treatments = new Table().Title("Treatments (highest priority wins)").AddColumn("Customer").AddColumn("Segments").AddColumn("Treatments");
        foreach (var id in members.Take(3).Concat((await InScope(provider, s => s.GetMembersAsync(atRisk))).Take(2)).Distinct())
        {
            var segments = await InScope(provider, s => s.GetSegmentsOfAsync(id));
            treatments.AddRow(id.Value, string.Join(", ", segments), Markup.Escape(string.Join("; ", plan.Resolve(segments).Select(t => $"{t.Treatment.Dimension}={t.Treatment.Value}"))));
        }
        console.Write(treatments);
    }

    /// <summary>A clock the demo moves by hand, so "a month later" is reproducible.</summary>
    private sealed class DemoClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }

    private static void Show(IAnsiConsole console, string title, IReadOnlyList<SegmentRefreshResult> results)
    {
        var table = new Table().Title(title).AddColumn("Segment").AddColumn("Entered").AddColumn("Left").AddColumn("Members");
        foreach (var r in results)
        {
            table.AddRow(r.SegmentId.Value, string.Join(" ", r.Entered), string.Join(" ", r.Left), r.MemberCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }

    private static async Task<T> InScope<T>(ServiceProvider provider, Func<SegmentService, Task<T>> action)
    {
        using var scope = provider.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }

    private static async Task InScope(ServiceProvider provider, Func<SegmentService, Task> action)
    {
        using var scope = provider.CreateScope();
        await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }
}
