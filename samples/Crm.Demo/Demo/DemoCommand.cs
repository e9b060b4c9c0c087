using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Storage;
using Crm.Demo.Cli;
using Crm.Demo.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// The default command: the guided tour of Crm.Core. It generates a retail data set (<see cref="RetailDataSet"/>), stores
/// it in an SQLite file through the EF Core adapter, and lets each capability's showcase (one file each in this folder)
/// tell its part of the story from what the library computes.
/// </summary>
public sealed class DemoCommand : ICliCommand
{
    /// <summary>The fewest customers accepted by <c>--customers</c> (the models need some repeat buyers).</summary>
    public const int MinCustomers = 100;

    /// <summary>The most customers accepted by <c>--customers</c>.</summary>
    public const int MaxCustomers = 50_000;

    /// <inheritdoc/>
    public string Name => "demo";

    /// <inheritdoc/>
    public string Summary => "Tour of Crm.Core on a generated retail data set in SQLite (the default when no command is given).";

    /// <inheritdoc/>
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("--seed", "N", false, $"Seed of the generated data (default {RetailDataSet.DefaultSeed}); the same seed gives the same story."),
        new("--customers", "N", false, $"Customers to generate, {MinCustomers} to {MaxCustomers} (default {RetailDataSet.DefaultCustomers})."),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<string> Examples { get; } =
    [
        $"{CliApp.ProgramName} demo",
        $"{CliApp.ProgramName} demo --seed 7 --customers 5000",
    ];

    /// <inheritdoc/>
    public int Run(CliArguments arguments, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var seed = arguments.GetInt32("--seed", 0, int.MaxValue) ?? RetailDataSet.DefaultSeed;
        var customers = arguments.GetInt32("--customers", MinCustomers, MaxCustomers) ?? RetailDataSet.DefaultCustomers;
        RunAsync(context.Console, seed, customers).GetAwaiter().GetResult();
        return CliApp.Success;
    }

    private static async Task RunAsync(IAnsiConsole console, int seed, int customerCount)
    {
        console.Write(new Rule("[bold]Crm.Core demo[/]").LeftJustified());

        // The embedded default store: a file path is all a host needs. A temp folder keeps every run fresh.
        var folder = Directory.CreateTempSubdirectory("crm-demo-");
        var path = Path.Combine(folder.FullName, "crm.db");
        var clock = new DemoClock();
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock); // the story's "now" comes from the data, never from the wall clock
        services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite($"Data Source={path}")
            .AddInterceptors(new ThrowawayDatabase()));
        try
        {
            await using (var provider = services.BuildServiceProvider())
            {
                await CrmDatabase.MigrateAsync(provider);
                console.MarkupLine($"SQLite database: [blue]{Markup.Escape(path)}[/] (deleted at the end)");

                RetailDataSet data = null!;
                await DemoProgress.RunAsync(console,
                    ("Generating the data set", progress => Task.FromResult(data = RetailDataSet.Generate(seed, customerCount, progress))),
                    ("Storing customers and interactions", progress => StoreCustomersAsync(provider, data, progress)),
                    ("Ingesting purchases", progress => IngestPurchasesAsync(provider, data, progress)));
                clock.Now = data.Now;
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"Seed {seed}: {data.Customers.Count:N0} customers, {data.Catalogue.Count} products, {data.Purchases.Count(p => !p.IsRefund):N0} purchases and {data.Purchases.Count(p => p.IsRefund):N0} returns from {RetailDataSet.FirstDay:uuuu-MM-dd} to {data.Today:uuuu-MM-dd} (\"today\")."));

                var demo = new DemoContext(console, data, provider, clock);
                await CustomerShowcase.RunAsync(demo);
                await LifecycleShowcase.RunAsync(demo);
                await LoyaltyShowcase.RunAsync(demo);
                var rfm = await RfmShowcase.RunAsync(demo);
                await SegmentationShowcase.RunAsync(demo, rfm);
                ValueShowcase.Run(demo);
                AffinityShowcase.Run(demo);
            }
        }
        finally
        {
            // Pooled connections keep the file open; release them before deleting the folder.
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static Task StoreCustomersAsync(IServiceProvider provider, RetailDataSet data, Action<double> progress)
    {
        // Through the repositories and one unit of work per batch, as a host's import job would; a request that
        // registers one customer does the same with a batch of one.
        var interactions = data.Interactions.ToLookup(i => i.CustomerId);
        return DemoContext.WriteInParallelAsync(provider, data.Customers, 250, async (services, batch) =>
        {
            var customers = services.GetRequiredService<IRepository<Customer, CustomerId>>();
            var timeline = services.GetRequiredService<IRepository<Interaction, InteractionId>>();
            foreach (var c in batch)
            {
                await customers.AddAsync(c.Customer);
                foreach (var interaction in interactions[c.Customer.Id])
                {
                    await timeline.AddAsync(interaction);
                }
            }
            await services.GetRequiredService<IUnitOfWork>().CommitAsync();
        }, progress);
    }

    // Bulk loads skip the unit of work: PurchaseIngestion inserts in batches, keyed by transaction id, so a feed that
    // fails half-way can simply be ingested again.
    private static Task IngestPurchasesAsync(IServiceProvider provider, RetailDataSet data, Action<double> progress) =>
        DemoContext.WriteInParallelAsync(provider, data.Purchases, 1000,
            (services, batch) => services.GetRequiredService<PurchaseIngestion>().IngestAsync(batch, batchSize: batch.Length), progress);

    /// <summary>
    /// The demo's database is thrown away at the end, so it need not survive a power cut: no flush to disk on every
    /// commit and the rollback journal in memory. Never do this with data you want to keep.
    /// </summary>
    private sealed class ThrowawayDatabase : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = Pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
