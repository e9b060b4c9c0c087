using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
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
/// Results are per purchase (OperationsPerInvoke). Runs under both garbage collectors (see <see cref="GcModes"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GcModes))]
public class LoyaltyBenchmarks
{
    /// <summary>
    /// Three short-run jobs: the workstation collector (a console app's default), the server collector (ASP.NET Core's),
    /// and the server collector with a 256 MB gen0 budget (<c>DOTNET_GCgen0size</c>, a host setting). Every purchase
    /// leaves a ledger entry alive, so nearly everything allocated survives and the collector's cost is a large share
    /// of the time; a host should see the three in one table rather than compare runs.
    /// </summary>
    public sealed class GcModes : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public GcModes()
        {
            AddJob(Job.ShortRun.WithGcServer(false).WithGcConcurrent(true).WithId("WorkstationGC").AsBaseline());
            AddJob(Job.ShortRun.WithGcServer(true).WithId("ServerGC"));
            AddJob(Job.ShortRun.WithGcServer(true).WithEnvironmentVariables(new EnvironmentVariable("DOTNET_GCgen0size", "0x10000000"))
                .WithId("ServerGC-Gen0-256MB"));
        }
    }

    private const int DefaultPurchases = 1_000_000;

    /// <summary>How many purchases (OperationsPerInvoke assumes the default; tests use fewer).</summary>
    public int Purchases { get; set; } = DefaultPurchases;

    /// <summary>How many members the purchases are spread over.</summary>
    public int Members { get; set; } = 100_000;
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    private LoyaltyProgramme _programme = null!;
    private Purchase[] _purchases = [];
    private CustomerId[] _members = [];
    // The member (index into _members and _accounts) of each purchase: the benchmark measures the engine, so finding
    // the account in memory is an array access rather than a dictionary lookup that would dominate the timing.
    private int[] _memberOf = [];
    private LoyaltyAccount[] _accounts = [];
    private ServiceProvider? _provider;
    private FakeClock _clock = new(Start);

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
        _memberOf = new int[Purchases];
        for (var i = 0; i < Purchases; i++)
        {
            var lineCount = 1 + random.Next(3);
            var chosen = new PurchaseLine[lineCount];
            for (var l = 0; l < lineCount; l++)
            {
                chosen[l] = lines[random.Next(lines.Length)]; // immutable lines are shared between purchases
            }
            _memberOf[i] = random.Next(Members);
            _purchases[i] = Purchase.Create(new TransactionId($"T{i:D7}"), _members[_memberOf[i]], Start + (step * i),
                random.Next(4) == 0 ? Channel.MobileApp : Channel.Web, chosen);
        }
    }

    [IterationSetup(Target = nameof(Engine))]
    public void OpenAccounts()
    {
        _accounts = new LoyaltyAccount[Members];
        for (var m = 0; m < Members; m++)
        {
            _accounts[m] = LoyaltyAccount.Open(new LoyaltyAccountId(_programme.Id, _members[m]), _programme, Start);
        }
    }

    [Benchmark(OperationsPerInvoke = DefaultPurchases)]
    public long Engine()
    {
        var points = 0L;
        for (var i = 0; i < _purchases.Length; i++)
        {
            var purchase = _purchases[i];
            points += _accounts[_memberOf[i]].Accrue(_programme, purchase, purchase.OccurredAt).Entry.Credited;
        }
        return points;
    }

    [IterationSetup(Target = nameof(EndToEnd))]
    public void FreshStore()
    {
        _provider?.Dispose();
        var services = new ServiceCollection();
        _clock = new FakeClock(Start);
        services.AddSingleton<IClock>(_clock);
        services.AddCrmCore().UseInMemoryStore();
        _provider = services.BuildServiceProvider();
    }

    [Benchmark(OperationsPerInvoke = DefaultPurchases)]
    public long EndToEnd()
    {
        var points = 0L;
        var scopes = _provider!.GetRequiredService<IServiceScopeFactory>();
        foreach (var purchase in _purchases)
        {
            // The till reports each purchase as it happens, as in Engine: both compute the same points.
            _clock.Reset(purchase.OccurredAt);
            using var scope = scopes.CreateScope();
            var loyalty = scope.ServiceProvider.GetRequiredService<LoyaltyService>();
            points += loyalty.AccrueAsync(_programme, purchase).GetAwaiter().GetResult().Entry.Credited;
        }
        return points;
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();
}
