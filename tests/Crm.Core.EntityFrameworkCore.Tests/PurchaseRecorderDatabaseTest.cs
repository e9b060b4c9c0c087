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

/// <summary>The purchase recorder's queries (non-refund purchases, service interactions) run in SQLite, and its commit is one transaction.</summary>
public sealed class PurchaseRecorderDatabaseTest : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 5, 4, 10, 0);
    private static readonly CustomerId Ann = new("ANN");
    private static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet([new SpendRule("base", 1m)]));
    private static readonly PurchaseRecordingOptions Options = new(DateTimeZone.Utc) { Programme = Programme, LifecycleRules = TransitionRuleSet.DefaultB2C };

    private readonly ServiceProvider _services;

    public PurchaseRecorderDatabaseTest()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(T0));
        services.AddCrmCore().UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString("recorder")));
        _services = services.BuildServiceProvider();
    }

    public async Task InitializeAsync()
    {
        await TestDatabases.PrepareAsync("sqlite-recorder", _services);
        await InScopeAsync(async sp =>
        {
            await sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(Customer.Register(Ann, CustomerName.Person("Ann", "Lee"), T0 - Duration.FromDays(30)));
            await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().AddAsync(
                Interaction.Record(new InteractionId("I1"), Ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Service, T0));
            await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
            return 0;
        });
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Purchases_refunds_and_repeats_are_recorded_exactly_once_in_the_database()
    {
        var first = await RecordAsync(Buy("T1", 100m));
        var second = await RecordAsync(Buy("T2", 20m));
        var refund = await RecordAsync(Purchase.CreateRefund(new TransactionId("R1"), Ann, T0, Channel.Web, new TransactionId("T1"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(50m, Currency.EUR))]));
        var repeat = await RecordAsync(Buy("T2", 20m));

        Assert.Equal(["first-purchase", "service-interaction"], first.LifecycleChanges.Select(f => f.RuleId));
        Assert.Equal("repeat-purchase", Assert.Single(second.LifecycleChanges).RuleId); // the refund does not count as a purchase
        Assert.Equal(50, Assert.IsType<ReverseEntry>(refund.LoyaltyEntry).PointsReversed);
        Assert.True(repeat.AlreadyRecorded);
        var account = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<LoyaltyAccount, LoyaltyAccountId>>().GetByIdAsync(new LoyaltyAccountId(Programme.Id, Ann)));
        Assert.Equal(70, account!.BalanceAt(T0).Available);
        var lifecycle = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<CustomerLifecycle, CustomerId>>().GetByIdAsync(Ann));
        Assert.Equal(LifecycleModel.B2CStages.RepeatCustomer, lifecycle!.CurrentStage.Id);
    }

    private Task<PurchaseRecording> RecordAsync(Purchase purchase) =>
        InScopeAsync(sp => sp.GetRequiredService<PurchaseRecorder>().RecordAsync(purchase, Options));

    private static Purchase Buy(string id, decimal amount) =>
        Purchase.Create(new TransactionId(id), Ann, T0, Channel.Web, [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(amount, Currency.EUR))]);

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
