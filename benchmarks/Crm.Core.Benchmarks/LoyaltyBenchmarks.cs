using BenchmarkDotNet.Attributes;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Benchmarks;

/// <summary>
/// 1,000,000 purchases by 100,000 members through a programme with 10 earning rules and 4 tiers.
/// <c>Engine</c>: rules applied to accounts held in memory (idempotency check included).
/// <c>EndToEnd</c>: through <see cref="LoyaltyService"/> with the in-memory store and a unit of work per purchase.
/// Results are per purchase (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class LoyaltyBenchmarks
{
    private const int Purchases = 1_000_000;
    private const int Members = 100_000;
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    private LoyaltyProgramme _programme = null!;
    private Purchase[] _purchases = [];
    private CustomerId[] _members = [];
    private Dictionary<CustomerId, LoyaltyAccount> _accounts = new();
    private ServiceProvider? _provider;

    [GlobalSetup]
    public void Setup()
    {
        var tiers = new TierPolicy([new("BRONZE", 0m), new("SILVER", 500m), new("GOLD", 2000m), new("PLATINUM", 5000m)]);
        _programme = new LoyaltyProgramme(new ProgrammeId("bench"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet(
            [
                new SpendRule("base", 1m, excludedCategories: ["giftcards"]),
                new SpendRule("app-extra", 0.5m, conditions: new RuleConditions(channels: [Channel.MobileApp])),
                new MultiplierRule("shoes", 2m, categories: ["shoes"]),
                new MultiplierRule("sku-promo", 3m, skus: ["SKU-7"]),
                new MultiplierRule("spring", 2m, validFrom: Instant.FromUtc(2026, 3, 1, 0, 0), validUntil: Instant.FromUtc(2026, 4, 1, 0, 0)),
                new TierBonusRule("silver", "SILVER", 1.1m),
                new TierBonusRule("gold", "GOLD", 1.25m),
                new TierBonusRule("platinum", "PLATINUM", 1.5m),
                new EventRule("first", LoyaltyEventType.FirstPurchase, 100),
                new SpendRule("big-basket", 0.2m, minimumOrderValue: 200m, cap: new RuleCap(CapPeriod.Month, 500)),
            ]),
            ExpiryPolicy.EndOfYear(1), tiers: tiers);

        string[] categories = ["shoes", "books", "food", "giftcards", "toys"];
        var lines = Enumerable.Range(0, 40)
            .Select(i => new PurchaseLine(new Sku($"SKU-{i}"), 1 + (i % 3), new Money(5m + (i * 3.37m), Currency.EUR), categories[i % categories.Length]))
            .ToArray();
        _members = Enumerable.Range(0, Members).Select(i => new CustomerId($"C{i:D6}")).ToArray();
        var random = new Random(42);
        var step = Duration.FromDays(365) / Purchases;
        _purchases = new Purchase[Purchases];
        for (var i = 0; i < Purchases; i++)
        {
            var lineCount = 1 + random.Next(3);
            var chosen = new PurchaseLine[lineCount];
            for (var l = 0; l < lineCount; l++)
            {
                chosen[l] = lines[random.Next(lines.Length)]; // immutable lines are shared between purchases
            }
            _purchases[i] = Purchase.Create(new TransactionId($"T{i:D7}"), _members[random.Next(Members)], Start + (step * i),
                random.Next(4) == 0 ? Channel.MobileApp : Channel.Web, chosen);
        }
    }

    [IterationSetup(Target = nameof(Engine))]
    public void OpenAccounts()
    {
        _accounts = new Dictionary<CustomerId, LoyaltyAccount>(Members);
        foreach (var member in _members)
        {
            _accounts[member] = LoyaltyAccount.Open(new LoyaltyAccountId(_programme.Id, member), _programme, Start);
        }
    }

    [Benchmark(OperationsPerInvoke = Purchases)]
    public long Engine()
    {
        var points = 0L;
        foreach (var purchase in _purchases)
        {
            points += _accounts[purchase.CustomerId].Accrue(_programme, purchase, purchase.OccurredAt).Entry.Credited;
        }
        return points;
    }

    [IterationSetup(Target = nameof(EndToEnd))]
    public void FreshStore()
    {
        _provider?.Dispose();
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Start + Duration.FromDays(366)));
        services.AddCrmCore().UseInMemoryStore();
        _provider = services.BuildServiceProvider();
    }

    [Benchmark(OperationsPerInvoke = Purchases)]
    public long EndToEnd()
    {
        var points = 0L;
        var scopes = _provider!.GetRequiredService<IServiceScopeFactory>();
        foreach (var purchase in _purchases)
        {
            using var scope = scopes.CreateScope();
            var loyalty = scope.ServiceProvider.GetRequiredService<LoyaltyService>();
            points += loyalty.AccrueAsync(_programme, purchase).GetAwaiter().GetResult().Entry.Credited;
        }
        return points;
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();
}
