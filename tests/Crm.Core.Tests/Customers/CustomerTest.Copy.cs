using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public partial class CustomerTest
{
    /// <summary>Everything observable about a customer, as text, to compare copies.</summary>
    internal static string Fingerprint(Customer c) => string.Join("\n",
        c.Id, c.Kind, c.Name.GivenName, c.Name.FamilyName, c.Name.LegalName, c.Name.DisplayName, c.BirthDate, c.OwnerId, c.TeamId,
        c.CreatedAt, c.UpdatedAt, c.TenantId, c.Version,
        string.Join(",", c.ExternalIds.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")),
        string.Join(",", c.Tags.Order(StringComparer.Ordinal)),
        string.Join(",", c.Attributes.Values.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}:{a.Value.Kind}:{a.Value.FormatValue()}:{a.IsPersonalData}")),
        string.Join(",", c.ContactPoints.Select(p => p switch
        {
            EmailContactPoint e => $"{e}|{e.Address.Value}",
            PhoneContactPoint ph => $"{ph}|{ph.Number.Value}",
            PostalContactPoint a => $"{a}|{a.Address.Street}|{a.Address.Locality}",
            _ => p.ToString(),
        })),
        string.Join(",", c.ConsentHistory.Select(r => $"{r.Purpose}/{r.Channel}/{r.Status}/{r.At}/{r.Source}")),
        string.Join(",", c.LifeEvents.Select(e => $"{e.Type}/{e.Date}/{e.Source}")),
        string.Join(",", c.ProductHoldings.Select(h => $"{h.ProductId}/{h.Category}/{h.OpenedOn}/{h.ClosedOn}/{h.Status}")));

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 50)]
    public void Snapshot_is_an_equal_deep_copy_that_changes_independently(Customer original)
    {
        original.AddTag("before-copy", original.UpdatedAt);
        var before = Fingerprint(original);
        var copy = (Customer)original.Snapshot();
        Assert.Equal(before, Fingerprint(copy));
        Assert.Empty(copy.DomainEvents);

        Mutate(original);
        Assert.Equal(before, Fingerprint(copy));

        var copyBefore = Fingerprint(copy);
        var second = (Customer)copy.Snapshot();
        Mutate(copy);
        Assert.Equal(copyBefore, Fingerprint(second));
        Assert.NotEqual(copyBefore, Fingerprint(copy));
    }

    private static void Mutate(Customer c)
    {
        var at = c.UpdatedAt + Duration.FromHours(1);
        c.AddTag("after-copy", at);
        c.RemoveTag("before-copy", at);
        c.LinkExternalId("crm-legacy", "L-1", at);
        c.SetAttribute("mutated", AttributeValue.OfBoolean(true), false, at);
        c.AddEmail("mutation@example.net", at);
        if (c.ContactPoints.Count > 1)
        {
            c.MarkInvalid(c.ContactPoints[0].Id, at);
            c.RemoveContactPoint(c.ContactPoints[^2].Id, at);
        }
        c.GrantConsent(ConsentPurpose.Research, ContactChannel.Post, at, "mutation");
        c.RecordLifeEvent(LifeEventType.NewJob, new LocalDate(2030, 1, 1), "mutation", at);
        c.OpenProduct(new ProductId("P-MUTATION"), "savings", new LocalDate(2030, 1, 1), at);
        if (c.Kind == CustomerKind.Person)
        {
            c.SetBirthDate(new LocalDate(1999, 9, 9), at);
        }
        c.AssignOwnership("mutator", null, at);
    }
}
