using Crm.Core.Customers;
using Crm.Core.Tenancy;
using Crm.Core.Testing;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public partial class CustomerTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly CustomerId AnnId = new("00042");

    private static Customer Ann() => Customer.Register(AnnId, CustomerName.Person("Ann", "Lee"), T0);

    private static Customer Acme() => Customer.Register(new CustomerId("ORG-7"), CustomerName.Organisation("Acme Trading Ltd", "Acme"), T0);

    private static Instant Later(int minutes) => T0 + Duration.FromMinutes(minutes);

    [Fact]
    public void Register_sets_identity_kind_times_and_raises_event()
    {
        var tenant = new TenantId("t-1");
        var customer = Customer.Register(AnnId, CustomerName.Person("Ann", "Lee"), T0, tenant);

        Assert.Equal(AnnId, customer.Id);
        Assert.Equal(CustomerKind.Person, customer.Kind);
        Assert.Equal("Ann Lee", customer.Name.DisplayName);
        Assert.Equal(T0, customer.CreatedAt);
        Assert.Equal(T0, customer.UpdatedAt);
        Assert.Equal(tenant, customer.TenantId);
        Assert.Equal(0, customer.Version);
        Assert.Equal(new CustomerRegistered(AnnId, CustomerKind.Person, T0), Assert.Single(customer.DomainEvents));
    }

    [Fact]
    public void Organisation_has_legal_and_display_name()
    {
        var acme = Acme();
        Assert.Equal(CustomerKind.Organisation, acme.Kind);
        Assert.Equal("Acme Trading Ltd", acme.Name.LegalName);
        Assert.Equal("Acme", acme.Name.DisplayName);
        Assert.Null(acme.Name.GivenName);
    }

    [Fact]
    public void Rename_keeps_kind_and_moves_updated_at()
    {
        var ann = Ann();
        ann.Rename(CustomerName.Person("Ann", "Lee-Smith"), Later(5));
        Assert.Equal("Lee-Smith", ann.Name.FamilyName);
        Assert.Equal(Later(5), ann.UpdatedAt);
        Assert.Contains(ann.DomainEvents, e => e is CustomerProfileChanged { Change: CustomerProfileChange.Name });

        var ex = Assert.Throws<CustomerKindMismatchException>(() => ann.Rename(CustomerName.Organisation("Ann Ltd"), Later(6)));
        Assert.Equal(CustomerKind.Person, ex.Actual);
        Assert.Equal("Lee-Smith", ann.Name.FamilyName);
    }

    [Fact]
    public void Updated_at_never_moves_backwards()
    {
        var ann = Ann();
        ann.AddTag("vip", Later(10));
        ann.AddTag("late-import", T0 - Duration.FromDays(30));
        Assert.Equal(Later(10), ann.UpdatedAt);
    }

    [Fact]
    public void Birth_date_is_for_persons_only_and_not_in_the_future()
    {
        var ann = Ann();
        ann.SetBirthDate(new LocalDate(1987, 6, 5), T0);
        Assert.Equal(new LocalDate(1987, 6, 5), ann.BirthDate);
        ann.SetBirthDate(null, T0);
        Assert.Null(ann.BirthDate);

        Assert.Equal("birthDate", Assert.Throws<ArgumentOutOfRangeException>(() => ann.SetBirthDate(new LocalDate(2025, 3, 5), T0)).ParamName);
        Assert.Equal("birthDate", Assert.Throws<ArgumentOutOfRangeException>(() => ann.SetBirthDate(new LocalDate(1849, 12, 31), T0)).ParamName);
        ann.SetBirthDate(new LocalDate(2025, 3, 2), T0); // "today" somewhere east of UTC

        var ex = Assert.Throws<CustomerKindMismatchException>(() => Acme().SetBirthDate(new LocalDate(1990, 1, 1), T0));
        Assert.Equal(CustomerKind.Person, ex.Required);
        Assert.Contains("ORG-7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_ids_link_once_per_source_system()
    {
        var ann = Ann();
        Assert.True(ann.LinkExternalId("Billing", "B-00042", T0));
        Assert.False(ann.LinkExternalId("billing", "B-00042", T0));
        Assert.Equal("B-00042", ann.ExternalIds["billing"]);

        var ex = Assert.Throws<ExternalIdConflictException>(() => ann.LinkExternalId("billing", "B-99", T0));
        Assert.Equal("billing", ex.SourceSystem);
        Assert.Equal("B-00042", ann.ExternalIds["billing"]);

        Assert.True(ann.UnlinkExternalId("BILLING", T0));
        Assert.False(ann.UnlinkExternalId("billing", T0));
        Assert.True(ann.LinkExternalId("billing", "B-99", T0));
    }

    [Fact]
    public void Ownership_is_assigned_and_cleared()
    {
        var ann = Ann();
        ann.AssignOwnership("u-17", "retail", Later(1));
        Assert.Equal(("u-17", "retail"), (ann.OwnerId, ann.TeamId));
        ann.AssignOwnership(null, null, Later(2));
        Assert.Null(ann.OwnerId);
        Assert.Null(ann.TeamId);
    }

    [Fact]
    public void Tags_are_case_insensitive_and_keep_first_spelling()
    {
        var ann = Ann();
        Assert.True(ann.AddTag("  VIP ", T0));
        Assert.False(ann.AddTag("vip", T0));
        Assert.True(ann.HasTag("Vip"));
        Assert.Equal("VIP", Assert.Single(ann.Tags));
        Assert.True(ann.AddTag("at   risk", T0));
        Assert.True(ann.HasTag("AT RISK"));
        Assert.True(ann.RemoveTag("vip", T0));
        Assert.False(ann.RemoveTag("vip", T0));
        Assert.Equal(["at risk"], ann.Tags);
    }

    [Fact]
    public void ToString_reveals_no_personal_data()
    {
        var ann = Ann();
        ann.AddEmail("ann.lee@example.com", T0);
        Assert.Equal("Customer 00042 (Person)", ann.ToString());
        Assert.Equal("Person name", ann.Name.ToString());
        Assert.DoesNotContain("ann", ann.ContactPoints[0].ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 50)]
    public void ToString_of_generated_customers_and_parts_never_contains_names_or_addresses(Customer customer)
    {
        var texts = new List<string> { customer.ToString(), customer.Name.ToString() };
        texts.AddRange(customer.ContactPoints.Select(c => c.ToString()));
        texts.AddRange(customer.Emails.Select(c => c.Address.ToString()));
        texts.AddRange(customer.PostalAddresses.Select(c => c.Address.ToString()));
        texts.AddRange(customer.Attributes.Values.Select(a => a.Value.ToString()));
        var secrets = new List<string?> { customer.Name.GivenName, customer.Name.FamilyName, customer.Name.LegalName, customer.Name.DisplayName };
        secrets.AddRange(customer.Emails.Select(e => e.Address.Value));
        secrets.AddRange(customer.Phones.Where(p => p.Number.IsValid).Select(p => p.Number.E164));
        secrets.AddRange(customer.PostalAddresses.Select(p => p.Address.Street));
        foreach (var secret in secrets.OfType<string>())
        {
            // Whole words only: a given name such as "Li" legitimately occurs inside "invalid".
            var pattern = new System.Text.RegularExpressions.Regex($@"(?<!\w){System.Text.RegularExpressions.Regex.Escape(secret)}(?!\w)",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            Assert.All(texts, t => Assert.DoesNotMatch(pattern, t));
        }
    }
}
