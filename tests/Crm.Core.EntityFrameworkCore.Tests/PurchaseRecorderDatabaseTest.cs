using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>The purchase recorder's queries (non-refund purchases, service interactions) run in the database, and its commit is one transaction.</summary>
public abstract class PurchaseRecorderDatabaseTest : DatabaseTest
{
    // With 100 ns ticks, as a real clock gives: PostgreSQL keeps microseconds, and a repeat must still be a repeat.
    private static readonly Instant T0 = Instant.FromUtc(2026, 5, 4, 10, 0) + Duration.FromTicks(1_234_567);
    private static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet([new SpendRule("base", 1m)]));
    private static readonly PurchaseRecordingOptions Options = new(DateTimeZone.Utc) { Programme = Programme, LifecycleRules = TransitionRuleSet.DefaultB2C };

    // Each test run gets its own customer, so that reruns against a kept PostgreSQL database start clean.
    private readonly CustomerId _ann = new("ANN-" + Guid.NewGuid().ToString("N")[..8]);

    protected override void AddServices(IServiceCollection services) => services.AddSingleton<IClock>(new FakeClock(T0));

    [SkippableFact]
    public async Task Purchases_refunds_and_repeats_are_recorded_exactly_once_in_the_database()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await InScopeAsync(async sp =>
        {
            await sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(Customer.Register(_ann, CustomerName.Person("Ann", "Lee"), T0 - Duration.FromDays(30)));
            await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().AddAsync(
                Interaction.Record(new InteractionId("I-" + _ann.Value), _ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Service, T0));
            await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
            return 0;
        });
        var first = await RecordAsync(Buy("T1", 100m));
        var second = await RecordAsync(Buy("T2", 20m));
        var refund = await RecordAsync(Purchase.CreateRefund(new TransactionId("R1-" + _ann.Value), _ann, T0, Channel.Web, new TransactionId("T1-" + _ann.Value),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(50m, Currency.EUR))]));
        var repeat = await RecordAsync(Buy("T2", 20m));
        // Stored without points, refunded, then recorded with the programme: its points are net of the refund (the
        // refunds of a transaction are found by a query on the original transaction id).
        await InScopeAsync(sp => sp.GetRequiredService<PurchaseRecorder>().RecordAsync(Buy("T3", 10m), PurchaseRecordingOptions.StoreOnly));
        await RecordAsync(Purchase.CreateRefund(new TransactionId("R3-" + _ann.Value), _ann, T0, Channel.Web, new TransactionId("T3-" + _ann.Value),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(10m, Currency.EUR))]));
        var completed = await RecordAsync(Buy("T3", 10m));

        Assert.Equal(["first-purchase", "service-interaction"], first.LifecycleChanges.Select(f => f.RuleId));
        Assert.Equal("repeat-purchase", Assert.Single(second.LifecycleChanges).RuleId); // the refund does not count as a purchase
        Assert.Equal(50, Assert.IsType<ReverseEntry>(refund.LoyaltyEntry).PointsReversed);
        Assert.True(repeat.AlreadyRecorded);
        var account = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<LoyaltyAccount, LoyaltyAccountId>>().GetByIdAsync(new LoyaltyAccountId(Programme.Id, _ann)));
        Assert.True(completed.AlreadyRecorded);
        Assert.Equal(10, completed.LoyaltyEntry!.Points);
        Assert.Equal(70, account!.BalanceAt(T0).Available); // 100 + 20 − 50, and T3's 10 taken back by its refund
        var lifecycle = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<CustomerLifecycle, CustomerId>>().GetByIdAsync(_ann));
        Assert.Equal(LifecycleModel.B2CStages.RepeatCustomer, lifecycle!.CurrentStage.Id);
    }

    private Task<PurchaseRecording> RecordAsync(Purchase purchase) =>
        InScopeAsync(sp => sp.GetRequiredService<PurchaseRecorder>().RecordAsync(purchase, Options));

    private Purchase Buy(string id, decimal amount) =>
        Purchase.Create(new TransactionId(id + "-" + _ann.Value), _ann, T0, Channel.Web, [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(amount, Currency.EUR))]);

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}

public sealed class SqlitePurchaseRecorderDatabaseTest : PurchaseRecorderDatabaseTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-recorder";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("recorder"));
}

public sealed class PostgresPurchaseRecorderDatabaseTest : PurchaseRecorderDatabaseTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-recorder";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("recorder"));
}
