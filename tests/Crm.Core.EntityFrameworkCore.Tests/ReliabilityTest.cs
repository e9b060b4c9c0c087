using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Crm.Core.Testing.Storage;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit.Abstractions;

namespace Crm.Core.EntityFrameworkCore.Tests;

public sealed class ReliabilityTest(ITestOutputHelper output)
{
    /// <summary>Fails the n-th data-changing command of a SaveChanges, after the earlier ones ran.</summary>
    private sealed class FailingInterceptor : DbCommandInterceptor
    {
        public int FailAtCommand { get; set; } = -1;

        private int _seen;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (FailAtCommand >= 0 && command.CommandText.Contains("INSERT", StringComparison.Ordinal) && Interlocked.Increment(ref _seen) == FailAtCommand)
            {
                throw new InvalidOperationException("injected fault in the middle of SaveChanges");
            }
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    [Fact]
    public async Task A_fault_in_the_middle_of_SaveChanges_leaves_nothing_and_the_retry_succeeds()
    {
        var interceptor = new FailingInterceptor();
        var services = new ServiceCollection();
        services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString("faults"))
            .AddInterceptors(interceptor).UseSqlite(o2 => o2.MaxBatchSize(1))); // one statement per command: the fault lands between rows
        await using var provider = services.BuildServiceProvider();
        await TestDatabases.PrepareAsync("sqlite-faults", provider);
        var tenant = new TenantId("faults-" + Guid.NewGuid().ToString("N"));
        var purchases = StorageGenerators.Purchases(tenant).Sample(6).ToList();

        interceptor.FailAtCommand = 4;
        await using (var scope = provider.CreateAsyncScope())
        {
            var repository = scope.ServiceProvider.GetRequiredService<IRepository<Purchase, TransactionId>>();
            foreach (var purchase in purchases)
            {
                await repository.AddAsync(purchase);
            }
            var fault = await Assert.ThrowsAsync<DbUpdateException>(() => scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync());
            Assert.Contains("injected fault", fault.InnerException!.Message, StringComparison.Ordinal);
        }
        var all = Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant));
        await using (var scope = provider.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>().CountAsync(all));
        }
        Assert.All(purchases, p => Assert.Equal(0, p.Version));

        // Retrying the same feed (transaction ids are the idempotency keys) stores every purchase exactly once.
        interceptor.FailAtCommand = -1;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using var scope = provider.CreateAsyncScope();
            var copies = purchases.Select(p => Purchase.Create(p.Id, p.CustomerId, p.OccurredAt, p.Channel, p.Total, tenant));
            await scope.ServiceProvider.GetRequiredService<Storage.PurchaseIngestion>().IngestAsync(copies, batchSize: 4);
        }
        await using (var scope = provider.CreateAsyncScope())
        {
            Assert.Equal(purchases.Count, await scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>().CountAsync(all));
        }
    }

    [SkippableFact]
    public async Task Parallel_loyalty_operations_on_PostgreSQL_lose_no_update()
    {
        var reason = TestDatabases.PostgresUnavailable();
        Skip.If(reason is not null, reason);
        var clock = new FakeClock(Instant.FromUtc(2026, 5, 1, 0, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString("loyalty")));
        await using var provider = services.BuildServiceProvider();
        await TestDatabases.PrepareAsync("pg-loyalty", provider);
        var programme = new LoyaltyProgramme(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
            new EarningRuleSet([new SpendRule("base", 1m)]), negativeBalancePolicy: NegativeBalancePolicy.ClampAtZero);
        var members = Enumerable.Range(0, 10).Select(i => new CustomerId($"M{i}")).ToArray();
        var applied = new ConcurrentDictionary<string, byte>();
        var conflicts = 0;
        var watch = Stopwatch.StartNew();

        // CI keeps this at 400 operations (a state document per account is rewritten on every operation);
        // CRM_LOYALTY_OPERATIONS=10000 runs the full figure.
        var total = int.TryParse(Environment.GetEnvironmentVariable("CRM_LOYALTY_OPERATIONS"), out var n) ? n : 400;
        const int Workers = 8;
        var perWorker = total / Workers;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < perWorker; i++)
            {
                var member = members[random.Next(members.Length)];
                var purchaseNumber = (worker / 2 * perWorker) + i; // every purchase sent by two workers: counts once
                try
                {
                    await using var scope = provider.CreateAsyncScope();
                    var loyalty = scope.ServiceProvider.GetRequiredService<LoyaltyService>();
                    if (random.Next(3) == 0)
                    {
                        var key = $"redeem-{worker}-{i}";
                        var result = await loyalty.RedeemAsync(programme, member, random.Next(1, 80), key);
                        applied[key] = 0;
                    }
                    else
                    {
                        var owner = members[purchaseNumber % members.Length];
                        var purchase = Purchase.Create(new TransactionId($"T{purchaseNumber}"), owner, clock.GetCurrentInstant(), Channel.Web, new Money(10 + (purchaseNumber % 7), Currency.EUR));
                        var result = await loyalty.AccrueAsync(programme, purchase);
                        if (!result.AlreadyApplied)
                        {
                            Assert.True(applied.TryAdd(purchase.TransactionId.Value, 0), "a purchase was recorded twice");
                        }
                    }
                }
                catch (InsufficientPointsException)
                {
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts); // the service retries; only exhausted retries surface
                }
            }
        })));
        watch.Stop();

        await using var check = provider.CreateAsyncScope();
        var service = check.ServiceProvider.GetRequiredService<LoyaltyService>();
        var entries = 0;
        foreach (var member in members)
        {
            var account = await service.FindAccountAsync(programme, member);
            if (account is null)
            {
                continue;
            }
            var balance = account.BalanceAt(clock.GetCurrentInstant());
            Assert.Equal(account.Entries.Sum(e => e.Points), balance.Available);
            Assert.Equal(account.Lots.Sum(l => l.Remaining), balance.Available);
            Assert.Equal(account.Entries.Count, account.Entries.Select(e => e.IdempotencyKey).Distinct().Count());
            entries += account.Entries.Count;
        }
        output.WriteLine($"{total} operations, {applied.Count} applied, {conflicts} exhausted retries, {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(applied.Count, entries); // zero lost updates
    }
}
