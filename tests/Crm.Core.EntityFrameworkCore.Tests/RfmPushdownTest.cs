using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// RFM computed by one GROUP BY in the database equals the in-memory computation over the same purchases, on SQLite
/// and on PostgreSQL, for random purchases around the as-of date in a zone whose days do not start at UTC midnight.
/// </summary>
public abstract class RfmPushdownTest : DatabaseTest
{
    private static readonly LocalDate AsOf = new(2024, 3, 31);
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    /// <summary>How many random data sets to check.</summary>
    protected abstract int Cases { get; }

    [SkippableFact]
    public async Task Pushdown_equals_the_in_memory_computation_for_random_purchases()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var cases = (from data in PurchasesGen()
                     from window in Gen.Elements<int?>(null, 1, 7, 30, 365)
                     from scoring in Gen.Elements(RfmScoring.TieAwareQuantiles, RfmScoring.EqualCount)
                     select (data.Tenant, data.Purchases, window, scoring)).Sample(Cases);
        foreach (var (tenant, purchases, window, scoring) in cases)
        {
            await Ingest(purchases);
            var options = new RfmOptions(AsOf) { Zone = NewYork, WindowDays = window, Scoring = scoring };

            var expected = RfmCalculator.Compute(purchases, options);
            var actual = await Calculator().ComputeAsync(options, tenant);

            Assert.Equal(Describe(expected), Describe(actual));
            // In memory the currency comes from every row given; the database only reads rows in range.
            Assert.Equal(expected.Count == 0 ? null : expected.Currency, actual.Count == 0 ? null : actual.Currency);
        }
    }

    [SkippableFact]
    public async Task Mixed_currencies_are_refused_naming_a_customer_and_the_tenant_filter_keeps_other_rows_out()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var tenant = new TenantId("t" + Guid.NewGuid().ToString("N"));
        var other = new TenantId("t" + Guid.NewGuid().ToString("N"));
        var at = AsOf.AtStartOfDayInZone(NewYork).ToInstant();
        await Ingest(
        [
            Purchase.Create(new TransactionId(tenant + "-1"), new CustomerId("a"), at, Channel.Web, new Money(10m, Currency.EUR), tenant),
            Purchase.Create(new TransactionId(other + "-1"), new CustomerId("a"), at, Channel.Web, new Money(99m, Currency.EUR), other),
        ]);
        var options = new RfmOptions(AsOf) { Zone = NewYork };
        var result = await Calculator().ComputeAsync(options, tenant);
        Assert.Equal(10m, Assert.Single(result).Monetary);

        await Ingest([Purchase.Create(new TransactionId(tenant + "-2"), new CustomerId("b"), at, Channel.Web, new Money(5m, Currency.USD), tenant)]);
        var error = await Assert.ThrowsAsync<RfmCurrencyMismatchException>(() => Calculator().ComputeAsync(options, tenant));
        Assert.Contains("one currency", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task No_purchases_in_range_gives_an_empty_result_without_currency()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var result = await Calculator().ComputeAsync(new RfmOptions(AsOf), new TenantId("t" + Guid.NewGuid().ToString("N")));
        Assert.Empty(result);
        Assert.Null(result.Currency);
    }

    private DatabaseRfmCalculator Calculator() => Services.CreateScope().ServiceProvider.GetRequiredService<DatabaseRfmCalculator>();

    private async Task Ingest(IReadOnlyList<Purchase> purchases)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PurchaseIngestion>().IngestAsync(purchases);
    }

    private static List<string> Describe(RfmResult<CustomerId> result) =>
        result.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Customer}:{c.RecencyDays}/{c.Frequency}/{c.Monetary}/{c.Score}/{c.Segment}")).ToList();

    // Up to 40 purchases of up to 8 customers, from 400 days before the as-of date to 2 days after it, at any minute
    // (so New York's midnight, 04:00 or 05:00 UTC, splits days), cents amounts with some refunds; one tenant per case.
    private static Gen<(TenantId Tenant, Purchase[] Purchases)> PurchasesGen() =>
        from count in Gen.Choose(0, 40)
        from rows in Gen.ArrayOf(
            from customer in Gen.Choose(0, 7)
            from minutesBack in Gen.Choose(-2 * 1440, 400 * 1440)
            from cents in Gen.Frequency((6, Gen.Choose(0, 50_000)), (1, Gen.Choose(-20_000, -1)))
            select (customer, minutesBack, cents), count)
        select Build(rows);

    private static (TenantId, Purchase[]) Build((int Customer, int MinutesBack, int Cents)[] rows)
    {
        var tenant = new TenantId("t" + Guid.NewGuid().ToString("N"));
        var end = AsOf.PlusDays(1).AtStartOfDayInZone(NewYork).ToInstant();
        var purchases = rows.Select((r, i) => Purchase.Create(
            new TransactionId($"{tenant}-{i}"),
            new CustomerId($"c{r.Customer}"),
            end - Duration.FromMinutes(r.MinutesBack),
            Channel.Web,
            new Money(r.Cents / 100m, Currency.EUR),
            tenant)).ToArray();
        return (tenant, purchases);
    }
}

public sealed class SqliteRfmPushdownTest : RfmPushdownTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-rfm";

    protected override int Cases => 25;

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("rfm"));
}

public sealed class PostgresRfmPushdownTest : RfmPushdownTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-rfm";

    protected override int Cases => 15;

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("rfm"));
}
