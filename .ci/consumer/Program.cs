// A stranger's program: it knows Crm.Core only through the packages built by .ci/pack-test.
// Each package gets at least one real call; a wrong answer exits non-zero.
using Crm.Core;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Crm.Core.Testing;
using FsCheck.Fluent;

var total = Money.Of(19.99m, "EUR") + Money.Of(0.01m, "EUR");
Check(total == Money.Of(20m, "EUR"), "Crm.Core: Money arithmetic");

var sample = CrmArbitraries.Money().Generator.Sample(5);
Check(sample.Length == 5, "Crm.Core.Testing: arbitraries generate values");

// Crm.Core.EntityFrameworkCore: a purchase round-trips through an embedded SQLite file.
var dbPath = Path.Combine(Path.GetTempPath(), $"crm-consumer-{Guid.NewGuid():N}.db");
var services = new ServiceCollection();
services.AddCrmCore()
    .UseEntityFrameworkCore(o => o.UseSqlite($"Data Source={dbPath};Pooling=False"));
await using (var provider = services.BuildServiceProvider())
{
    await CrmDatabase.MigrateAsync(provider);
    var purchase = Purchase.Create(new TransactionId("T-1"), new CustomerId("00042"),
        NodaTime.Instant.FromUtc(2026, 1, 2, 3, 4), Channel.Web, Money.Of(12.5m, "EUR"));
    using (var scope = provider.CreateScope())
    {
        var repository = scope.ServiceProvider.GetRequiredService<IRepository<Purchase, TransactionId>>();
        await repository.AddAsync(purchase);
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
    }
    using (var scope = provider.CreateScope())
    {
        var loaded = await scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>().GetByIdAsync(new TransactionId("T-1"));
        Check(loaded is { Version: 1 } && loaded.Total == Money.Of(12.5m, "EUR") && loaded.CustomerId.Value == "00042",
            "Crm.Core.EntityFrameworkCore: purchase round-trips through SQLite");
    }
}
File.Delete(dbPath);

// Crm.Core.Analytics: the published CDNOW example (Fader, Hardie & Lee 2005): P(alive | x=2, t_x=30.43, T=38.86) = 0.7266.
var bgnbd = new BgNbdModel(new BgNbdParameters(0.2426, 4.4136, 0.7929, 2.4259), PeriodUnit.Week);
Check(Math.Abs(bgnbd.ProbabilityAlive(new RecencyFrequency(2, 30.43, 38.86)) - 0.7266) < 1e-4, "Crm.Core.Analytics: BG/NBD probability alive");

Console.WriteLine("consumer: all package calls succeeded");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine($"consumer: FAILED {what}");
        Environment.Exit(1);
    }
}
