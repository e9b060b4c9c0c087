using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Crm.Core.Testing.Storage;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

public sealed class EfAdapterTest : IAsyncLifetime
{
    private readonly ServiceProvider _services;

    public EfAdapterTest()
    {
        var services = new ServiceCollection();
        services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString("adapter")));
        _services = services.BuildServiceProvider();
    }

    public Task InitializeAsync() => TestDatabases.PrepareAsync("sqlite-adapter", _services);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public void UseEntityFrameworkCore_registers_every_service_once_and_a_second_call_is_harmless()
    {
        var services = new ServiceCollection();
        var builder = services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite("Data Source=:memory:"));
        var count = services.Count;
        builder.UseEntityFrameworkCore(o => o.UseSqlite("Data Source=:memory:"));
        Assert.Equal(count, services.Count);
        builder.UseInMemoryStore(); // a second store does not replace the first: the EF registrations win
        Assert.Single(services, d => d.ServiceType == typeof(IUnitOfWork));
        Assert.Single(services, d => d.ServiceType == typeof(IRepository<,>));
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        Assert.IsType<EfUnitOfWork>(scope.ServiceProvider.GetRequiredService<IUnitOfWork>());
        Assert.IsType<EfRepository<Purchase, TransactionId>>(scope.ServiceProvider.GetRequiredService<IRepository<Purchase, TransactionId>>());
        Assert.Equal(CrmStoreProvider.Sqlite, scope.ServiceProvider.GetRequiredService<CrmDbContext>().Provider);
    }

    [Fact]
    public async Task Profile_writes_join_a_transaction_the_host_opened_and_roll_back_with_it()
    {
        var kept = new CustomerProfile(new CustomerId("tx-kept-" + Guid.NewGuid().ToString("N"))) { PurchaseCount = 2 };
        var dropped = new CustomerProfile(new CustomerId("tx-dropped-" + Guid.NewGuid().ToString("N"))) { PurchaseCount = 3 };
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var store = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await store.UpsertAsync(dropped);
                await transaction.RollbackAsync();
            }
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await store.UpsertAsync(kept);
                await transaction.CommitAsync();
            }
        }

        await using var check = _services.CreateAsyncScope();
        var profiles = check.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
        Assert.Equal(2, (await profiles.FindAsync(kept.CustomerId))!.PurchaseCount);
        Assert.Null(await profiles.FindAsync(dropped.CustomerId));
    }

    [Fact]
    public void UseEntityFrameworkCore_rejects_null_and_missing_provider()
    {
        var builder = new ServiceCollection().AddCrmCore();
        Assert.Throws<ArgumentNullException>("builder", () => ((ICrmCoreBuilder)null!).UseEntityFrameworkCore(o => o.UseSqlite("Data Source=:memory:")));
        Assert.Throws<ArgumentNullException>("configure", () => builder.UseEntityFrameworkCore(null!));
        Assert.Throws<ArgumentException>("configure", () => builder.UseEntityFrameworkCore(_ => { }));
    }

    [Fact]
    public void Schema_is_snake_case_with_money_as_two_columns_and_customer_leading_the_key()
    {
        using var scope = _services.CreateScope();
        var entity = scope.ServiceProvider.GetRequiredService<CrmDbContext>().Model.FindEntityType(typeof(Purchase))!;
        Assert.Equal("purchases", entity.GetTableName());
        Assert.Equal(["customer_id", "transaction_id"], entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        var columns = entity.GetProperties().Select(p => p.GetColumnName())
            .Concat(entity.GetComplexProperties().SelectMany(c => c.ComplexType.GetProperties()).Select(p => p.GetColumnName()))
            .ToHashSet();
        Assert.True(columns.IsSupersetOf(new HashSet<string> { "total_amount", "total_currency", "occurred_at", "tenant_id", "version", "lines", "original_transaction_id", "channel" }), string.Join(",", columns));
    }

    [Fact]
    public async Task An_untranslatable_condition_fails_loudly_naming_it()
    {
        using var scope = _services.CreateScope();
        var repository = scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>();
        var specification = Specification.Create<Purchase>(q => q.Where(p => p.Total.Amount > 0).Where(p => IsLucky(p)));
        var ex = await Assert.ThrowsAsync<UntranslatableSpecificationException>(() => repository.ListAsync(specification));
        Assert.Contains("IsLucky", ex.Condition, StringComparison.Ordinal);
        Assert.Contains("IsLucky", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UntranslatableSpecificationException>(() => repository.CountAsync(specification));
        await Assert.ThrowsAsync<UntranslatableSpecificationException>(async () =>
        {
            await foreach (var _ in repository.StreamAsync(specification))
            {
            }
        });
    }

    [Fact]
    public async Task Ingestion_is_batched_and_idempotent()
    {
        var tenant = new TenantId("ingest-" + Guid.NewGuid().ToString("N"));
        var purchases = StorageGenerators.Purchases(tenant).Sample(25).ToList();
        var repeated = purchases.Take(5).Select(p => Purchase.Create(p.Id, p.CustomerId, p.OccurredAt, p.Channel, p.Total, tenant)).ToList();
        await using (var scope = _services.CreateAsyncScope())
        {
            var progress = new List<PurchaseIngestionResult>();
            var result = await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>()
                .IngestAsync(purchases.Concat(repeated), batchSize: 7, new SynchronousProgress<PurchaseIngestionResult>(progress.Add));
            Assert.Equal(new PurchaseIngestionResult(25, 5), result);
            // Running totals after each committed batch of 7: 7, 14, 21, 28, 30 purchases handled.
            Assert.Equal([7L, 14, 21, 28, 30], progress.Select(p => p.Inserted + p.Skipped));
            Assert.Equal(result, progress[^1]);
            Assert.All(purchases, p => Assert.Equal(1, p.Version));
        }
        await using (var scope = _services.CreateAsyncScope())
        {
            // A retried feed inserts nothing twice.
            var again = StorageGenerators.Purchases(tenant).Sample(3).ToList();
            var retry = purchases.Select(p => Purchase.Create(p.Id, p.CustomerId, p.OccurredAt, p.Channel, p.Total, tenant)).Concat(again);
            var result = await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>().IngestAsync(retry, batchSize: 10);
            Assert.Equal(new PurchaseIngestionResult(3, 25), result);
            var count = await scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>()
                .CountAsync(Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant)));
            Assert.Equal(28, count);
        }
    }

    [Fact]
    public async Task Ingestion_rejects_bad_arguments()
    {
        await using var scope = _services.CreateAsyncScope();
        var ingestion = scope.ServiceProvider.GetRequiredService<PurchaseIngestion>();
        await Assert.ThrowsAsync<ArgumentNullException>("purchases", () => ingestion.IngestAsync((IEnumerable<Purchase>)null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("batchSize", () => ingestion.IngestAsync(Array.Empty<Purchase>(), 0));
    }

    [Fact]
    public async Task Repository_for_an_unmapped_aggregate_says_so()
    {
        using var scope = _services.CreateScope();
        var repository = scope.ServiceProvider.GetRequiredService<IReadRepository<Unmapped, CustomerId>>();
        var ex = await Assert.ThrowsAsync<UnmappedAggregateException>(() => repository.GetByIdAsync(new CustomerId("x")));
        Assert.Contains(nameof(Unmapped), ex.Message, StringComparison.Ordinal);
    }

    private static bool IsLucky(Purchase purchase) => purchase.Id.Value.Length % 7 == 0;

    public sealed class Unmapped : AggregateRoot<CustomerId>
    {
        public Unmapped(CustomerId id)
            : base(id)
        {
        }

        protected override AggregateRoot<CustomerId> CreateCopy() => new Unmapped(Id);
    }
}

/// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
