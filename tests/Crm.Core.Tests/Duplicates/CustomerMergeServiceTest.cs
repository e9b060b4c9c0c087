using Crm.Core.Testing.Fakes;
using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Duplicates;

public class CustomerMergeServiceTest
{
    internal static readonly CustomerId Ann = new("ANN");
    internal static readonly CustomerId Annie = new("ANNIE");
    internal static readonly LoyaltyProgramme Club = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.AfterDays(365));

    /// <summary>Two records of one person, each with some of everything.</summary>
    internal static async Task Seed(MergeWorld world)
    {
        var t = MergeWorld.T0;
        var ann = Customer.Register(Ann, CustomerName.Person("Ann", "Lee"), t);
        ann.AddEmail("ann@example.com", t);
        ann.AddPhone(PhoneNumber.Parse("+44 20 7946 0001", "GB"), t);
        ann.LinkExternalId("webshop", "W-1", t);
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, t, "web-signup");
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Sms, t, "web-signup");
        ann.OpenProduct(new ProductId("card"), "credit-card", new LocalDate(2026, 1, 1), t);
        ann.AddTag("vip", t);
        await world.AddCustomer(ann);

        var annie = Customer.Register(Annie, CustomerName.Person("Annie", "Lee"), t + Duration.FromHours(1));
        annie.AddEmail("annie.lee@example.org", t);
        annie.AddEmail("ann@example.com", t);
        annie.LinkExternalId("billing", "B-9", t);
        annie.LinkExternalId("webshop", "W-2", t);
        annie.SetBirthDate(new LocalDate(1990, 5, 17), t);
        annie.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, t + Duration.FromMinutes(5), "unsubscribe-link");
        annie.GrantConsent(ConsentPurpose.Profiling, ContactChannel.Email, t, "app");
        annie.OpenProduct(new ProductId("card"), "credit-card", new LocalDate(2025, 6, 1), t);
        annie.OpenProduct(new ProductId("savings"), "savings", new LocalDate(2025, 7, 1), t);
        annie.RecordLifeEvent(LifeEventType.HomeMove, new LocalDate(2025, 9, 1), "call-centre", t);
        await world.AddCustomer(annie);

        await world.Add<Interaction, InteractionId>(Interaction.Record(new InteractionId("I-1"), Ann, Channel.Web, InteractionDirection.Inbound, InteractionType.Enquiry, t));
        await world.Add<Interaction, InteractionId>(Interaction.Record(new InteractionId("I-2"), Annie, Channel.Phone, InteractionDirection.Inbound, InteractionType.Complaint, t, "late delivery"));
        await world.Add<Interaction, InteractionId>(Interaction.Record(new InteractionId("I-3"), Annie, Channel.Email, InteractionDirection.Inbound, InteractionType.Enquiry, t));
        await world.Add<Purchase, TransactionId>(Purchase.Create(new TransactionId("T-1"), Ann, t, Channel.Web, new Money(40m, Currency.EUR)));
        await world.Add<Purchase, TransactionId>(Purchase.Create(new TransactionId("T-2"), Annie, t, Channel.Branch, new Money(60m, Currency.EUR)));
        await world.Add<Purchase, TransactionId>(Purchase.CreateRefund(new TransactionId("T-2R"), Annie, t + Duration.FromDays(1), Channel.Branch, new TransactionId("T-2"),
            [new PurchaseLine(new Sku("X"), -1m, new Money(10m, Currency.EUR))]));

        await world.Add<CustomerLifecycle, CustomerId>(CustomerLifecycle.Start(Ann, LifecycleModel.B2C, t, "test", LifecycleModel.B2CStages.Lead));
        await world.Add<CustomerLifecycle, CustomerId>(CustomerLifecycle.Start(Annie, LifecycleModel.B2C, t, "test", LifecycleModel.B2CStages.RepeatCustomer));

        await world.Do(async sp =>
        {
            var loyalty = sp.GetRequiredService<LoyaltyService>();
            await loyalty.AccrueAsync(Club, Purchase.Create(new TransactionId("T-1"), Ann, t, Channel.Web, new Money(40m, Currency.EUR)));
            await loyalty.AccrueAsync(Club, Purchase.Create(new TransactionId("T-2"), Annie, t, Channel.Branch, new Money(60m, Currency.EUR)));
            await loyalty.RedeemAsync(Club, Annie, 15, "redeem:O-1");
        });

        await world.Do(async sp =>
        {
            // Marketing lists admit only customers with marketing consent in force (per their profiles).
            var profiles = sp.GetRequiredService<ICustomerProfileStore>();
            await profiles.UpsertAsync(new CustomerProfile(Ann).WithEmailMarketingConsent());
            await profiles.UpsertAsync(new CustomerProfile(Annie).WithEmailMarketingConsent());
            var segments = sp.GetRequiredService<SegmentService>();
            await segments.DefineStaticListAsync(new SegmentId("newsletter"), "Newsletter");
            await segments.DefineStaticListAsync(new SegmentId("vip-list"), "VIP list");
            await segments.IncludeAsync(new SegmentId("newsletter"), Ann);
            await segments.IncludeAsync(new SegmentId("newsletter"), Annie);
            await segments.IncludeAsync(new SegmentId("vip-list"), Annie);
        });
        world.Clock.Advance(Duration.FromDays(2));
    }

    [Fact]
    public async Task Merge_MovesEveryFact_ToTheSurvivor()
    {
        await using var world = new MergeWorld();
        await Seed(world);

        var result = await world.Merge(Ann, Annie);

        Assert.False(result.IsDryRun);
        Assert.Equal((2, 2, 1, 1, true), (result.InteractionsMoved, result.PurchasesMoved, result.SegmentMembershipsMoved, result.LoyaltyAccountsMerged, result.LifecycleMerged));
        var ann = await world.Customer(Ann);
        Assert.Equal(["ann@example.com", "annie.lee@example.org"], ann.Emails.Select(e => e.Address.Value).Order());
        Assert.Single(ann.Emails, e => e.IsPrimary);
        Assert.Equal("ann@example.com", ann.PrimaryEmail!.Address.Value);
        Assert.Single(ann.Phones);
        Assert.Equal("W-1", ann.ExternalIds["webshop"]); // the survivor's id wins per system
        Assert.Equal("B-9", ann.ExternalIds["billing"]);
        Assert.Equal(new LocalDate(1990, 5, 17), ann.BirthDate); // the survivor had none
        Assert.Equal("Ann", ann.Name.GivenName); // keep primary
        Assert.Equal(3, ann.ProductHoldings.Count);
        Assert.Single(ann.ProductHoldings, h => h.ProductId == new ProductId("card") && h.IsOpen);
        Assert.Single(ann.LifeEvents);
        Assert.True(ann.HasTag("VIP"));
        var record = Assert.Single(ann.MergeHistory);
        Assert.Equal(Annie, record.MergedCustomerId);
        Assert.Equal([Annie], ann.MergedCustomerIds);

        var annie = await world.Customer(Annie);
        Assert.True(annie.IsMerged);
        Assert.Equal(Ann, annie.MergedInto);
        Assert.Empty(annie.ContactPoints);

        var interactions = await world.All<Interaction, InteractionId>();
        Assert.All(interactions, i => Assert.Equal(Ann, i.CustomerId));
        Assert.Equal(3, interactions.Count);
        var purchases = await world.All<Purchase, TransactionId>();
        Assert.All(purchases, p => Assert.Equal(Ann, p.CustomerId));
        Assert.Equal(3, purchases.Count);

        var members = await world.All<SegmentMember, SegmentMemberId>();
        Assert.Equal(["newsletter/ANN", "vip-list/ANN"], members.Select(m => m.Id.ToString()).Order());
        var vip = (await world.All<Segment, SegmentId>()).Single(s => s.Id == new SegmentId("vip-list"));
        Assert.Contains(Ann, vip.Includes);
        Assert.DoesNotContain(Annie, vip.Includes);

        var lifecycle = (await world.All<CustomerLifecycle, CustomerId>()).Single(l => l.Id == Ann);
        Assert.Equal(LifecycleModel.B2CStages.RepeatCustomer, lifecycle.CurrentStage.Id); // highest stage wins

        var merged = world.Events.Dispatched.OfType<CustomersMerged>().Single();
        Assert.Equal((Ann, Annie), (merged.SurvivorId, merged.MergedCustomerId));
    }

    [Fact]
    public async Task Merge_MostRestrictiveConsentWins_AndBothHistoriesAreKept()
    {
        await using var world = new MergeWorld();
        await Seed(world);

        await world.Merge(Ann, Annie);

        var ann = await world.Customer(Ann);
        var now = world.Now;
        Assert.False(ann.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, now)); // Annie withdrew
        Assert.True(ann.MayContact(ConsentPurpose.Marketing, ContactChannel.Sms, now));
        Assert.True(ann.MayContact(ConsentPurpose.Profiling, ContactChannel.Email, now));
        Assert.Contains(ann.ConsentHistory, r => r.Source == "unsubscribe-link");
        Assert.Contains(ann.ConsentHistory, r => r.Source == "web-signup" && r.Channel == ContactChannel.Email);
    }

    [Fact]
    public async Task Merge_ConservesLoyaltyBalances_KeepsExpiry_AndKeysStillDeduplicate()
    {
        await using var world = new MergeWorld();
        await Seed(world);
        var before = await world.Read(async sp =>
        {
            var loyalty = sp.GetRequiredService<LoyaltyService>();
            var a = (await loyalty.FindAccountAsync(Club, Ann))!;
            var b = (await loyalty.FindAccountAsync(Club, Annie))!;
            return (a.BalanceAt(world.Now).Available + b.BalanceAt(world.Now).Available, b.Lots.Single().ExpiresAt);
        });

        await world.Merge(Ann, Annie);

        await world.Read(async sp =>
        {
            var loyalty = sp.GetRequiredService<LoyaltyService>();
            var survivor = (await loyalty.FindAccountAsync(Club, Ann))!;
            var drained = (await loyalty.FindAccountAsync(Club, Annie))!;
            Assert.Equal(before.Item1, survivor.BalanceAt(world.Now).Available);
            Assert.Equal(0, drained.BalanceAt(world.Now).Available);
            var moved = Assert.Single(survivor.Entries.OfType<MergedInEntry>());
            Assert.Equal(45, moved.Credited);
            Assert.Equal(before.Item2, moved.ExpiresAt);
            // Annie's purchase, now Ann's, sent again: recorded once.
            var again = await loyalty.AccrueAsync(Club, Purchase.Create(new TransactionId("T-2"), Ann, MergeWorld.T0, Channel.Branch, new Money(60m, Currency.EUR)));
            Assert.True(again.AlreadyApplied);
            Assert.Equal(before.Item1, (await loyalty.FindAccountAsync(Club, Ann))!.BalanceAt(world.Now).Available);
            return 0;
        });
    }

    [Fact]
    public async Task Preview_ShowsTheSurvivor_AndChangesNothing()
    {
        await using var world = new MergeWorld();
        await Seed(world);
        var customersBefore = (await world.All<Customer, CustomerId>()).Select(c => (c.Id, c.Version)).ToList();

        var preview = await world.Preview(Ann, Annie);

        Assert.True(preview.IsDryRun);
        Assert.Equal(2, preview.Survivor.Emails.Count());
        Assert.True(preview.Merged.IsMerged);
        Assert.Equal(customersBefore, (await world.All<Customer, CustomerId>()).Select(c => (c.Id, c.Version)).ToList());
        Assert.Equal(2, (await world.All<Interaction, InteractionId>()).Count(i => i.CustomerId == Annie));
        Assert.False((await world.Customer(Annie)).IsMerged);
        Assert.Empty(world.Events.Dispatched.OfType<CustomersMerged>());
    }

    [Fact]
    public async Task Merge_LosingAConcurrencyRace_LeavesBothCustomersUntouched()
    {
        var race = new RaceOnce();
        await using var world = new MergeWorld(services => services.AddScoped<IRepository<Interaction, InteractionId>>(sp =>
            new RacingRepository<Interaction, InteractionId>(new InMemoryRepository<Interaction, InteractionId>(sp.GetRequiredService<InMemoryUnitOfWork>()), race)));
        await Seed(world);
        // Someone changes Annie after the merge has read her but before it commits.
        race.Action = () => world.Do(async sp =>
        {
            var customers = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            var annie = (await customers.GetByIdAsync(Annie))!;
            annie.AddTag("changed-meanwhile", world.Now);
            await customers.UpdateAsync(annie);
        });

        await using var scope = world.Scope();
        var service = scope.ServiceProvider.GetRequiredService<CustomerMergeService>();
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => service.MergeAsync(Ann, Annie));

        Assert.False((await world.Customer(Annie)).IsMerged);
        Assert.True((await world.Customer(Annie)).HasTag("changed-meanwhile"));
        Assert.Empty((await world.Customer(Ann)).MergeHistory);
        Assert.Equal(2, (await world.All<Interaction, InteractionId>()).Count(i => i.CustomerId == Annie));
        Assert.Equal(2, (await world.All<Purchase, TransactionId>()).Count(p => p.CustomerId == Annie));
        Assert.Equal(2, (await world.All<SegmentMember, SegmentMemberId>()).Count(m => m.CustomerId == Annie));
        Assert.False(scope.ServiceProvider.GetRequiredService<IUnitOfWork>().HasChanges);

        // The retry, in a fresh scope, succeeds and keeps the concurrent change.
        await world.Merge(Ann, Annie);
        Assert.True((await world.Customer(Ann)).HasTag("changed-meanwhile"));
    }

    [Fact]
    public async Task Merge_RefusesErasedCustomers()
    {
        await using var world = new MergeWorld();
        await Seed(world);
        await world.Read(sp => sp.GetRequiredService<Crm.Core.Privacy.PrivacyService>().EraseAsync(Annie, "subject request", "dpo"));

        var refused = await Assert.ThrowsAsync<CustomersNotMergeableException>(() => world.Merge(Ann, Annie));

        Assert.Contains("erased", refused.Message);
        Assert.Empty((await world.Customer(Ann)).MergeHistory);
    }

    [Fact]
    public async Task ResolveAsync_FollowsTheRedirect()
    {
        await using var world = new MergeWorld();
        await Seed(world);
        await world.Merge(Ann, Annie);

        var resolved = await world.Read(sp => sp.GetRequiredService<CustomerMergeService>().ResolveAsync(Annie));

        Assert.Equal(Ann, resolved!.Id);
    }

    [Fact]
    public async Task ResolveAsync_FollowsAChainOfAnyLength()
    {
        // Each merge of a survivor into another customer adds a hop; twenty is more than any fixed guard would allow.
        await using var world = new MergeWorld();
        var ids = Enumerable.Range(0, 20).Select(i => new CustomerId($"CHAIN-{i:D2}")).ToList();
        foreach (var id in ids)
        {
            await world.AddCustomer(Customer.Register(id, CustomerName.Person("Chain", id.Value), MergeWorld.T0));
        }
        for (var i = 0; i + 1 < ids.Count; i++)
        {
            await world.Merge(ids[i + 1], ids[i]);
        }

        var resolved = await world.Read(sp => sp.GetRequiredService<CustomerMergeService>().ResolveAsync(ids[0]));

        Assert.Equal(ids[^1], resolved!.Id);
        Assert.Equal(ids[1], (await world.Customer(ids[0])).MergedInto); // reached hop by hop: the oldest tombstone still names its first survivor
    }

    [Fact]
    public async Task ResolveAsync_GivesNull_ForRedirectsInACircle_AndForARedirectToNothing()
    {
        // Only a damaged store holds these: merges refuse tombstones on either side.
        await using var world = new MergeWorld();
        var (a, b, c) = (Customer.Register(new CustomerId("LOOP-A"), CustomerName.Person("A", "Loop"), MergeWorld.T0),
            Customer.Register(new CustomerId("LOOP-B"), CustomerName.Person("B", "Loop"), MergeWorld.T0),
            Customer.Register(new CustomerId("LOST"), CustomerName.Person("C", "Lost"), MergeWorld.T0));
        a.MarkMergedInto(b.Id, MergeWorld.T0);
        b.MarkMergedInto(a.Id, MergeWorld.T0);
        c.MarkMergedInto(new CustomerId("NEVER-STORED"), MergeWorld.T0);
        foreach (var customer in new[] { a, b, c })
        {
            await world.AddCustomer(customer);
        }
        var service = (IServiceProvider sp) => sp.GetRequiredService<CustomerMergeService>();

        Assert.Null(await world.Read(sp => service(sp).ResolveAsync(a.Id)));
        Assert.Null(await world.Read(sp => service(sp).ResolveAsync(c.Id)));
        Assert.Null(await world.Read(sp => service(sp).ResolveAsync(new CustomerId("NEVER-STORED"))));
        await Assert.ThrowsAsync<ArgumentException>(() => world.Read(sp => service(sp).ResolveAsync(default)));
    }

    [Fact]
    public async Task Merge_Refuses_SelfMergesAndTombstones_WithIdsOnlyInTheMessage()
    {
        await using var world = new MergeWorld();
        await Seed(world);
        await Assert.ThrowsAsync<CustomersNotMergeableException>(() => world.Merge(Ann, Ann));
        await world.Merge(Ann, Annie);

        var again = await Assert.ThrowsAsync<CustomersNotMergeableException>(() => world.Merge(Ann, Annie));
        var into = await Assert.ThrowsAsync<CustomersNotMergeableException>(() => world.Merge(Annie, Ann));

        Assert.DoesNotContain("example", again.Message + into.Message);
        Assert.DoesNotContain("Lee", again.Message + into.Message);
        await Assert.ThrowsAsync<AggregateNotFoundException>(() => world.Merge(Ann, new CustomerId("NOBODY")));
    }
}
