using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.EntityFrameworkCore.Segmentation;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Crm.Core.Testing.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// Tenant isolation on the EF Core paths that do not go through the repositories: database RFM, purchase ingestion, the
/// profile store's bulk upserts and deletes, the customer look-up keys, segment refresh, and the host's own queries.
/// </summary>
public abstract class TenancyDatabasePathsTest : DatabaseTest
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 1, 12, 0);

    private readonly string _run = Guid.NewGuid().ToString("N")[..10];

    protected override void AddServices(IServiceCollection services) => services.AddCrmCore().UseTenancy();

    private AmbientTenantContext Tenants => Services.GetRequiredService<AmbientTenantContext>();

    private static TenantId Fresh(string name) => new($"{name}-{Guid.NewGuid():N}");

    private CustomerId Customer(string name) => new($"{_run}-{name}");

    private TransactionId Transaction(string name) => new($"{_run}-{name}");

    private async Task<T> In<T>(TenantId tenant, Func<IServiceProvider, Task<T>> work)
    {
        using (Tenants.Enter(tenant))
        {
            await using var scope = Services.CreateAsyncScope();
            return await work(scope.ServiceProvider);
        }
    }

    private Task In(TenantId tenant, Func<IServiceProvider, Task> work) => In(tenant, async sp =>
    {
        await work(sp);
        return true;
    });

    private async Task<T> WithoutTenant<T>(Func<IServiceProvider, Task<T>> work)
    {
        Assert.Null(Tenants.CurrentTenant);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Purchase Bought(string transaction, string customer, decimal amount, TenantId? tenant = null) =>
        Purchase.Create(Transaction(transaction), Customer(customer), At, Channel.Web, new Money(amount, Currency.EUR), tenant);

    [SkippableFact]
    public async Task Database_rfm_reads_only_the_current_tenant()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("rfm-a"), Fresh("rfm-b"));
        await In(a, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync([Bought("a1", "ca", 10m), Bought("a2", "ca", 20m)]));
        await In(b, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync([Bought("b1", "cb", 99m)]));
        var options = new RfmOptions(new LocalDate(2026, 3, 31));

        var result = await In(a, sp => sp.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(options));
        Assert.Equal([Customer("ca")], result.Select(r => r.Customer));
        Assert.Equal(30m, result.Single().Monetary);
        var explicitTenant = await In(a, sp => sp.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(options, a));
        Assert.Equal([Customer("ca")], explicitTenant.Select(r => r.Customer));
        var error = await Assert.ThrowsAsync<TenantMismatchException>(() => In(a, sp => sp.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(options, b)));
        Assert.Equal(a, error.CurrentTenant);
        await Assert.ThrowsAsync<TenantRequiredException>(() => WithoutTenant(sp => sp.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(options)));
    }

    [SkippableFact]
    public async Task Purchase_ingestion_assigns_the_tenant_and_never_crosses_it()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("ingest-a"), Fresh("ingest-b"));
        var first = new[] { Bought("p1", "c1", 10m), Bought("p2", "c1", 20m) };
        var stored = await In(a, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync(first));
        Assert.Equal(new PurchaseIngestionResult(2, 0), stored);
        Assert.All(first, p => Assert.Equal(a, p.TenantId));
        Assert.Equal(new PurchaseIngestionResult(0, 1), await In(a, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync([Bought("p1", "c1", 10m)])));

        // An id of tenant a, fed to tenant b: the batch fails whole; nothing of a is read back or changed.
        var clash = new[] { Bought("p3", "c2", 5m), Bought("p1", "c2", 7m) };
        await Assert.ThrowsAsync<DuplicateAggregateException>(() => In(b, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync(clash)));
        Assert.All(clash, p => Assert.Null(p.TenantId));
        Assert.Null(await In(b, sp => sp.GetRequiredService<IRepository<Purchase, TransactionId>>().GetByIdAsync(Transaction("p3"))));
        await Assert.ThrowsAsync<TenantMismatchException>(() => In(b, sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync([Bought("p4", "c2", 1m, a)])));
        await Assert.ThrowsAsync<TenantRequiredException>(() => WithoutTenant(sp => sp.GetRequiredService<PurchaseIngestion>().IngestAsync([Bought("p5", "c2", 1m)])));

        var kept = await In(a, sp => sp.GetRequiredService<IRepository<Purchase, TransactionId>>().GetByIdAsync(Transaction("p1")));
        Assert.Equal(10m, kept!.Total.Amount);
        Assert.Equal(Customer("c1"), kept.CustomerId);
    }

    [SkippableFact]
    public async Task Profile_bulk_upserts_and_deletes_stay_in_the_tenant()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("profiles-a"), Fresh("profiles-b"));
        var ofA = new CustomerProfile(Customer("pa")) { PurchaseCount = 4, Tags = ["vip"], Attributes = [new ProfileAttribute { Name = "tier", Text = "gold" }] };
        await In(a, sp => ((EfCustomerProfileStore)sp.GetRequiredService<ICustomerProfileStore>()).UpsertManyAsync([ofA, new CustomerProfile(Customer("pa2"))]));

        // b writes a batch that names a's customer: refused before anything of the batch is written.
        await Assert.ThrowsAsync<TenantMismatchException>(() => In(b, sp =>
            ((EfCustomerProfileStore)sp.GetRequiredService<ICustomerProfileStore>()).UpsertManyAsync([new CustomerProfile(Customer("pb")), new CustomerProfile(Customer("pa"))])));
        Assert.Null(await In(b, sp => sp.GetRequiredService<ICustomerProfileStore>().FindAsync(Customer("pb"))));
        await Assert.ThrowsAsync<TenantMismatchException>(() => In(b, sp => sp.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(Customer("pa")))));
        await In(b, sp => sp.GetRequiredService<ICustomerProfileStore>().RemoveAsync(Customer("pa"))); // invisible: a no-op
        await In(b, sp => ((EfCustomerProfileStore)sp.GetRequiredService<ICustomerProfileStore>()).UpsertManyAsync([new CustomerProfile(Customer("pb")) { PurchaseCount = 4 }]));

        var kept = await In(a, sp => sp.GetRequiredService<ICustomerProfileStore>().FindAsync(Customer("pa")));
        Assert.Equal(4, kept!.PurchaseCount);
        Assert.Equal(["vip"], kept.Tags);
        Assert.Equal("gold", Assert.Single(kept.Attributes).Text);
        var owners = await In(a, sp => sp.GetRequiredService<CrmDbContext>().Set<CustomerProfile>().IgnoreQueryFilters()
            .Where(p => p.CustomerId == Customer("pa") || p.CustomerId == Customer("pb"))
            .OrderBy(p => p.CustomerId)
            .Select(p => EF.Property<TenantId?>(p, "TenantId"))
            .ToListAsync());
        Assert.Equal(new TenantId?[] { a, b }, owners);
        var rule = Criterion<CustomerProfile>.Where(p => p.PurchaseCount == 4);
        Assert.Equal(1, await In(a, sp => sp.GetRequiredService<ICustomerProfileStore>().CountAsync(rule)));
        Assert.Equal(1, await In(b, sp => sp.GetRequiredService<ICustomerProfileStore>().CountAsync(rule)));
    }

    [SkippableFact]
    public async Task Look_up_keys_carry_the_tenant_and_one_email_may_live_in_two_tenants()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("keys-a"), Fresh("keys-b"));
        var email = $"{_run}@example.test";
        foreach (var (tenant, name) in new[] { (a, "ka"), (b, "kb") })
        {
            await In(tenant, async sp =>
            {
                var customer = Customers.Customer.Register(Customer(name), CustomerName.Person("Test", "Person"), At);
                customer.AddEmail(email, At);
                await sp.GetRequiredService<IRepository<Customers.Customer, CustomerId>>().AddAsync(customer);
                await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
            });
        }
        var rows = await In(a, sp => sp.GetRequiredService<CrmDbContext>().Set<CustomerLookupKey>().IgnoreQueryFilters()
            .Where(k => k.Value == email).OrderBy(k => k.CustomerId).Select(k => new { k.CustomerId, k.TenantId }).ToListAsync());
        Assert.Equal(new (CustomerId, TenantId?)[] { (Customer("ka"), a), (Customer("kb"), b) }, rows.Select(r => (r.CustomerId, r.TenantId)));
        Assert.Equal(1, await In(a, sp => sp.GetRequiredService<CrmDbContext>().Set<CustomerLookupKey>().CountAsync(k => k.Value == email)));

        // b changes its customer's email: a's key is untouched (the stale-key delete is filtered too).
        await In(b, async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<Customers.Customer, CustomerId>>();
            var customer = (await repository.GetByIdAsync(Customer("kb")))!;
            customer.RemoveContactPoint(customer.Emails.Single().Id, At + Duration.FromMinutes(1));
            await repository.UpdateAsync(customer);
            await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
        });
        var left = await In(a, sp => sp.GetRequiredService<CrmDbContext>().Set<CustomerLookupKey>().IgnoreQueryFilters()
            .Where(k => k.Value == email).Select(k => k.CustomerId).ToListAsync());
        Assert.Equal([Customer("ka")], left);
    }

    [SkippableFact]
    public async Task Segment_refresh_stays_in_the_tenant()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("segments-a"), Fresh("segments-b"));
        await In(a, sp => sp.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(Customer("sa")) { PurchaseCount = 9 }.WithEmailMarketingConsent()));
        await In(b, sp => sp.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(Customer("sb")) { PurchaseCount = 9 }.WithEmailMarketingConsent()));
        var rule = new FieldCondition("purchases.count", RuleOperator.Gte, 9);
        var segment = new SegmentId($"{_run}-frequent");
        var members = await In(a, async sp =>
        {
            var service = sp.GetRequiredService<SegmentService>();
            await service.DefineDynamicAsync(segment, "Frequent", rule);
            await service.RefreshAsync(segment);
            return await service.GetMembersAsync(segment);
        });
        Assert.Equal([Customer("sa")], members);
        Assert.Equal(1, await In(b, sp => sp.GetRequiredService<SegmentService>().PreviewAsync(rule)));
        Assert.Null(await In(b, sp => sp.GetRequiredService<IRepository<Segment, SegmentId>>().GetByIdAsync(segment)));
    }

    [SkippableFact]
    public async Task The_hosts_own_queries_are_filtered_and_raw_sql_takes_the_current_tenant()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var (a, b) = (Fresh("own-a"), Fresh("own-b"));
        var ids = new List<CustomerId> { Customer("oa"), Customer("ob") };
        foreach (var (tenant, id) in new[] { (a, ids[0]), (b, ids[1]) })
        {
            await In(tenant, async sp =>
            {
                await sp.GetRequiredService<IRepository<Customers.Customer, CustomerId>>().AddAsync(Customers.Customer.Register(id, CustomerName.Person("Test", "Person"), At));
                await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
            });
        }
        var (count, sql) = await In(a, async sp =>
        {
            var db = sp.GetRequiredService<CrmDbContext>();
            Assert.True(db.IsTenantIsolated);
            Assert.Equal(a, db.CurrentTenant);
            return (await db.Set<Customers.Customer>().CountAsync(c => ids.Contains(c.Id)), db.Set<Customers.Customer>().ToQueryString());
        });
        Assert.Equal(1, count);
        Assert.Contains("tenant_id", sql.Split("WHERE", 2).ElementAtOrDefault(1) ?? string.Empty, StringComparison.Ordinal);

        var raw = await In(a, sp =>
        {
            var db = sp.GetRequiredService<CrmDbContext>();
            var tenant = db.CurrentTenant!.Value.Value;
            var first = ids[0].Value;
            var second = ids[1].Value;
            return db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM customers WHERE tenant_id = {tenant} AND customer_id IN ({first}, {second})").SingleAsync();
        });
        Assert.Equal(1, raw);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => WithoutTenant(sp => sp.GetRequiredService<CrmDbContext>().Set<Customers.Customer>().CountAsync()));
        Assert.True(error is TenantRequiredException || error.InnerException is TenantRequiredException, error.ToString());
        await Assert.ThrowsAsync<TenantRequiredException>(() => WithoutTenant(sp => Task.FromResult(sp.GetRequiredService<CrmDbContext>().CurrentTenant)));

        // Without UseTenancy() the model has no filter at all: today's SQL, unchanged.
        var services = new ServiceCollection();
        services.AddCrmCore().UseEntityFrameworkCore(Configure);
        await using var plain = services.BuildServiceProvider();
        await using var scope = plain.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        Assert.False(context.IsTenantIsolated);
        Assert.Null(context.CurrentTenant);
        Assert.DoesNotContain("WHERE", context.Set<Customers.Customer>().ToQueryString(), StringComparison.Ordinal);
        Assert.Equal(2, await context.Set<Customers.Customer>().CountAsync(c => ids.Contains(c.Id)));
    }
}

public sealed class SqliteTenancyDatabasePathsTest : TenancyDatabasePathsTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-tenancy-paths";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("tenancy-paths"));
}

public sealed class PostgresTenancyDatabasePathsTest : TenancyDatabasePathsTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-tenancy-paths";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("tenancy-paths"));
}
