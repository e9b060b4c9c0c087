using System.Reflection;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Crm.Core.Storage;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The storage conformance kit for <see cref="Customer"/>: fully populated random customers (contact points,
/// consent histories, attributes, life events, holdings) must round-trip unchanged.
/// </summary>
public abstract class CustomerRepositoryConformanceTests : RepositoryConformanceTests<Customer, CustomerId>
{
    /// <inheritdoc/>
    protected override Gen<Customer> Aggregates(TenantId tenant) =>
        CrmArbitraries.CustomerGen().Select(c => Identity.Fresh<Customer, CustomerId>(c, new CustomerId("c-" + Guid.NewGuid().ToString("N")), tenant));

    /// <inheritdoc/>
    protected override void Change(Customer aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        var at = aggregate.UpdatedAt + Duration.FromMinutes(5);
        aggregate.AssignOwnership("owner-'; DROP TABLE customers;--", "team ✨", at);
        aggregate.AddTag("changed-" + aggregate.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), at);
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<Customer>> Specifications(TenantId tenant, IReadOnlyList<Customer> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var middle = data.OrderBy(c => c.UpdatedAt).ElementAt(data.Count / 2).UpdatedAt;
        yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.UpdatedAt >= middle)
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id));
        yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.OwnerId == "u-42" || c.TeamId == "smb")
            .OrderBy(c => c.Id).Skip(1).Take(3));
        yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.BirthDate != null && c.BirthDate < new LocalDate(1980, 1, 1)));

        // Look-ups inside the contact points and external ids, in the shape CustomersByEmail/Phone/ExternalId use.
        if (data.SelectMany(c => c.Emails).FirstOrDefault() is { } email)
        {
            var address = email.Address.Value;
            yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.Emails.Any(e => e.Address.Value == address)).OrderBy(c => c.Id));
        }
        if (data.SelectMany(c => c.Phones).FirstOrDefault(p => p.Number.IsValid) is { } phone)
        {
            var e164 = phone.Number.E164;
            yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.Phones.Any(p => e164 == p.Number.E164)).OrderBy(c => c.Id));
        }
        if (data.SelectMany(c => c.ExternalIds).FirstOrDefault() is { Key: { } system, Value: { } id })
        {
            yield return Specification.Create<Customer>(q => q.Where(c => c.TenantId == tenant).Where(c => c.ExternalIds.Any(p => p.Key == system && p.Value == id)).OrderBy(c => c.Id));
        }
    }

    /// <summary>
    /// Look-ups by email, phone and external id (<see cref="CustomersByEmail"/>, <see cref="CustomersByPhone"/>,
    /// <see cref="CustomerByExternalId"/>) follow every change: a new contact point is found, a removed one no longer
    /// finds the customer, and a removed customer is found by nothing.
    /// </summary>
    [SkippableFact]
    public async Task Lookups_by_contact_point_and_external_id_follow_updates_and_removals()
    {
        var unique = Guid.NewGuid().ToString("N");
        var id = new CustomerId("lookup-" + unique);
        var at = Instant.FromUtc(2025, 1, 1, 9, 0);
        var first = new EmailAddress($"first.{unique}@example.com");
        var second = new EmailAddress($"second.{unique}@example.com");
        var phone = PhoneNumber.Parse("+49 30 " + (Math.Abs(unique.GetHashCode(StringComparison.Ordinal)) % 9_000_000 + 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture), "DE");
        await InScopeAsync(async sp =>
        {
            var customer = Customer.Register(id, CustomerName.Person("Ann", "Lee"), at);
            customer.AddEmail(first, at);
            customer.AddPhone(phone, at);
            customer.LinkExternalId("erp", unique, at);
            await sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(customer);
            await UnitOfWork(sp).CommitAsync();
        });
        Assert.Equal([id], await FindAsync(new CustomersByEmail(first)));
        Assert.Contains(id, await FindAsync(new CustomersByPhone(phone)));
        Assert.Equal([id], await FindAsync(new CustomerByExternalId("erp", unique)));

        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            var customer = (await repository.GetByIdAsync(id))!;
            customer.RemoveContactPoint(customer.Emails.Single().Id, at);
            customer.AddEmail(second, at);
            customer.UnlinkExternalId("erp", at);
            await repository.UpdateAsync(customer);
            await UnitOfWork(sp).CommitAsync();
        });
        Assert.Empty(await FindAsync(new CustomersByEmail(first)));
        Assert.Equal([id], await FindAsync(new CustomersByEmail(second)));
        Assert.Empty(await FindAsync(new CustomerByExternalId("erp", unique)));

        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            await repository.RemoveAsync((await repository.GetByIdAsync(id))!);
            await UnitOfWork(sp).CommitAsync();
        });
        Assert.Empty(await FindAsync(new CustomersByEmail(second)));
        Assert.DoesNotContain(id, await FindAsync(new CustomersByPhone(phone)));
    }

    private Task<List<CustomerId>> FindAsync(Specification<Customer> specification) =>
        InScopeAsync(async sp => (await sp.GetRequiredService<IReadRepository<Customer, CustomerId>>().ListAsync(specification)).Select(c => c.Id).ToList());
}

/// <summary>The storage conformance kit for <see cref="Interaction"/> (the customer timeline).</summary>
public abstract class InteractionRepositoryConformanceTests : RepositoryConformanceTests<Interaction, InteractionId>
{
    /// <inheritdoc/>
    protected override Gen<Interaction> Aggregates(TenantId tenant) =>
        from customer in Gen.Elements("a", "b", "c")
        from channel in Gen.Elements(Enum.GetValues<Channel>())
        from direction in Gen.Elements(Enum.GetValues<InteractionDirection>())
        from type in Gen.Elements(InteractionType.Enquiry, InteractionType.Complaint, InteractionType.Payment, InteractionType.Order)
        from at in StorageGenerators.Instants()
        from subject in Gen.OneOf(Gen.Constant<string?>(null), StorageGenerators.HostileText().Select(s => (string?)s))
        from hasOrder in Gen.Elements(true, false)
        select Interaction.Record(new InteractionId("i-" + Guid.NewGuid().ToString("N")), new CustomerId(tenant.Value + "-" + customer),
            channel, direction, type, at, subject, null, hasOrder ? InteractionReference.ToOrder(new TransactionId("T-1")) : null, tenant,
            direction == InteractionDirection.Outbound ? TestPurposes.ServiceNotice : null);

    /// <inheritdoc/>
    protected override void Change(Interaction aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        aggregate.RecordOutcome("resolved: O'Brien said \"ok\" 👍", aggregate.OccurredAt + Duration.FromHours(1));
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<Interaction>> Specifications(TenantId tenant, IReadOnlyList<Interaction> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var customer = data[0].CustomerId;
        var from = data.Min(i => i.OccurredAt);
        var to = data.Max(i => i.OccurredAt);
        yield return new InteractionTimeline(customer, from, to + Duration.FromMilliseconds(1)); // PostgreSQL keeps microseconds, not ticks
        var type = data[0].Type;
        yield return Specification.Create<Interaction>(q => q.Where(i => i.TenantId == tenant).Where(i => i.Type == type).OrderBy(i => i.Id));
        yield return Specification.Create<Interaction>(q => q.Where(i => i.TenantId == tenant).Where(i => i.Channel == Channel.Phone || i.Direction == InteractionDirection.Outbound)
            .OrderBy(i => i.OccurredAt).ThenBy(i => i.Id).Take(4));
    }
}

/// <summary>The storage conformance kit for <see cref="CustomerLifecycle"/> (stage history, touchpoints, purchase days).</summary>
public abstract class CustomerLifecycleRepositoryConformanceTests : RepositoryConformanceTests<CustomerLifecycle, CustomerId>
{
    private static readonly LocalDate Origin = new(2024, 1, 1);

    /// <inheritdoc/>
    protected override Gen<CustomerLifecycle> Aggregates(TenantId tenant) =>
        from days in Gen.Choose(0, 700).ListOf()
        from minutes in Gen.Choose(0, 100_000)
        select Build(tenant, days, minutes);

    /// <inheritdoc/>
    protected override void Change(CustomerLifecycle aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        aggregate.RecordPurchase(Origin.PlusDays(800 + (int)aggregate.Version));
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<CustomerLifecycle>> Specifications(TenantId tenant, IReadOnlyList<CustomerLifecycle> data)
    {
        yield return Specification.Create<CustomerLifecycle>(q => q.Where(l => l.TenantId == tenant).Where(l => l.CurrentRank >= 0)
            .OrderByDescending(l => l.HighestRank).ThenBy(l => l.Id));
    }

    private static CustomerLifecycle Build(TenantId tenant, IEnumerable<int> days, int minutes)
    {
        var lifecycle = CustomerLifecycle.Start(new CustomerId("l-" + Guid.NewGuid().ToString("N")), LifecycleModel.B2C,
            Instant.FromUtc(2024, 1, 1, 0, 0) + Duration.FromMinutes(minutes), "conformance", tenantId: tenant);
        foreach (var day in days)
        {
            lifecycle.RecordPurchase(Origin.PlusDays(day));
        }
        lifecycle.ClearDomainEvents();
        return lifecycle;
    }
}

/// <summary>Gives generated aggregates a fresh identity, so that every test run writes new rows to a shared database.</summary>
internal static class Identity
{
    public static T Fresh<T, TId>(T aggregate, TId id, TenantId tenant)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        // The arbitraries pick ids from small pools (to exercise id shapes); a shared store needs unique ones.
        typeof(AggregateRoot<TId>).GetField("<Id>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(aggregate, id);
        aggregate.AssignTenant(tenant);
        aggregate.ClearDomainEvents();
        return aggregate;
    }
}
