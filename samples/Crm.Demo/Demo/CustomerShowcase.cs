using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Demo.Data;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// One customer record across every channel: how the customers registered (web, branch, phone, email, self-service),
/// which contact points and consents each channel collected, and one customer's timeline — all read back from the
/// database through the repositories, whichever channel wrote them.
/// </summary>
public static class CustomerShowcase
{
    /// <summary>Writes the showcase.</summary>
    public static async Task RunAsync(DemoContext demo)
    {
        var console = demo.Console;
        console.Write(new Rule("[bold]Customers: one record across every channel[/]").LeftJustified());

        // Specifications are queries as objects; the EF adapter translates them to SQL.
        var customers = await demo.InScopeAsync<IReadRepository<Customer, CustomerId>, IReadOnlyList<Customer>>(
            r => r.ListAsync(Specification.All<Customer>()));
        // An interaction's type and channel live in its stored document, not in columns: the adapter refuses to filter
        // on them in SQL (loudly, naming the condition), so stream the interactions and filter here.
        var joinedVia = new Dictionary<CustomerId, Channel>();
        await demo.InScopeAsync<IReadRepository<Interaction, InteractionId>, bool>(async r =>
        {
            await foreach (var i in r.StreamAsync(Specification.All<Interaction>()))
            {
                if (i.Type == RetailDataSet.Registration)
                {
                    joinedVia[i.CustomerId] = i.Channel;
                }
            }
            return true;
        });

        // Consent is answered per purpose and channel at an instant: withdrawals after sign-up count.
        var now = demo.Data.Now;
        var table = new Table().Title($"Registrations by channel, consents as of {DemoContext.Day(demo.Data.Today)}")
            .AddColumns("Registered via", "Customers", "Email", "Phone", "Marketing email", "Marketing SMS", "Withdrew email");
        foreach (var group in customers.GroupBy(c => joinedVia[c.Id]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key))
        {
            table.AddRow(group.Key.ToString(), DemoContext.N(group.Count()),
                DemoContext.N(group.Count(c => c.ContactPoints.Any(p => p.Kind == ContactKind.Email))),
                DemoContext.N(group.Count(c => c.ContactPoints.Any(p => p.Kind == ContactKind.Phone))),
                DemoContext.N(group.Count(c => c.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, now))),
                DemoContext.N(group.Count(c => c.MayContact(ConsentPurpose.Marketing, ContactChannel.Sms, now))),
                DemoContext.N(group.Count(c => c.ConsentStatusAt(ConsentPurpose.Marketing, ContactChannel.Email, now) == ConsentStatus.Withdrawn)));
        }
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }
        console.Write(table);

        // Look-ups by contact point: emails are stored normalised, so any spelling finds the customer.
        var featured = customers.Single(c => c.Id == demo.Data.Featured);
        if (featured.ContactPoints.OfType<EmailContactPoint>().FirstOrDefault() is { } email)
        {
            var typed = email.Address.Value.ToUpperInvariant();
            var found = await demo.InScopeAsync<IReadRepository<Customer, CustomerId>, IReadOnlyList<Customer>>(
                r => r.ListAsync(new CustomersByEmail(new EmailAddress(typed))));
            console.MarkupLine($"Look-up by [bold]{Markup.Escape(typed)}[/] finds {string.Join(", ", found.Select(c => Markup.Escape($"{c.Id} {c.Name.DisplayName}")))}.");
        }

        console.Write(await TimelineAsync(demo, featured));
    }

    private static async Task<Table> TimelineAsync(DemoContext demo, Customer customer)
    {
        // The timeline merges what every channel recorded: interactions (registration, service calls, newsletters)
        // and purchases from the shop, the branch and the app, newest first.
        var from = demo.Data.Now - NodaTime.Duration.FromDays(730);
        var interactions = await demo.InScopeAsync<IReadRepository<Interaction, InteractionId>, IReadOnlyList<Interaction>>(
            r => r.ListAsync(new InteractionTimeline(customer.Id, from, demo.Data.Now)));
        var purchases = await demo.InScopeAsync<IReadRepository<Purchase, TransactionId>, IReadOnlyList<Purchase>>(
            r => r.ListAsync(Specification.Create<Purchase>(q => q.Where(p => p.CustomerId == customer.Id))));
        var rows = interactions.Select(i => (i.OccurredAt, i.Channel, What: $"{i.Type.Code}: {i.Subject}" + (i.Outcome is null ? "" : $" ({i.Outcome})")))
            .Concat(purchases.Select(p => (p.OccurredAt, p.Channel, What: (p.IsRefund ? "return" : "order") + $" {p.Id}: "
                + string.Join(", ", p.Lines.Select(l => demo.Data.ProductBySku[l.Sku].Name)) + $" — {p.Total}")))
            .OrderByDescending(r => r.OccurredAt)
            .ToList();

        var table = new Table().Title($"Timeline of {customer.Id} {Markup.Escape(customer.Name.DisplayName)}, newest first ({rows.Count} events)")
            .AddColumns("When", "Channel", "What");
        foreach (var row in rows.Take(12))
        {
            table.AddRow(DemoContext.Day(row.OccurredAt), row.Channel.ToString(), Markup.Escape(row.What));
        }
        if (rows.Count > 12)
        {
            table.AddRow("…", "", $"{rows.Count - 12} earlier events");
        }
        return table;
    }
}
