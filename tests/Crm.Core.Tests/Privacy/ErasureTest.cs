using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Privacy;

public partial class ErasureTest
{

    // Art. 17: after erasure, no personal value of the customer remains anywhere the stores hold it (walked through
    // private fields), while another customer's data is untouched and the accounting facts stay.
    [Property(MaxTest = 30)]
    public Property No_personal_value_of_an_erased_customer_remains_in_memory() =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), PersonalDataScenario.Gen(1).ToArbitrary(), (erased, kept) =>
        {
            using var host = new PrivacyTestHost();
            host.SaveAsync(erased, kept).GetAwaiter().GetResult();
            var pointsBefore = Balance(host, erased.CustomerId);
            var before = host.StoredText();
            host.EraseAsync(erased.CustomerId).GetAwaiter().GetResult();
            var after = host.StoredText();

            var remaining = ReachableText.Containing(after, erased.Needles);
            return (ReachableText.Containing(before, erased.Needles).Count > 0).Label("the walk finds the data before erasure")
                .And((remaining.Count == 0).Label("remaining: " + string.Join(" | ", remaining)))
                .And(kept.Needles.All(n => ReachableText.Containing(after, [n]).Count > 0).Label("the other customer's data is intact"))
                .And((Balance(host, erased.CustomerId) == pointsBefore).Label("points unchanged"))
                .And(PurchaseTotals(host, erased.CustomerId).SequenceEqual(erased.PurchaseAmounts).Label("purchase amounts kept"));
        });

    [Fact]
    public async Task Erasure_is_recorded_without_the_erased_data_and_a_second_call_is_harmless()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann, PrivacyTestHost.Bob);

        var first = await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);
        var stored = host.StoredText();
        host.Clock.AdvanceMinutes(5);
        var second = await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);

        Assert.False(first.AlreadyErased);
        Assert.True(second.AlreadyErased);
        Assert.Equal(first.Record.ErasedAt, second.Record.ErasedAt);
        Assert.Equal(("art17-request", "dpo-1", 2), (second.Record.Reason, second.Record.Actor, second.Record.ExternalIdsErased));
        Assert.Equal(stored.Order(), host.StoredText().Order());
        await using var scope = host.Services.CreateAsyncScope();
        var customer = (await scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(PrivacyTestHost.Ann.CustomerId))!;
        Assert.True(customer.IsErased);
        Assert.Empty(customer.ContactPoints);
        Assert.Empty(customer.ExternalIds);
        Assert.Null(customer.BirthDate);
        Assert.Equal("shoe-size", Assert.Single(customer.Attributes).Key); // the non-personal attribute stays
        Assert.Single(customer.ProductHoldings);
        Assert.Single(customer.ConsentHistory); // the grant stays as evidence; its source is gone
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().FindAsync(PrivacyTestHost.Ann.CustomerId));
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().FindAsync(PrivacyTestHost.Bob.CustomerId));
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IReadRepository<SegmentMember, SegmentMemberId>>()
            .CountAsync(Specification.Create<SegmentMember>(q => q.Where(m => m.Id.CustomerId == PrivacyTestHost.Ann.CustomerId))));
    }

    [Fact]
    public async Task Export_after_erasure_shows_the_record_and_no_personal_value()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann);
        await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);

        var export = await host.ExportAsync(PrivacyTestHost.Ann.CustomerId);

        Assert.Empty(ReachableText.Containing(PrivacyTestHost.StringValues(export), PrivacyTestHost.Ann.Needles));
        Assert.Equal("art17-request", export["erasure"]!["reason"]!.GetValue<string>());
        Assert.True(export["customer"]!["isErased"]!.GetValue<bool>());
        Assert.Equal(2, export["purchases"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_erased_external_id_is_recognised_until_released_deliberately()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann, PrivacyTestHost.Bob);
        await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);

        await using var scope = host.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<IErasureRegistry>();
        Assert.True(await registry.IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
        Assert.True(await registry.IsErasedAsync(" Billing ", PrivacyTestHost.Ann.BillingId)); // the system code is normalised as when linking
        Assert.False(await registry.IsErasedAsync("web", PrivacyTestHost.Ann.BillingId));
        Assert.False(await registry.IsErasedAsync("billing", PrivacyTestHost.Bob.BillingId));
        var refused = await Assert.ThrowsAsync<ErasedExternalIdException>(() => registry.EnsureNotErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
        Assert.DoesNotContain(PrivacyTestHost.Ann.Marker, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("billing", refused.SourceSystem);

        Assert.True(await registry.ReleaseAsync("billing", PrivacyTestHost.Ann.BillingId));
        Assert.False(await registry.IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId)); // released in this scope
        await using (var other = host.Services.CreateAsyncScope())
        {
            Assert.True(await other.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId)); // not before the commit
        }
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
        Assert.False(await registry.ReleaseAsync("billing", PrivacyTestHost.Ann.BillingId));
        await using (var other = host.Services.CreateAsyncScope())
        {
            Assert.False(await other.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
        }
    }

    // No re-identification: the import path (CustomerRegistrationService) refuses an erased external id; the host
    // re-creates the person only deliberately, by releasing the id in the same scope as the import.
    [Fact]
    public async Task An_import_of_an_erased_external_id_is_refused_unless_released_in_the_same_unit_of_work()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann);
        await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);
        var registration = new CustomerRegistration(new CustomerId("C-again"), CustomerName.Person("Again", null));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var registrations = scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>();
            var refused = await Assert.ThrowsAsync<ErasedExternalIdException>(() => registrations.ImportAsync("billing", PrivacyTestHost.Ann.BillingId, registration));
            Assert.DoesNotContain(PrivacyTestHost.Ann.Marker, refused.Message, StringComparison.OrdinalIgnoreCase);
            var viaRegister = new CustomerRegistration(new CustomerId("C-again"), CustomerName.Person("Again", null)) { ExternalIds = { ["web"] = "W" + PrivacyTestHost.Ann.Marker } };
            await Assert.ThrowsAsync<ErasedExternalIdException>(() => registrations.RegisterAsync(viaRegister));
            Assert.Null(await scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(new CustomerId("C-again")));
            // An id that was never erased imports as usual.
            Assert.Equal(RegistrationOutcome.Created, (await registrations.ImportAsync("billing", "B-fresh", new CustomerRegistration(new CustomerId("C-fresh"), CustomerName.Person("Fresh", null)))).Outcome);
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().ReleaseAsync("billing", PrivacyTestHost.Ann.BillingId));
            var result = await scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>().ImportAsync("billing", PrivacyTestHost.Ann.BillingId, registration);
            Assert.Equal(RegistrationOutcome.Created, result.Outcome);
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
            Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("web", "W" + PrivacyTestHost.Ann.Marker));
        }
    }

    [Fact]
    public async Task Bad_requests_are_refused_and_change_nothing()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann);
        var before = host.StoredText();
        await using var scope = host.Services.CreateAsyncScope();
        var privacy = scope.ServiceProvider.GetRequiredService<PrivacyService>();

        await Assert.ThrowsAsync<AggregateNotFoundException>(() => privacy.EraseAsync(new CustomerId("nobody"), "art17-request", "dpo-1"));
        Assert.Equal("reason", (await Assert.ThrowsAsync<ArgumentException>(() => privacy.EraseAsync(PrivacyTestHost.Ann.CustomerId, " ", "dpo-1"))).ParamName);
        Assert.Equal("actor", (await Assert.ThrowsAsync<ArgumentException>(() => privacy.EraseAsync(PrivacyTestHost.Ann.CustomerId, "art17", " x"))).ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => privacy.EraseAsync(default, "art17", "dpo-1"));
        await Assert.ThrowsAsync<ArgumentException>(() => privacy.ExportAsync(default));
        Assert.Equal(before.Order(), host.StoredText().Order());
        Assert.Throws<ArgumentException>(() => new PrivacyOptions(new byte[16]));
    }

    private static long Balance(PrivacyTestHost host, CustomerId id)
    {
        using var scope = host.Services.CreateScope();
        var account = scope.ServiceProvider.GetRequiredService<IReadRepository<LoyaltyAccount, LoyaltyAccountId>>()
            .GetByIdAsync(new LoyaltyAccountId(PersonalDataScenario.Programme.Id, id)).GetAwaiter().GetResult();
        return account?.BalanceAt(NodaTime.Instant.MaxValue).Available ?? -1;
    }

    private static List<decimal> PurchaseTotals(PrivacyTestHost host, CustomerId id)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>()
            .ListAsync(Specification.Create<Purchase>(q => q.Where(p => p.CustomerId == id).OrderBy(p => p.OccurredAt))).GetAwaiter().GetResult()
            .Select(p => p.Total.Amount).ToList();
    }
}

public class ErasureTenancyTest
{
    // Two tenants may know different people under one external id: their tombstones must not collide, and each tenant
    // sees only its own.
    [Fact]
    public async Task Tenants_erase_customers_with_the_same_external_id_independently()
    {
        var services = new ServiceCollection();
        services.AddCrmCore().UseInMemoryStore().UseTenancy().AddPrivacy(PrivacyTestHost.Key);
        await using var provider = services.BuildServiceProvider();
        var tenants = provider.GetRequiredService<Crm.Core.Tenancy.AmbientTenantContext>();
        var scenario = PrivacyTestHost.Ann;
        foreach (var (tenant, id) in new[] { ("t1", "C-t1"), ("t2", "C-t2") })
        {
            using var _ = tenants.Enter(new Crm.Core.Tenancy.TenantId(tenant));
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync((scenario with { CustomerId = new CustomerId(id) }).BuildCustomer());
                await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
            }
        }
        using (tenants.Enter(new Crm.Core.Tenancy.TenantId("t1")))
        {
            await using var scope = provider.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(new CustomerId("C-t1"), "art17", "dpo-1");
        }
        using (tenants.Enter(new Crm.Core.Tenancy.TenantId("t2")))
        {
            await using var scope = provider.CreateAsyncScope();
            Assert.False(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", scenario.BillingId));
            await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(new CustomerId("C-t2"), "art17", "dpo-1");
            Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", scenario.BillingId));
        }
        using (tenants.Enter(new Crm.Core.Tenancy.TenantId("t1")))
        {
            await using var scope = provider.CreateAsyncScope();
            Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", scenario.BillingId));
        }
    }
}
