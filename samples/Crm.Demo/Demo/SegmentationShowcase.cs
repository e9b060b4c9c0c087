using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.EntityFrameworkCore.Segmentation;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using Crm.Demo.Data;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Segmentation: rules as JSON evaluated by SQL against the profiles in SQLite (the EF-backed
/// <see cref="ICustomerProfileStore"/>), refreshed a month ago and today so only the differences are applied — who
/// entered, who left — then one customer explained and a consent-aware audience.
/// </summary>
public static class SegmentationShowcase
{
    private static readonly (SegmentId Id, string Name, string Json)[] Segments =
    [
        (new("champions"), "Champions", """{"schema":1,"rule":{"all":[{"field":"rfm.segment","op":"eq","value":"Champions"}]}}"""),
        (new("regulars"), "Regulars", """{"schema":1,"rule":{"all":[{"field":"purchases.count","op":"gte","value":4},{"field":"purchases.last","op":"gte","value":{"daysAgo":90}}]}}"""),
        (new("at-risk"), "At risk", """{"schema":1,"rule":{"all":[{"field":"purchases.count","op":"gte","value":3},{"not":{"field":"purchases.last","op":"gte","value":{"daysAgo":120}}}]}}"""),
        (new("campers"), "Bought a tent this year", """{"schema":1,"rule":{"purchased":"category","key":"tents","since":{"daysAgo":365}}}"""),
        (new("lapsed"), "Lapsed or churned", """{"schema":1,"rule":{"field":"lifecycle.engagement","op":"in","values":["Lapsed","Churned"]}}"""),
    ];

    /// <summary>Writes the showcase.</summary>
    public static async Task RunAsync(DemoContext demo, RfmResult<CustomerId> rfmToday)
    {
        var console = demo.Console;
        var data = demo.Data;
        console.Write(new Rule("[bold]Segmentation: who entered, who left[/]").LeftJustified());

        foreach (var (id, name, json) in Segments)
        {
            await demo.InScopeAsync<SegmentService, Segment>(s => s.DefineDynamicAsync(id, name, SegmentDefinitionJson.Parse(json)));
        }
        console.MarkupLine("[grey]Regulars rule (JSON):[/] " + Markup.Escape(Segments[1].Json));

        // A month ago: profiles as they were then, the clock set then ("daysAgo" counts from the clock).
        var monthAgo = data.Today.PlusDays(-30);
        var rfmThen = await demo.InScopeAsync<DatabaseRfmCalculator, RfmResult<CustomerId>>(c => c.ComputeAsync(RfmShowcase.Options(monthAgo)));
        var stored = await UpsertProfilesAsync(demo, monthAgo, rfmThen);
        demo.Clock.Now = monthAgo.PlusDays(1).AtStartOfDayInZone(RetailDataSet.Zone).ToInstant() - Duration.FromSeconds(1);
        var first = await demo.InScopeAsync<SegmentService, IReadOnlyList<SegmentRefreshResult>>(s => s.RefreshAllAsync());

        // Today: new purchases, new RFM scores, new engagement; the refresh applies only the difference.
        await UpsertProfilesAsync(demo, data.Today, rfmToday, stored);
        demo.Clock.Now = data.Now;
        var second = await demo.InScopeAsync<SegmentService, IReadOnlyList<SegmentRefreshResult>>(s => s.RefreshAllAsync());

        var table = new Table().Title($"Segment refreshes on {DemoContext.Day(monthAgo)} and {DemoContext.Day(data.Today)}")
            .AddColumns("Segment", "Members a month ago", "Entered", "Left", "Members today", "For example");
        foreach (var (before, after) in first.Zip(second))
        {
            var example = after.Entered.Take(2).Select(id => "+" + demo.NameOf(id)).Concat(after.Left.Take(1).Select(id => "−" + demo.NameOf(id)));
            table.AddRow(Segments.Single(s => s.Id == after.SegmentId).Name, DemoContext.N(before.MemberCount), "[green]+" + DemoContext.N(after.Entered.Count) + "[/]",
                "[red]−" + DemoContext.N(after.Left.Count) + "[/]", DemoContext.N(after.MemberCount), string.Join(", ", example));
        }
        foreach (var column in table.Columns.Skip(1).Take(4))
        {
            column.RightAligned();
        }
        console.Write(table);
        var again = await demo.InScopeAsync<SegmentService, IReadOnlyList<SegmentRefreshResult>>(s => s.RefreshAllAsync());
        console.MarkupLine($"Refreshing again changes {DemoContext.N(again.Sum(r => r.Entered.Count + r.Left.Count))} memberships: a refresh is idempotent.");

        var regulars = Segments[1].Id;
        var explanation = await demo.InScopeAsync<SegmentService, RuleExplanation>(s => s.ExplainAsync(regulars, data.Featured));
        var explain = new Table().Title($"Is {data.Featured} {demo.NameOf(data.Featured)} a regular? {(explanation.Matched ? "[green]yes[/]" : "[red]no[/]")}")
            .AddColumns("Condition", "Matched", "Actual");
        foreach (var condition in explanation.Conditions)
        {
            explain.AddRow(Markup.Escape(condition.Condition), condition.Matched ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(condition.Actual ?? "-"));
        }
        console.Write(explain);

        // Consent everywhere: segments are marketing by email unless stated, so members are the rule's matches whose
        // consent is in force at the refresh; an audience for another channel checks that channel's consent now.
        var matches = await demo.InScopeAsync<SegmentService, long>(s => s.PreviewAsync(SegmentDefinitionJson.Parse(Segments[1].Json),
            PurposeOfUse.NonMarketing(ConsentPurpose.Research, ContactChannel.Email, LawfulBasis.LegitimateInterests, "count for the demo, nobody is contacted", "crm-demo")));
        var members = await demo.InScopeAsync<SegmentService, IReadOnlyList<CustomerId>>(s => s.GetMembersAsync(regulars));
        var sms = await demo.InScopeAsync<SegmentService, IReadOnlyList<CustomerId>>(s => s.GetAudienceAsync(regulars, PurposeOfUse.Marketing(ContactChannel.Sms)));
        console.MarkupLine($"Regulars: the rule matches {DemoContext.N(matches)} customers; {DemoContext.N(members.Count)} are members (marketing email consent in force), "
            + $"{DemoContext.N(sms.Count)} of them may also get marketing SMS.");
    }

    /// <summary>
    /// The host's projector: builds each customer's read model as of a day from the customer record, the purchases,
    /// the lifecycle and the RFM scores, and stores the profiles that differ from what was stored before (a projector
    /// that rewrites unchanged rows only makes the database busy).
    /// </summary>
    private static async Task<Dictionary<CustomerId, string>> UpsertProfilesAsync(DemoContext demo, LocalDate asOf, RfmResult<CustomerId> rfm,
        Dictionary<CustomerId, string>? stored = null)
    {
        var scores = rfm.ToDictionary(c => c.Customer);
        var end = asOf.PlusDays(1).AtStartOfDayInZone(RetailDataSet.Zone).ToInstant();
        var profiles = demo.Data.Customers.Select(generated =>
        {
            var id = generated.Customer.Id;
            var purchases = demo.Data.PurchasesOf[id].Where(p => p.OccurredAt < end).ToList();
            var profile = Project(generated.Customer, purchases, end - Duration.FromSeconds(1));
            LifecycleShowcase.Follow(generated, purchases, asOf).ProjectTo(profile);
            profile.ProjectRfm(scores.TryGetValue(id, out var score) ? score : null);
            return (Profile: profile, Content: Content(profile));
        }).ToList();
        var changed = profiles.Where(p => stored is null || stored[p.Profile.CustomerId] != p.Content).Select(p => p.Profile).ToList();
        await DemoContext.WriteInParallelAsync(demo.Services, changed, 250, async (services, batch) =>
        {
            // A batch per transaction: one round of statements instead of one transaction per profile.
            await ((EfCustomerProfileStore)services.GetRequiredService<ICustomerProfileStore>()).UpsertManyAsync(batch, batchSize: 250);
        });
        return profiles.ToDictionary(p => p.Profile.CustomerId, p => p.Content);
    }

    private static string Content(CustomerProfile p) => string.Join('|', p.PurchaseCount, p.TotalSpent, p.LastPurchaseDate, p.RfmSegment, p.RecencyScore,
        p.FrequencyScore, p.MonetaryScore, p.LifecycleStage, p.EngagementStatus, string.Join(',', p.Consents),
        string.Join(',', p.PurchaseStats.Select(s => $"{s.Key}:{s.Count}")));

    // The library fills the read model from the aggregates that own the data (see docs/segmentation.md, "Filling profiles").
    private static CustomerProfile Project(Customer customer, List<Purchase> purchases, Instant at) =>
        new CustomerProfile(customer.Id)
            .Project(customer, at, RetailDataSet.Zone)
            .ProjectPurchases(purchases, RetailDataSet.Zone);
}
