using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Storage;
using Crm.Demo.Cli;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// One customer record across every channel: customers registered on the web, in a branch and by the call centre,
/// with normalised contact points and consents, and an interaction timeline in which a payment taken by the call
/// centre is visible to the web channel at once (both read the same store).
/// </summary>
public static class CustomerShowcase
{
    // A fixed "now" keeps the output identical on every run (and testable); a host injects IClock instead.
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 3, 9, 0);
    private static readonly InstantPattern WhenPattern = InstantPattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");

    /// <summary>Writes the showcase to the context's console.</summary>
    public static void Run(CliContext context) => RunAsync(context).GetAwaiter().GetResult();

    private static async Task RunAsync(CliContext context)
    {
        var console = context.Console;
        console.Write(new Rule("[bold]Customers: one record across every channel[/]").LeftJustified());

        var services = new ServiceCollection();
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();

        // Each channel works in its own scope (its own unit of work), as separate requests of a host would.
        await InScope(provider, async (customers, interactions) =>
        {
            // Web shop sign-up: typed in mixed case with stray spaces.
            var ann = Customer.Register(new CustomerId("00042"), CustomerName.Person("Ann", "Lee"), Now - Duration.FromDays(30));
            ann.AddEmail("  Ann.Lee@Example.COM ", Now - Duration.FromDays(30));
            ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, Now - Duration.FromDays(30), "web-signup");
            ann.GrantConsent(ConsentPurpose.Service, ContactChannel.Sms, Now - Duration.FromDays(30), "web-signup");
            ann.AddTag("newsletter", Now - Duration.FromDays(30));
            await customers.AddAsync(ann);

            // Branch: a US visitor, phone written the US way, plus a number that cannot be understood (kept, flagged).
            var bob = Customer.Register(new CustomerId("00043"), CustomerName.Person("Bob", "Smith"), Now - Duration.FromDays(10));
            bob.AddPhone("(415) 555-2671", "US", Now - Duration.FromDays(10));
            bob.AddPhone("ask at reception", "US", Now - Duration.FromDays(10));
            bob.AddPostalAddress(new PostalAddress("1 Market St", "San Francisco", "us", "94105", "CA"), Now - Duration.FromDays(10));
            bob.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Post, Now - Duration.FromDays(10), "branch");
            bob.OpenProduct(new ProductId("P-CUR-1"), "current-account", new LocalDate(2025, 2, 21), Now - Duration.FromDays(10));
            await customers.AddAsync(bob);

            // Call centre: an organisation, phone given with the international exit code and an extension.
            var acme = Customer.Register(new CustomerId("ORG-7"), CustomerName.Organisation("Acme Trading Ltd", "Acme"), Now - Duration.FromDays(5));
            acme.AddPhone("0044 20 7946 0958 ext. 204", "GB", Now - Duration.FromDays(5));
            acme.AddEmail("Accounts@Acme.example", Now - Duration.FromDays(5));
            acme.LinkExternalId("billing", "B-90001", Now - Duration.FromDays(5));
            acme.AssignOwnership("advisor.jane", "smb", Now - Duration.FromDays(5));
            acme.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Phone, Now - Duration.FromDays(5), "call-centre");
            await customers.AddAsync(acme);

            await interactions.AddAsync(Interaction.Record(new InteractionId("I-1"), ann.Id, Channel.Web, InteractionDirection.Inbound,
                InteractionType.Order, Now - Duration.FromDays(30), "First order", "paid"));
            await interactions.AddAsync(Interaction.Record(new InteractionId("I-2"), ann.Id, Channel.Email, InteractionDirection.Outbound,
                InteractionType.SalesContact, Now - Duration.FromDays(7), "Spring offers"));
        });

        // The call centre takes a payment from Ann by phone and adds her phone number...
        await InScope(provider, async (customers, interactions) =>
        {
            var ann = (await customers.GetByIdAsync(new CustomerId("00042")))!;
            ann.AddPhone("020 7946 0958", "GB", Now - Duration.FromHours(1));
            ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, Now - Duration.FromHours(1), "call-centre");
            await customers.UpdateAsync(ann);
            await interactions.AddAsync(Interaction.Record(new InteractionId("I-3"), ann.Id, Channel.Phone, InteractionDirection.Inbound,
                InteractionType.Payment, Now - Duration.FromHours(1), "Card payment, invoice 2025-117", "paid",
                InteractionReference.ToCase("C-117")));
        });

        // ...and the web channel sees it at once: same record, same timeline.
        await InScope(provider, async (customers, interactions) =>
        {
            var all = await customers.ListAsync(Crm.Core.Specifications.Specification.All<Customer>());
            console.Write(CustomerTable(all.OrderBy(c => c.Id).ToList()));

            var ann = all.Single(c => c.Id == new CustomerId("00042"));
            var timeline = await interactions.ListAsync(new InteractionTimeline(ann.Id, Now - Duration.FromDays(90), Now));
            console.Write(TimelineTable(timeline));
            console.Write(ConsentTable(ann));

            var found = await customers.ListAsync(new CustomersByEmail(new EmailAddress("ANN.LEE@example.com")));
            console.MarkupLine($"Look-up by [bold]ANN.LEE@example.com[/] finds customer {Markup.Escape(found.Single().Id.Value)} (emails are normalised).");
        });
    }

    private static async Task InScope(ServiceProvider provider, Func<IRepository<Customer, CustomerId>, IRepository<Interaction, InteractionId>, Task> work)
    {
        await using var scope = provider.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await work(services.GetRequiredService<IRepository<Customer, CustomerId>>(), services.GetRequiredService<IRepository<Interaction, InteractionId>>());
        await services.GetRequiredService<IUnitOfWork>().CommitAsync();
    }

    private static Table CustomerTable(IReadOnlyList<Customer> customers)
    {
        var table = new Table().Title("Customers").AddColumns("Customer", "Contact points (normalised)", "Other");
        foreach (var c in customers)
        {
            var points = c.ContactPoints.Select(p => p switch
            {
                EmailContactPoint e => "email " + Markup.Escape(e.Address.Value),
                PhoneContactPoint { Number.IsValid: true } ph => "phone " + Markup.Escape(ph.Number.Value),
                PhoneContactPoint ph => "phone [red]invalid, kept:[/] " + Markup.Escape(ph.Number.Value),
                PostalContactPoint a => $"post {Markup.Escape(a.Address.Locality)}, {a.Address.CountryCode}",
                _ => p.Kind.ToString(),
            } + (p.IsPrimary ? " [green]*[/]" : ""));
            var other = c.Tags.Select(t => "tag " + t)
                .Concat(c.OwnerId is null ? [] : [$"owner {c.OwnerId} ({c.TeamId})"])
                .Concat(c.ExternalIds.Select(p => $"{p.Key} id {p.Value}"))
                .Concat([$"{c.OpenProductCount} product(s)"]);
            table.AddRow(
                $"{Markup.Escape(c.Id.Value)}\n{Markup.Escape(c.Name.DisplayName)}\n[grey]{c.Kind}[/]",
                string.Join("\n", points),
                Markup.Escape(string.Join("\n", other)));
        }
        return table.Caption("[green]*[/] primary of its kind");
    }

    private static Table TimelineTable(IReadOnlyList<Interaction> timeline)
    {
        var table = new Table().Title("Timeline of 00042, newest first (every channel)").AddColumns("When (UTC)", "Where", "What", "Outcome");
        foreach (var i in timeline)
        {
            var direction = i.Direction == InteractionDirection.Inbound ? "in" : "out";
            table.AddRow(WhenPattern.Format(i.OccurredAt), $"{i.Channel} ({direction})",
                Markup.Escape($"{i.Type.Code}: {i.Subject ?? "-"}" + (i.Reference is null ? "" : $" [{i.Reference}]")), Markup.Escape(i.Outcome ?? "-"));
        }
        return table;
    }

    private static Table ConsentTable(Customer customer)
    {
        var table = new Table().Title("May we contact 00042?").AddColumns("Purpose", "Channel", "A week ago", "Now", "Decided by");
        foreach (var (purpose, channel) in new[]
                 {
                     (ConsentPurpose.Marketing, ContactChannel.Email), (ConsentPurpose.Service, ContactChannel.Sms),
                     (ConsentPurpose.Marketing, ContactChannel.Sms), (ConsentPurpose.Profiling, ContactChannel.Email),
                 })
        {
            var deciding = customer.ConsentsAt(Now).FirstOrDefault(r => r.Purpose == purpose && r.Channel == channel);
            table.AddRow(purpose.Code, channel.Code, YesNo(customer.MayContact(purpose, channel, Now - Duration.FromDays(7))),
                YesNo(customer.MayContact(purpose, channel, Now)),
                deciding is null ? "no consent recorded (opt-in: no)" : $"{deciding.Status} via {Markup.Escape(deciding.Source)}");
        }
        return table;

        static string YesNo(bool yes) => yes ? "[green]yes[/]" : "[red]no[/]";
    }
}
