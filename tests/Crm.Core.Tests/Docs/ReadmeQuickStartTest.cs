using System.Text.RegularExpressions;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Docs;

/// <summary>
/// Runs the README's quick start. The docs test project compiles the README block; this test runs the same code
/// and fails when the block and the copy below drift apart.
/// </summary>
public partial class ReadmeQuickStartTest
{
    [Fact]
    public async Task Quick_start_runs()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // quick-start statements begin
            var services = new ServiceCollection();
            services.AddCrmCore(options => options.DefaultTimeZone = DateTimeZoneProviders.Tzdb["Europe/London"])
                .UseInMemoryStore();
            await using var provider = services.BuildServiceProvider();

            // One scope per use case: its repositories and its unit of work belong together.
            await using (var scope = provider.CreateAsyncScope())
            {
                var customers = scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>();
                var purchases = scope.ServiceProvider.GetRequiredService<IRepository<Purchase, TransactionId>>();
                var now = scope.ServiceProvider.GetRequiredService<IClock>().GetCurrentInstant();
                var customerId = new CustomerId("00042");
                await customers.AddAsync(Customer.Register(customerId, CustomerName.Person("Ada", "Lovelace"), now));
                await purchases.AddAsync(Purchase.Create(new TransactionId("T-1001"), customerId, now, Channel.Phone,
                    [new PurchaseLine(new Sku("SKU-7"), 2, Money.Of(19.99m, "EUR"))]));
                await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync(); // both or neither
            }

            await using (var scope = provider.CreateAsyncScope())
            {
                var customers = scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>();
                var purchases = scope.ServiceProvider.GetRequiredService<IReadRepository<Purchase, TransactionId>>();
                var customer = await customers.GetByIdAsync(new CustomerId("00042"));
                var history = await purchases.ListAsync(new PurchasesOfCustomer(customer!.Id));
                Console.WriteLine($"Customer {customer.Id} (version {customer.Version}): {history.Count} purchase(s), latest total {history[0].Total}");
            }
            // quick-start statements end
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.Contains("Customer 00042 (version 1): 1 purchase(s), latest total ", output.ToString());
        Assert.Contains("39.98", output.ToString());
    }

    [Fact]
    public void Readme_block_is_the_code_this_test_runs()
    {
        var source = File.ReadAllLines(ThisFile());
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var block = QuickStartBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```csharp block under '## Quick start'.");

        var expected = Normalise(block.Groups["code"].Value.Split('\n')
            .Where(l => !l.TrimStart().StartsWith("using ", StringComparison.Ordinal)));
        var actual = Normalise(Between(source, "// quick-start statements begin", "// quick-start statements end")
            .Concat(Between(source, "// quick-start types begin", "// quick-start types end")));
        Assert.Equal(expected, actual);
    }

    // quick-start types begin
    // A named, reusable query: the same specification runs in memory and in a database.
    public sealed class PurchasesOfCustomer : Specification<Purchase>
    {
        public PurchasesOfCustomer(CustomerId customerId) =>
            Query.Where(p => p.CustomerId == customerId).OrderByDescending(p => p.OccurredAt).ThenBy(p => p.Id.Value);
    }
    // quick-start types end

    private static IEnumerable<string> Between(string[] lines, string begin, string end) =>
        lines.SkipWhile(l => l.Trim() != begin).Skip(1).TakeWhile(l => l.Trim() != end);

    private static string[] Normalise(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    // Not [CallerFilePath]: CI builds are deterministic (ContinuousIntegrationBuild) and map source paths to /_/.
    private static string ThisFile() => Path.Combine(RepositoryRoot(), "tests", "Crm.Core.Tests", "Docs", "ReadmeQuickStartTest.cs");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crm.Core.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Crm.Core.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^## Quick start.*?^```csharp[ \t]*\r?\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
