using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The storage conformance kit for <see cref="PurchaseRecorder"/>: a purchase, its points and its lifecycle change
/// commit together; repeats, refunds and completions are exact. The store must answer the recorder's queries
/// (non-refund purchases of a customer, refunds of a transaction, interactions of some types) and keep instants to at
/// least the microsecond.
/// </summary>
/// <remarks>Every test uses fresh ids, so the kit runs against a shared, long-lived database.</remarks>
public abstract class PurchaseRecordingConformanceTests : StoreConformanceTests
{
    // With 100 ns ticks, as a till's clock gives them: a store that keeps microseconds must still see a repeat.
    private static readonly Instant T0 = Instant.FromUtc(2026, 5, 4, 10, 0) + Duration.FromTicks(1_234_567);

    /// <summary>The programme the kit's purchases earn in (points never expire: the recordings run at the real time).</summary>
    protected static LoyaltyProgramme Club { get; } = new(new ProgrammeId("recording-club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.Never);

    private static PurchaseRecordingOptions Options { get; } = new(DateTimeZone.Utc) { Programme = Club, LifecycleRules = TransitionRuleSet.DefaultB2C };

    /// <summary>
    /// Purchases earn and move the lifecycle (a service interaction opens its touchpoint), a refund takes back its share,
    /// a repeat is reported without change, and a purchase stored without points earns them net of its refund later.
    /// </summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task Purchases_refunds_repeats_and_completions_are_recorded_exactly_once()
    {
        var ann = await SeedAsync();

        var first = await RecordAsync(Buy("T1", ann, 100m));
        var second = await RecordAsync(Buy("T2", ann, 20m));
        var refund = await RecordAsync(Refund("R1", ann, "T1", 50m));
        var repeat = await RecordAsync(Buy("T2", ann, 20m));
        await RecordAsync(Buy("T3", ann, 10m), PurchaseRecordingOptions.StoreOnly);
        await RecordAsync(Refund("R3", ann, "T3", 10m));
        var completed = await RecordAsync(Buy("T3", ann, 10m));

        Assert.Equal(["first-purchase", "service-interaction"], first.LifecycleChanges.Select(f => f.RuleId));
        Assert.Equal("repeat-purchase", Assert.Single(second.LifecycleChanges).RuleId);
        Assert.Equal(50, Assert.IsType<ReverseEntry>(refund.LoyaltyEntry).PointsReversed);
        Assert.True(repeat.AlreadyRecorded);
        Assert.Empty(repeat.LifecycleChanges);
        Assert.True(completed.AlreadyRecorded);
        Assert.Equal(10, completed.LoyaltyEntry!.Points);
        await InScopeAsync(async sp =>
        {
            var account = (await sp.GetRequiredService<LoyaltyService>().FindAccountAsync(Club, ann))!;
            Assert.Equal(100 + 20 - 50, account.BalanceAt(account.Entries[^1].At).Available); // T3's 10 taken back by R3
            var lifecycle = (await sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>().GetByIdAsync(ann))!;
            Assert.Equal(LifecycleModel.B2CStages.RepeatCustomer, lifecycle.CurrentStage.Id);
        });
    }

    /// <summary>A different purchase under a stored transaction id, and a purchase that fails, leave the store as it was.</summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task A_conflicting_repeat_or_a_failed_recording_saves_nothing()
    {
        var ann = await SeedAsync();
        await RecordAsync(Buy("T1", ann, 30m));
        var inDollars = Purchase.Create(Id("T2", ann), ann, T0, Channel.Web, [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(5m, Currency.USD))]);

        await Assert.ThrowsAsync<TransactionIdConflictException>(() => RecordAsync(Buy("T1", ann, 31m)));
        await Assert.ThrowsAsync<CurrencyMismatchException>(() => RecordAsync(inDollars));

        await InScopeAsync(async sp =>
        {
            Assert.Null(await sp.GetRequiredService<IRepository<Purchase, TransactionId>>().GetByIdAsync(Id("T2", ann)));
            Assert.Equal(30m, (await sp.GetRequiredService<IRepository<Purchase, TransactionId>>().GetByIdAsync(Id("T1", ann)))!.Total.Amount);
            var account = (await sp.GetRequiredService<LoyaltyService>().FindAccountAsync(Club, ann))!;
            Assert.Single(account.Entries);
        });
    }

    /// <summary>
    /// A refund arriving after its buyer was merged into another customer takes back what the purchase earned, counting
    /// the return booked before the merge (which travelled with the points through the store's documents).
    /// </summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task A_refund_after_a_merge_takes_back_the_rest_of_what_the_purchase_earned()
    {
        var ann = await SeedAsync();
        var bob = await SeedAsync();
        await RecordAsync(Buy("T1", ann, 10m));
        await RecordAsync(Buy("T1", bob, 30m));
        await RecordAsync(Refund("R1", bob, "T1", 10m));
        await InScopeAsync(sp => sp.GetRequiredService<Duplicates.CustomerMergeService>().MergeAsync(ann, bob));

        var after = await RecordAsync(Refund("R2", bob, "T1", 30m)); // 20 EUR of the 30 are left to refund

        Assert.Equal(20, Assert.IsType<ReverseEntry>(after.LoyaltyEntry).PointsReversed);
        await InScopeAsync(async sp =>
        {
            var account = (await sp.GetRequiredService<LoyaltyService>().FindAccountAsync(Club, ann))!;
            Assert.Equal(10, account.BalanceAt(account.Entries[^1].At).Available);
        });
    }

    // A customer of its own, with a service interaction, so that reruns against a kept database start clean.
    private async Task<CustomerId> SeedAsync()
    {
        var ann = new CustomerId("REC-" + Guid.NewGuid().ToString("N")[..10]);
        await InScopeAsync(async sp =>
        {
            await sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(Customer.Register(ann, CustomerName.Person("Ann", "Lee"), T0 - Duration.FromDays(30)));
            await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().AddAsync(
                Interaction.Record(new InteractionId("I-" + ann.Value), ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Service, T0));
            await UnitOfWork(sp).CommitAsync();
        });
        return ann;
    }

    private Task<PurchaseRecording> RecordAsync(Purchase purchase, PurchaseRecordingOptions? options = null) =>
        InScopeAsync(sp => sp.GetRequiredService<PurchaseRecorder>().RecordAsync(purchase, options ?? Options));

    private static TransactionId Id(string name, CustomerId customer) => new($"{name}-{customer.Value}");

    private static Purchase Buy(string name, CustomerId customer, decimal amount) =>
        Purchase.Create(Id(name, customer), customer, T0, Channel.Web, [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(amount, Currency.EUR))]);

    private static Purchase Refund(string name, CustomerId customer, string original, decimal amount) =>
        Purchase.CreateRefund(Id(name, customer), customer, T0, Channel.Web, Id(original, customer),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(amount, Currency.EUR))]);
}
