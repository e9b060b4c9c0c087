using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Crm.Core.Tests.Duplicates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Purchases;

public sealed partial class PurchaseRecorderTest
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 5, 4, 10, 0);
    private static readonly CustomerId Ann = new("ANN");
    private static readonly CustomerId Bob = new("BOB");

    private static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]));

    private static readonly PurchaseRecordingOptions Options = new(DateTimeZone.Utc)
    {
        Programme = Programme,
        LifecycleRules = TransitionRuleSet.DefaultB2C,
    };

    [Fact]
    public async Task A_purchase_is_stored_with_its_points_and_moves_the_lifecycle_in_one_commit()
    {
        await using var host = await Host.StartAsync();

        var first = await host.RecordAsync(Buy("T1", Ann, 120m));

        Assert.False(first.AlreadyRecorded);
        Assert.Equal(120, Assert.IsType<EarnEntry>(first.LoyaltyEntry, exactMatch: false).Credited);
        Assert.Equal("first-purchase", Assert.Single(first.LifecycleChanges).RuleId);
        Assert.NotNull(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T1")));
        Assert.Equal(120, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        var lifecycle = (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!;
        Assert.Equal(LifecycleModel.B2CStages.FirstTimeCustomer, lifecycle.CurrentStage.Id);
        Assert.Equal("purchase", lifecycle.History[0].Actor);

        host.Clock.Advance(Duration.FromDays(3));
        var second = await host.RecordAsync(Buy("T2", Ann, 30m, T0 + Duration.FromDays(3)));

        Assert.Equal("repeat-purchase", Assert.Single(second.LifecycleChanges).RuleId);
        Assert.Equal(150, (await host.AccountAsync(Ann))!.BalanceAt(host.Clock.GetCurrentInstant()).Available);
        Assert.Equal(2, (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!.Purchases.PurchaseDays);
    }

    [Fact]
    public async Task Recording_a_transaction_again_changes_nothing_and_reports_the_first_recording()
    {
        await using var host = await Host.StartAsync();
        var first = await host.RecordAsync(Buy("T1", Ann, 80m));
        var versions = await host.VersionsAsync(Ann);

        var again = await host.RecordAsync(Buy("T1", Ann, 80m));

        Assert.True(again.AlreadyRecorded);
        Assert.Empty(again.LifecycleChanges);
        Assert.Equal(first.LoyaltyEntry!.Sequence, again.LoyaltyEntry!.Sequence);
        Assert.Equal(versions, await host.VersionsAsync(Ann));
        Assert.Equal(80, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task The_same_instance_recorded_twice_is_a_repeat_and_is_never_the_stored_object()
    {
        await using var host = await Host.StartAsync();
        var purchase = Buy("T1", Ann, 5m);

        await host.RecordAsync(purchase);
        var again = await host.RecordAsync(purchase);

        Assert.True(again.AlreadyRecorded);
        Assert.Equal(0, purchase.Version); // still unsaved: the store holds a copy
        Assert.NotSame(purchase, again.Purchase);
        Assert.Equal(5, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task A_different_purchase_under_a_stored_transaction_id_is_refused_and_changes_nothing()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Ann, 80m));

        var otherTotal = await Assert.ThrowsAsync<TransactionIdConflictException>(() => host.RecordAsync(Buy("T1", Ann, 81m)));
        var otherCustomer = await Assert.ThrowsAsync<TransactionIdConflictException>(() => host.RecordAsync(Buy("T1", Bob, 80m)));

        Assert.Contains("the total", otherTotal.Message, StringComparison.Ordinal);
        Assert.Contains("the customer", otherCustomer.Message, StringComparison.Ordinal);
        Assert.Equal(80, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        Assert.Null(await host.AccountAsync(Bob));
    }

    [Fact]
    public async Task A_repeat_after_the_customer_was_merged_is_still_a_repeat()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Bob, 80m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var again = await host.RecordAsync(Buy("T1", Bob, 80m));

        Assert.True(again.AlreadyRecorded);
        Assert.Equal(Ann, again.Purchase.CustomerId);
        Assert.Equal(80, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task A_refund_is_stored_and_takes_back_its_share_of_the_points()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Ann, 100m));

        var refund = Purchase.CreateRefund(new TransactionId("R1"), Ann, T0, Channel.Web, new TransactionId("T1"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(40m, Currency.EUR))]);
        var recorded = await host.RecordAsync(refund);

        Assert.Equal(40, Assert.IsType<ReverseEntry>(recorded.LoyaltyEntry).PointsReversed);
        Assert.Empty(recorded.LifecycleChanges);
        Assert.Equal(60, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        Assert.Equal(1, (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!.Purchases.PurchaseDays);
    }

    [Fact]
    public async Task A_refund_of_a_purchase_that_earned_nothing_is_stored_without_a_reversal()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Ann, 100m), PurchaseRecordingOptions.StoreOnly); // before the member joined

        var refund = Purchase.CreateRefund(new TransactionId("R1"), Ann, T0, Channel.Web, new TransactionId("T1"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(40m, Currency.EUR))]);
        var recorded = await host.RecordAsync(refund);

        Assert.Null(recorded.LoyaltyEntry);
        Assert.NotNull(await host.GetAsync<Purchase, TransactionId>(new TransactionId("R1")));
        Assert.Null(await host.AccountAsync(Ann));
    }

    [Fact]
    public async Task Store_only_touches_neither_loyalty_nor_lifecycle()
    {
        await using var host = await Host.StartAsync();

        var recorded = await host.RecordAsync(Buy("T1", Ann, 100m), PurchaseRecordingOptions.StoreOnly);

        Assert.Null(recorded.LoyaltyEntry);
        Assert.Empty(recorded.LifecycleChanges);
        Assert.Null(await host.AccountAsync(Ann));
        Assert.Null(await host.GetAsync<CustomerLifecycle, CustomerId>(Ann));
        Assert.NotNull(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T1")));
    }

    [Fact]
    public async Task A_purchase_for_a_merged_customer_lands_on_the_survivor()
    {
        await using var host = await Host.StartAsync();
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var recorded = await host.RecordAsync(Buy("T1", Bob, 50m));

        Assert.Equal(Ann, recorded.Purchase.CustomerId);
        Assert.Equal(Ann, (await host.GetAsync<Purchase, TransactionId>(new TransactionId("T1")))!.CustomerId);
        Assert.Equal(50, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        Assert.Null(await host.AccountAsync(Bob));
    }

    [Fact]
    public async Task Service_interactions_and_holdings_count_as_lifecycle_facts()
    {
        await using var host = await Host.StartAsync();
        await host.InScopeAsync(sp => sp.GetRequiredService<IRepository<Interaction, InteractionId>>().AddAsync(
            Interaction.Record(new InteractionId("I1"), Ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Complaint, T0)));

        var recorded = await host.RecordAsync(Buy("T1", Ann, 10m));

        Assert.Equal(["first-purchase", "service-interaction"], recorded.LifecycleChanges.Select(f => f.RuleId));
        Assert.True((await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!.HasTouchpoint(LifecycleTouchpoint.ServiceAndSupport));
    }

    [Fact]
    public async Task A_failure_saves_nothing_and_leaves_the_unit_of_work_empty()
    {
        await using var host = await Host.StartAsync();
        var inDollars = Purchase.Create(new TransactionId("T1"), Ann, T0, Channel.Web, [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(10m, Currency.USD))]);

        await using var scope = host.Scope();
        var recorder = scope.ServiceProvider.GetRequiredService<PurchaseRecorder>();
        await Assert.ThrowsAsync<CurrencyMismatchException>(() => recorder.RecordAsync(inDollars, Options));
        // The same scope goes on: its next commit must not carry the failed purchase along.
        await recorder.RecordAsync(Buy("T2", Ann, 10m), Options);

        Assert.Null(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T1")));
        Assert.NotNull(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T2")));
        Assert.Equal(10, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task Unknown_and_erased_customers_are_refused_with_what_to_do()
    {
        await using var host = await Host.StartAsync();
        await host.InScopeAsync(sp => sp.GetRequiredService<PrivacyService>().EraseAsync(Bob, "subject request", "dpo"));

        var unknown = await Assert.ThrowsAsync<AggregateNotFoundException>(() => host.RecordAsync(Buy("T1", new CustomerId("NOBODY"), 10m)));
        var erased = await Assert.ThrowsAsync<CustomerErasedException>(() => host.RecordAsync(Buy("T2", Bob, 10m)));

        Assert.Contains("register the customer", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(Bob, erased.CustomerId);
        Assert.Null(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T1")));
        Assert.Null(await host.GetAsync<Purchase, TransactionId>(new TransactionId("T2")));
    }

    [Fact]
    public async Task A_purchase_stored_without_a_programme_earns_when_recorded_again_with_one()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Ann, 40m), PurchaseRecordingOptions.StoreOnly);

        var completed = await host.RecordAsync(Buy("T1", Ann, 40m));
        var complete = await host.RecordAsync(Buy("T1", Ann, 40m));

        Assert.True(completed.AlreadyRecorded);
        Assert.Equal(40, completed.LoyaltyEntry!.Points);
        Assert.Equal("first-purchase", Assert.Single(completed.LifecycleChanges).RuleId);
        Assert.Empty(complete.LifecycleChanges);
        Assert.Equal(40, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        Assert.Equal(1, (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!.Purchases.PurchaseDays);
    }

    [Fact]
    public async Task A_repeat_a_fraction_of_a_microsecond_off_is_still_a_repeat_but_another_basket_is_not()
    {
        // Databases keep instants to the microsecond; the till's clock ticks in 100 ns.
        await using var host = await Host.StartAsync();
        var at = T0 + Duration.FromTicks(1_234_567);
        await host.RecordAsync(Buy("T1", Ann, 40m, at));

        var again = await host.RecordAsync(Buy("T1", Ann, 40m, at + Duration.FromTicks(3)));
        var otherBasket = Purchase.Create(new TransactionId("T1"), Ann, at, Channel.Web,
            [new PurchaseLine(new Sku("SKU-2"), 1m, new Money(40m, Currency.EUR))]);

        Assert.True(again.AlreadyRecorded);
        Assert.Contains("the lines", (await Assert.ThrowsAsync<TransactionIdConflictException>(() => host.RecordAsync(otherBasket))).Message, StringComparison.Ordinal);
        Assert.Contains("the time", (await Assert.ThrowsAsync<TransactionIdConflictException>(() => host.RecordAsync(Buy("T1", Ann, 40m, at + Duration.FromSeconds(1))))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refunds_need_their_original_purchase_and_a_negative_total_needs_an_original()
    {
        await using var host = await Host.StartAsync();
        var early = Purchase.CreateRefund(new TransactionId("R1"), Ann, T0, Channel.Web, new TransactionId("T-LATER"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(40m, Currency.EUR))]);
        var negative = Purchase.Create(new TransactionId("N1"), Ann, T0, Channel.Web, new Money(-5m, Currency.EUR));

        var missing = await Assert.ThrowsAsync<AggregateNotFoundException>(() => host.RecordAsync(early));
        await using var scope = host.Scope();
        var refused = Assert.Throws<ArgumentException>(() => { _ = scope.ServiceProvider.GetRequiredService<PurchaseRecorder>().RecordAsync(negative, Options); });

        Assert.Contains("record the original purchase before its refund", missing.Message, StringComparison.Ordinal);
        Assert.Equal("purchase", refused.ParamName);
        Assert.Null(await host.GetAsync<Purchase, TransactionId>(new TransactionId("R1")));
    }

    [Fact]
    public async Task A_customer_on_another_ladder_keeps_its_lifecycle_and_still_records_and_earns()
    {
        await using var host = await Host.StartAsync();
        await host.InScopeAsync(sp => sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>()
            .AddAsync(CustomerLifecycle.Start(Ann, LifecycleModel.B2B, T0, "crm")));

        var recorded = await host.RecordAsync(Buy("T1", Ann, 25m)); // B2C rules

        Assert.Empty(recorded.LifecycleChanges);
        Assert.Equal(LifecycleModel.B2BStages.Subscriber, (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!.CurrentStage.Id);
        Assert.Equal(25, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task A_transaction_id_taken_in_another_tenant_is_refused_at_once()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(T0));
        services.AddCrmCore().UseTenancy().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var tenants = provider.GetRequiredService<Crm.Core.Tenancy.AmbientTenantContext>();
        async Task<PurchaseRecording> InTenant(string tenant, CustomerId customer)
        {
            using var entered = tenants.Enter(new Crm.Core.Tenancy.TenantId(tenant));
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(Customer.Register(customer, CustomerName.Person("A", "B"), T0));
                await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
            }
            await using (var scope = provider.CreateAsyncScope())
            {
                return await scope.ServiceProvider.GetRequiredService<PurchaseRecorder>().RecordAsync(Buy("T1", customer, 10m), Options);
            }
        }

        await InTenant("acme", new CustomerId("A-1"));
        var conflict = await Assert.ThrowsAsync<TransactionIdConflictException>(() => InTenant("globex", new CustomerId("G-1")));

        Assert.Contains("the tenant", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Points_completed_later_are_net_of_the_refunds_recorded_meanwhile()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T1", Ann, 100m), PurchaseRecordingOptions.StoreOnly);
        var refund = Purchase.CreateRefund(new TransactionId("R1"), Ann, T0, Channel.Web, new TransactionId("T1"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(40m, Currency.EUR))]);
        Assert.Null((await host.RecordAsync(refund)).LoyaltyEntry); // nothing earned yet, nothing to take back

        var completed = await host.RecordAsync(Buy("T1", Ann, 100m));

        Assert.Equal(100, completed.LoyaltyEntry!.Points);
        var account = (await host.AccountAsync(Ann))!;
        Assert.Equal(60, account.BalanceAt(T0).Available);
        Assert.Equal(40, account.Entries.OfType<ReverseEntry>().Single().PointsReversed);
        Assert.Equal(40, (await host.RecordAsync(refund)).LoyaltyEntry!.Points * -1); // the refund now reports its reversal
    }

    [Fact]
    public async Task A_refund_must_refund_a_purchase_of_the_same_customer_in_its_currency()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-BOB", Bob, 50m));
        var first = Purchase.CreateRefund(new TransactionId("R0"), Bob, T0, Channel.Web, new TransactionId("T-BOB"),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(10m, Currency.EUR))]);
        await host.RecordAsync(first);

        Refund("R1", Ann, "T-BOB", Currency.EUR, out var othersPurchase);
        Refund("R2", Bob, "R0", Currency.EUR, out var refundOfRefund);
        Refund("R3", Bob, "T-BOB", Currency.USD, out var otherCurrency);

        Assert.Contains("another customer's purchase", (await Assert.ThrowsAsync<ArgumentException>(() => host.RecordAsync(othersPurchase))).Message, StringComparison.Ordinal);
        Assert.Contains("itself a refund", (await Assert.ThrowsAsync<ArgumentException>(() => host.RecordAsync(refundOfRefund))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CurrencyMismatchException>(() => host.RecordAsync(otherCurrency));
        Assert.Equal(40, (await host.AccountAsync(Bob))!.BalanceAt(T0).Available);

        static void Refund(string id, CustomerId customer, string original, Currency currency, out Purchase refund) =>
            refund = Purchase.CreateRefund(new TransactionId(id), customer, T0, Channel.Web, new TransactionId(original),
                [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(5m, currency))]);
    }

    [Fact]
    public async Task Two_purchases_at_once_count_each_other_for_the_lifecycle_without_a_programme()
    {
        // Eight purchases on one day, then two more recorded at once, held together after both counted the stored
        // purchases: only if the second commit conflicts and its retry counts the first does the tenth purchase make a
        // loyal customer (nothing else changes the lifecycle: the day is known and no rule fires at nine).
        var gate = new CountGate();
        await using var host = await Host.StartAsync(services => services.AddScoped<IReadRepository<Interaction, InteractionId>>(
            sp => new GatedInteractions(sp.GetRequiredService<InMemoryUnitOfWork>(), gate)));
        var lifecycleOnly = new PurchaseRecordingOptions(DateTimeZone.Utc) { LifecycleRules = TransitionRuleSet.DefaultB2C };
        for (var i = 0; i < 8; i++)
        {
            await host.RecordAsync(Buy($"T{i}", Ann, 10m), lifecycleOnly);
        }

        gate.Close(callers: 2);
        await Task.WhenAll(Task.Run(() => host.RecordAsync(Buy("T8", Ann, 10m), lifecycleOnly)), Task.Run(() => host.RecordAsync(Buy("T9", Ann, 10m), lifecycleOnly)));

        var lifecycle = (await host.GetAsync<CustomerLifecycle, CustomerId>(Ann))!;
        Assert.Equal(LifecycleModel.B2CStages.Loyal, lifecycle.CurrentStage.Id);
        Assert.Equal(1, lifecycle.Purchases.PurchaseDays);
    }

    /// <summary>Holds the first callers of <see cref="PassAsync"/> until all of them arrived (or a second passed).</summary>
    private sealed class CountGate
    {
        private TaskCompletionSource _open = CompletedSource();
        private int _waiting;

        public void Close(int callers)
        {
            _waiting = callers;
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async Task PassAsync()
        {
            if (Interlocked.Decrement(ref _waiting) <= 0)
            {
                _open.TrySetResult();
            }
            await _open.Task.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource();
            source.SetResult();
            return source;
        }
    }

    /// <summary>The in-memory interactions, with counts held at a gate (the recorder counts them after counting purchases).</summary>
    private sealed class GatedInteractions(InMemoryUnitOfWork unitOfWork, CountGate gate) : IReadRepository<Interaction, InteractionId>
    {
        private readonly InMemoryRepository<Interaction, InteractionId> _inner = new(unitOfWork);

        public Task<Interaction?> GetByIdAsync(InteractionId id, CancellationToken cancellationToken = default) => _inner.GetByIdAsync(id, cancellationToken);

        public Task<Interaction?> FirstOrDefaultAsync(Crm.Core.Specifications.Specification<Interaction> specification, CancellationToken cancellationToken = default) =>
            _inner.FirstOrDefaultAsync(specification, cancellationToken);

        public Task<IReadOnlyList<Interaction>> ListAsync(Crm.Core.Specifications.Specification<Interaction> specification, CancellationToken cancellationToken = default) =>
            _inner.ListAsync(specification, cancellationToken);

        public Task<IReadOnlyList<TResult>> ListAsync<TResult>(Crm.Core.Specifications.Specification<Interaction, TResult> specification, CancellationToken cancellationToken = default) =>
            _inner.ListAsync(specification, cancellationToken);

        public async Task<long> CountAsync(Crm.Core.Specifications.Specification<Interaction> specification, CancellationToken cancellationToken = default)
        {
            await gate.PassAsync();
            return await _inner.CountAsync(specification, cancellationToken);
        }

        public Task<bool> AnyAsync(Crm.Core.Specifications.Specification<Interaction> specification, CancellationToken cancellationToken = default) =>
            _inner.AnyAsync(specification, cancellationToken);

        public IAsyncEnumerable<Interaction> StreamAsync(Crm.Core.Specifications.Specification<Interaction> specification, CancellationToken cancellationToken = default) =>
            _inner.StreamAsync(specification, cancellationToken);

        public IAsyncEnumerable<TResult> StreamAsync<TResult>(Crm.Core.Specifications.Specification<Interaction, TResult> specification, CancellationToken cancellationToken = default) =>
            _inner.StreamAsync(specification, cancellationToken);
    }

    [Fact]
    public async Task Arguments_are_validated()
    {
        await using var host = await Host.StartAsync();
        await using var scope = host.Scope();
        var recorder = scope.ServiceProvider.GetRequiredService<PurchaseRecorder>();

        Assert.Equal("purchase", Assert.Throws<ArgumentNullException>(() => { _ = recorder.RecordAsync(null!, Options); }).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => { _ = recorder.RecordAsync(Buy("T1", Ann, 1m), null!); }).ParamName);
        Assert.Throws<ArgumentNullException>(() => new PurchaseRecordingOptions(null!));
        Assert.Equal("Actor", Assert.Throws<ArgumentException>(() => new PurchaseRecordingOptions(DateTimeZone.Utc) { Actor = " " }).ParamName);
    }

    [Fact]
    public async Task Concurrent_recordings_lose_nothing_and_count_each_transaction_once()
    {
        await using var host = await Host.StartAsync();
        // Four workers, each recording the same 20 transactions (the same instances) of one customer in its own order.
        var purchases = Enumerable.Range(0, 20).Select(i => Buy($"T{i:D2}", Ann, 10m + i)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            foreach (var purchase in purchases.OrderBy(p => (p.TransactionId.Value.GetHashCode(StringComparison.Ordinal) * (w + 1)) % 97))
            {
                await host.RecordAsync(purchase);
            }
        })));

        var account = (await host.AccountAsync(Ann))!;
        Assert.Equal(purchases.Sum(p => (long)p.Total.Amount), account.BalanceAt(T0).Available);
        Assert.Equal(20, account.Entries.Count);
        Assert.Equal(20, await host.InScopeAsync(sp => sp.GetRequiredService<IReadRepository<Purchase, TransactionId>>()
            .CountAsync(new PurchasesOf(Ann))));
    }

    [Property(MaxTest = 40)]
    public Property Any_sequence_with_repeats_ends_as_each_distinct_transaction_recorded_once() =>
        Prop.ForAll(Gen.Choose(0, 5).ListOf().Where(l => l.Count > 0).ToArbitrary(), picks =>
        {
            var balance = Run(picks).GetAwaiter().GetResult();
            var expected = picks.Distinct().Sum(i => 10L + i);
            return balance == expected;
        });

    [Property(MaxTest = 30)]
    public Property Storing_first_and_completing_later_ends_as_recording_with_the_programme_at_once() =>
        Prop.ForAll(PlanItem().ListOf().Where(l => l.Count > 0).ToArbitrary(), plan =>
        {
            var (direct, completed) = (RunPlan(plan, completeLater: false).GetAwaiter().GetResult(), RunPlan(plan, completeLater: true).GetAwaiter().GetResult());
            return (direct == completed).Label($"direct {direct}, stored first and completed {completed}");
        });

    // A purchase of 10..100 EUR, the part of it refunded (0 for none), whether it is first stored without points, whether it is sent twice.
    private static Gen<(int Amount, int Refunded, bool StoreFirst, bool Twice)> PlanItem() =>
        from amount in Gen.Choose(10, 100)
        from refunded in Gen.Choose(0, amount)
        from storeFirst in Gen.Elements(true, false)
        from twice in Gen.Elements(true, false)
        select (amount, refunded, storeFirst, twice);

    // The ledger's outcome: balance, earned and reversed points, and the number of earn entries.
    private static async Task<(long Available, long Earned, long Reversed, int Earns)> RunPlan(IReadOnlyList<(int Amount, int Refunded, bool StoreFirst, bool Twice)> plan, bool completeLater)
    {
        await using var host = await Host.StartAsync();
        for (var i = 0; i < plan.Count; i++)
        {
            var first = completeLater && plan[i].StoreFirst ? PurchaseRecordingOptions.StoreOnly : Options;
            await host.RecordAsync(Buy($"T{i}", Ann, plan[i].Amount), first);
            if (plan[i].Twice)
            {
                await host.RecordAsync(Buy($"T{i}", Ann, plan[i].Amount), first);
            }
        }
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan[i].Refunded > 0)
            {
                await host.RecordAsync(Purchase.CreateRefund(new TransactionId($"R{i}"), Ann, T0, Channel.Web, new TransactionId($"T{i}"),
                    [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(plan[i].Refunded, Currency.EUR))]));
            }
        }
        for (var i = 0; i < plan.Count; i++)
        {
            await host.RecordAsync(Buy($"T{i}", Ann, plan[i].Amount)); // completes what StoreOnly left out; a repeat otherwise
        }
        var account = (await host.AccountAsync(Ann))!;
        var balance = account.BalanceAt(T0);
        return (balance.Available, balance.LifetimeEarned, balance.Reversed, account.Entries.OfType<EarnEntry>().Count());
    }

    private static async Task<long> Run(IEnumerable<int> picks)
    {
        await using var host = await Host.StartAsync();
        foreach (var i in picks)
        {
            await host.RecordAsync(Buy($"T{i}", Ann, 10m + i));
        }
        return (await host.AccountAsync(Ann))!.BalanceAt(T0).Available;
    }

    private sealed class PurchasesOf : Crm.Core.Specifications.Specification<Purchase>
    {
        public PurchasesOf(CustomerId id) => Query.Where(p => p.CustomerId == id);
    }

    private static Purchase Buy(string transactionId, CustomerId customerId, decimal amount, Instant? at = null) =>
        Purchase.Create(new TransactionId(transactionId), customerId, at ?? T0, Channel.Web,
            [new PurchaseLine(new Sku("SKU-1"), 1m, new Money(amount, Currency.EUR))]);

    /// <summary>A <see cref="MergeWorld"/> starting at <see cref="T0"/> with Ann and Bob registered, and the recorder's helpers.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly MergeWorld _world;

        private Host(MergeWorld world) => _world = world;

        public FakeClock Clock => _world.Clock;

        public static async Task<Host> StartAsync(Action<IServiceCollection>? configure = null)
        {
            var host = new Host(new MergeWorld(configure, T0));
            await host._world.AddCustomer(Customer.Register(Ann, CustomerName.Person("Ann", "Lee"), T0 - Duration.FromDays(30)));
            await host._world.AddCustomer(Customer.Register(Bob, CustomerName.Person("Bob", "Lee"), T0 - Duration.FromDays(30)));
            return host;
        }

        public AsyncServiceScope Scope() => _world.Scope();

        public Task<PurchaseRecording> RecordAsync(Purchase purchase, PurchaseRecordingOptions? options = null) =>
            InScopeAsync(sp => sp.GetRequiredService<PurchaseRecorder>().RecordAsync(purchase, options ?? Options));

        public Task<LoyaltyAccount?> AccountAsync(CustomerId customerId) => GetAsync<LoyaltyAccount, LoyaltyAccountId>(new LoyaltyAccountId(Programme.Id, customerId));

        public Task<T?> GetAsync<T, TId>(TId id)
            where T : AggregateRoot<TId>
            where TId : struct, IEquatable<TId> =>
            InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id));

        public async Task<(long? Account, long? Lifecycle, long Customer)> VersionsAsync(CustomerId customerId) =>
            ((await AccountAsync(customerId))?.Version, (await GetAsync<CustomerLifecycle, CustomerId>(customerId))?.Version,
                (await GetAsync<Customer, CustomerId>(customerId))!.Version);

        /// <summary>Runs <paramref name="work"/> in a fresh scope and commits what it registered.</summary>
        public Task InScopeAsync(Func<IServiceProvider, Task> work) => _world.Do(work);

        /// <summary>Runs <paramref name="work"/> in a fresh scope (the services it calls commit themselves).</summary>
        public Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work) => _world.Read(work);

        public ValueTask DisposeAsync() => _world.DisposeAsync();
    }
}
