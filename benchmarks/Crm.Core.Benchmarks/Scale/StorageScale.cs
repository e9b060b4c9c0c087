using System.Diagnostics;
using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.EntityFrameworkCore.Segmentation;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Benchmarks.Scale;

/// <summary>
/// The storage scale figures of docs/scaling.md, measured on a real database (one run, wall-clock, no BenchmarkDotNet:
/// each step takes seconds to minutes and changes the database). Steps: ingest N purchases; RFM pushed down (one
/// GROUP BY) vs the purchases streamed into the in-memory engine; a 10-condition segment rule over M profiles pushed
/// down vs evaluated in memory. Results are checked for equality before they are reported.
/// </summary>
/// <remarks>
/// <code>
/// dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- scale --postgres "Host=127.0.0.1;Port=5432;Username=postgres" [--purchases 1000000] [--profiles 1000000]
/// dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- scale --sqlite /tmp/crm-scale.db [...]
/// </code>
/// The database named in the connection string (default crm_scale) is dropped and re-created.
/// </remarks>
public static class StorageScale
{
    private static readonly LocalDate AsOf = new(2026, 6, 30);

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var purchases = int.Parse(Option("--purchases") ?? "1000000", CultureInfo.InvariantCulture);
        var profiles = int.Parse(Option("--profiles") ?? "1000000", CultureInfo.InvariantCulture);
        var services = new ServiceCollection();
        string where;
        if (Option("--postgres") is { } postgres)
        {
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(postgres);
            connection.Database ??= "crm_scale";
            services.AddCrmCore().UseEntityFrameworkCore(o => o.UseNpgsql(connection.ConnectionString));
            where = $"PostgreSQL {connection.Host}:{connection.Port}/{connection.Database}";
        }
        else if (Option("--sqlite") is { } file)
        {
            services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite($"Data Source={file}"));
            where = $"SQLite {file}";
        }
        else
        {
            Console.Error.WriteLine("usage: scale (--postgres CONNECTION | --sqlite FILE) [--purchases N] [--profiles N]");
            return 2;
        }
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Database.EnsureDeletedAsync();
        }
        await CrmDatabase.MigrateAsync(provider);
        Console.WriteLine($"# Storage scale on {where}: {purchases:N0} purchases, {profiles:N0} profiles, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| step | rows | time | rate | note |");
        Console.WriteLine("|---|---:|---:|---:|---|");

        // 1. Ingestion.
        var data = Purchases(purchases, seed: 7);
        var watch = Stopwatch.StartNew();
        await using (var scope = provider.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>().IngestAsync(data, batchSize: 5000);
            Row("ingest purchases (PurchaseIngestion, batches of 5,000)", result.Inserted, watch.Elapsed, "purchases/s");
        }

        // 2. RFM: pushed down vs streamed into memory.
        var options = new RfmOptions(AsOf) { WindowDays = 730 };
        watch.Restart();
        RfmResult<CustomerId> pushed;
        await using (var scope = provider.CreateAsyncScope())
        {
            pushed = await scope.ServiceProvider.GetRequiredService<DatabaseRfmCalculator>().ComputeAsync(options);
        }
        Row("RFM pushed down (one GROUP BY, scored in the library)", pushed.Count, watch.Elapsed, "customers/s");
        watch.Restart();
        RfmResult<CustomerId> streamed;
        await using (var scope = provider.CreateAsyncScope())
        {
            var accumulator = new RfmAccumulator(options);
            var all = Specification.Create<Purchase>(_ => { });
            await foreach (var purchase in scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>().StreamAsync(all))
            {
                accumulator.Add(purchase.CustomerId, purchase.TransactionId, purchase.OccurredAt, purchase.Total);
            }
            streamed = accumulator.ToResult();
        }
        Row("RFM streamed: every purchase read into the in-memory engine", purchases, watch.Elapsed, "purchases/s");
        if (!pushed.Select(c => (c.Customer, c.Score, c.Monetary)).SequenceEqual(streamed.Select(c => (c.Customer, c.Score, c.Monetary))))
        {
            throw new InvalidOperationException("RFM pushed down and streamed disagree.");
        }

        // 3. Segments: one 10-condition rule over the profiles, in the database vs in memory.
        var population = SegmentationBenchmarks.Generate(profiles, seed: 42);
        watch.Restart();
        await using (var scope = provider.CreateAsyncScope())
        {
            var store = (EfCustomerProfileStore)scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
            await store.UpsertManyAsync(population, batchSize: 5000);
        }
        Row("load profiles (EfCustomerProfileStore.UpsertManyAsync)", profiles, watch.Elapsed, "profiles/s");
        var criterion = RuleCompiler.Default.Compile(SegmentationBenchmarks.Rule, SegmentationBenchmarks.Today);
        long inDatabase = 0;
        watch.Restart();
        await using (var scope = provider.CreateAsyncScope())
        {
            await foreach (var batch in scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().StreamMatchingAsync(criterion, 10_000))
            {
                inDatabase += batch.Count;
            }
        }
        Row("segment rule pushed down (member ids streamed from SQL)", profiles, watch.Elapsed, "profiles/s", $"{inDatabase:N0} members");
        watch.Restart();
        long count;
        await using (var scope = provider.CreateAsyncScope())
        {
            count = await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().CountAsync(criterion);
        }
        Row("segment preview pushed down (COUNT)", profiles, watch.Elapsed, "profiles/s", $"{count:N0} members");
        var memory = new InMemoryCustomerProfileStore();
        foreach (var profile in population)
        {
            await memory.UpsertAsync(profile);
        }
        long inMemory = 0;
        await foreach (var batch in memory.StreamMatchingAsync(criterion, 10_000))
        {
            inMemory += batch.Count; // first pass builds the columns a rule reads, as a running host would have
        }
        inMemory = 0;
        watch.Restart();
        await foreach (var batch in memory.StreamMatchingAsync(criterion, 10_000))
        {
            inMemory += batch.Count;
        }
        Row("segment rule in memory (InMemoryCustomerProfileStore, profiles resident)", profiles, watch.Elapsed, "profiles/s", $"{inMemory:N0} members");
        watch.Restart();
        long loaded = 0;
        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            await foreach (var profile in context.Set<CustomerProfile>().AsNoTracking().AsAsyncEnumerable())
            {
                loaded += criterion.Compiled(profile) ? 1 : 0;
            }
        }
        Row("segment rule in memory after reading every profile from the database", profiles, watch.Elapsed, "profiles/s", $"{loaded:N0} members");
        if (inDatabase != inMemory || count != inMemory || loaded != inMemory)
        {
            throw new InvalidOperationException($"Segment members disagree: database {inDatabase}, count {count}, memory {inMemory}, loaded {loaded}.");
        }
        return 0;
    }

    private static void Row(string step, long rows, TimeSpan elapsed, string unit, string note = "") =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {step} | {rows:N0} | {elapsed.TotalSeconds:N2} s | {rows / Math.Max(elapsed.TotalSeconds, 1e-9):N0} {unit} | {note} |"));

    // Purchases of ~20% as many customers as purchases over two years before the as-of date: a skewed number per
    // customer, cents amounts, ~3% refunds, unique transaction ids; deterministic.
    private static IEnumerable<Purchase> Purchases(int count, int seed)
    {
        var random = new Random(seed);
        var customers = Math.Max(1, count / 5);
        var end = AsOf.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        for (var i = 0; i < count; i++)
        {
            var customer = (int)(customers * Math.Pow(random.NextDouble(), 2)); // skewed: low ids buy more often
            var at = end - Duration.FromSeconds(random.NextInt64(1, 730L * 86_400));
            var cents = random.Next(50) == 0 ? -random.Next(100, 20_000) : random.Next(100, 50_000);
            yield return Purchase.Create(new TransactionId("T" + i.ToString(CultureInfo.InvariantCulture)),
                new CustomerId("C" + customer.ToString(CultureInfo.InvariantCulture)), at, Channel.Web, new Money(cents / 100m, Currency.EUR));
        }
    }
}
