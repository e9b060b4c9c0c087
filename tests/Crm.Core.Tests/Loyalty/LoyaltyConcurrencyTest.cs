using System.Collections.Concurrent;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Loyalty;

public class LoyaltyConcurrencyTest
{
    [Fact]
    public async Task ParallelWorkers_OnTheSameAccounts_LoseNoUpdate_AndNeverOverdraw()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 5, 1, 0, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var programme = new LoyaltyProgramme(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
            new EarningRuleSet([new SpendRule("base", 1m)]), negativeBalancePolicy: NegativeBalancePolicy.ClampAtZero);
        var members = Enumerable.Range(0, 3).Select(i => new CustomerId($"M{i}")).ToArray();
        var applied = new ConcurrentDictionary<string, byte>(); // keys recorded (first time)
        var refused = 0;

        const int Workers = 8;
        const int OperationsPerWorker = 150;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < OperationsPerWorker; i++)
            {
                var member = members[random.Next(members.Length)];
                // Every purchase is sent by two workers (as a retrying host would): it must count once.
                var purchaseNumber = (worker / 2 * OperationsPerWorker) + i;
                await using var scope = provider.CreateAsyncScope();
                var loyalty = scope.ServiceProvider.GetRequiredService<LoyaltyService>();
                try
                {
                    if (random.Next(3) == 0)
                    {
                        var key = $"redeem-{worker}-{i}";
                        var result = await loyalty.RedeemAsync(programme, member, random.Next(1, 80), key);
                        Assert.False(result.AlreadyApplied);
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
                    Interlocked.Increment(ref refused);
                }
            }
        })));

        await using var check = provider.CreateAsyncScope();
        var service = check.ServiceProvider.GetRequiredService<LoyaltyService>();
        var entries = 0;
        foreach (var member in members)
        {
            var account = (await service.FindAccountAsync(programme, member))!;
            var balance = account.BalanceAt(clock.GetCurrentInstant());
            Assert.Equal(account.Entries.Sum(e => e.Points), balance.Available);
            Assert.True(balance.Available >= 0);
            Assert.Equal(account.Lots.Sum(l => l.Remaining), balance.Available);
            Assert.Equal(account.Entries.Count, account.Entries.Select(e => e.IdempotencyKey).Distinct().Count());
            Assert.All(account.Entries, e => Assert.True(applied.ContainsKey(e.IdempotencyKey!), $"entry {e.IdempotencyKey} was never acknowledged"));
            entries += account.Entries.Count;
        }
        Assert.Equal(applied.Count, entries); // zero lost updates: every acknowledged operation is in a ledger
        Assert.True(applied.Count > Workers * OperationsPerWorker / 3, "the test should record a substantial number of operations");
    }
}
