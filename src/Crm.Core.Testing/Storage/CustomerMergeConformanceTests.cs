using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The storage conformance kit for duplicates and merge: registration with duplicate checks (exact and fuzzy look-ups
/// must be answered by the store), import by external id, and <see cref="CustomerMergeService"/> moving every fact
/// of a customer to a survivor in one unit of work — all or nothing — through the public API only.
/// </summary>
/// <remarks>Every test uses fresh ids, so the kit runs against a shared, long-lived database.</remarks>
public abstract class CustomerMergeConformanceTests : StoreConformanceTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 1, 9, 0);

    /// <summary>The programme the scenario's customers collect points in (points never expire: the merge runs at the real time).</summary>
    protected static LoyaltyProgramme Club { get; } = new(new ProgrammeId("merge-club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.Never);

    /// <summary>A merge moves contact points, consents, interactions, purchases, loyalty points, memberships and the lifecycle, and leaves a redirect.</summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task Merge_moves_every_fact_to_the_survivor()
    {
        var (ann, annie, run) = await SeedAsync();

        var result = await InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(ann, annie));

        Assert.Equal((2, 2, 1, true), (result.InteractionsMoved, result.PurchasesMoved, result.LoyaltyAccountsMerged, result.LifecycleMerged));
        await InScopeAsync(async sp =>
        {
            var customers = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            var survivor = (await customers.GetByIdAsync(ann))!;
            var tombstone = (await customers.GetByIdAsync(annie))!;
            Assert.Equal(2, survivor.Emails.Count());
            Assert.Equal(annie, Assert.Single(survivor.MergeHistory).MergedCustomerId);
            Assert.False(survivor.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, result.Survivor.UpdatedAt));
            Assert.Equal(ann, tombstone.MergedInto);
            Assert.Empty(tombstone.ContactPoints);

            // The look-up indexes follow: the merged record's email finds the survivor only.
            var byEmail = await customers.ListAsync(new CustomersByEmail(new EmailAddress($"annie-{run}@example.org")));
            Assert.Equal([ann], byEmail.Select(c => c.Id));
            var resolved = await sp.GetRequiredService<CustomerMergeService>().ResolveAsync(annie);
            Assert.Equal(ann, resolved!.Id);

            var interactions = await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().ListAsync(new InteractionTimeline(ann, T0 - Duration.FromDays(1), T0 + Duration.FromDays(10)));
            Assert.Equal(3, interactions.Count);
            Assert.Empty(await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().ListAsync(new InteractionTimeline(annie, T0 - Duration.FromDays(1), T0 + Duration.FromDays(10))));
            var purchases = sp.GetRequiredService<IRepository<Purchase, TransactionId>>();
            Assert.Equal(ann, (await purchases.GetByIdAsync(new TransactionId($"T2-{run}")))!.CustomerId);
            Assert.Equal(ann, (await purchases.GetByIdAsync(new TransactionId($"T2R-{run}")))!.CustomerId);

            var loyalty = sp.GetRequiredService<LoyaltyService>();
            var points = (await loyalty.FindAccountAsync(Club, ann))!.BalanceAt(result.Survivor.UpdatedAt).Available;
            Assert.Equal(40 + 60 - 15, points);
            Assert.Equal(0, (await loyalty.FindAccountAsync(Club, annie))!.BalanceAt(result.Survivor.UpdatedAt).Available);

            var members = sp.GetRequiredService<IRepository<SegmentMember, SegmentMemberId>>();
            Assert.NotNull(await members.GetByIdAsync(new SegmentMemberId(new SegmentId($"vip-{run}"), ann)));
            Assert.Null(await members.GetByIdAsync(new SegmentMemberId(new SegmentId($"vip-{run}"), annie)));

            var lifecycle = (await sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>().GetByIdAsync(ann))!;
            Assert.Equal(LifecycleModel.B2CStages.RepeatCustomer, lifecycle.CurrentStage.Id);
        });
        Assert.Contains(Dispatcher.Events.OfType<CustomersMerged>(), e => e.SurvivorId == ann && e.MergedCustomerId == annie);
    }

    /// <summary>A merge whose commit fails writes nothing: both customers and everything they own stay as they were.</summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task Merge_that_fails_to_commit_changes_nothing()
    {
        var (ann, annie, run) = await SeedAsync();
        var bystander = new CustomerId($"BY-{run}");
        await InScopeAsync(async sp =>
        {
            await sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(Customer.Register(bystander, CustomerName.Person("By", "Stander"), T0));
            await UnitOfWork(sp).CommitAsync();
        });

        await InScopeAsync(async sp =>
        {
            // A change registered in the same unit of work goes stale before the merge commits (someone else saves that
            // customer meanwhile), so the commit fails on a concurrency conflict.
            var customers = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            var mine = (await customers.GetByIdAsync(bystander))!;
            mine.AddTag("mine", T0);
            await customers.UpdateAsync(mine);
            await InScopeAsync(async other =>
            {
                var theirs = (await other.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(bystander))!;
                theirs.AddTag("theirs", T0);
                await other.GetRequiredService<IRepository<Customer, CustomerId>>().UpdateAsync(theirs);
                await UnitOfWork(other).CommitAsync();
            });
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => sp.GetRequiredService<CustomerMergeService>().MergeAsync(ann, annie));
            Assert.False(UnitOfWork(sp).HasChanges);
        });

        await InScopeAsync(async sp =>
        {
            var customers = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            Assert.False((await customers.GetByIdAsync(annie))!.IsMerged);
            Assert.Empty((await customers.GetByIdAsync(ann))!.MergeHistory);
            Assert.Single((await customers.GetByIdAsync(ann))!.Emails);
            Assert.Equal(annie, (await sp.GetRequiredService<IRepository<Purchase, TransactionId>>().GetByIdAsync(new TransactionId($"T2-{run}")))!.CustomerId);
            Assert.Equal(2, (await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().ListAsync(new InteractionTimeline(annie, T0 - Duration.FromDays(1), T0 + Duration.FromDays(10)))).Count);
            Assert.Equal(45, (await sp.GetRequiredService<LoyaltyService>().FindAccountAsync(Club, annie))!.BalanceAt(SystemClock.Instance.GetCurrentInstant()).Available);
        });
    }

    /// <summary>A dry run returns the merged survivor and saves nothing.</summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task Preview_saves_nothing()
    {
        var (ann, annie, _) = await SeedAsync();
        var before = await InScopeAsync(async sp => ((await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(ann))!.Version,
            (await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(annie))!.Version));

        var preview = await InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().PreviewAsync(ann, annie));

        Assert.True(preview.IsDryRun);
        Assert.Equal(2, preview.Survivor.Emails.Count());
        var after = await InScopeAsync(async sp => ((await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(ann))!.Version,
            (await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(annie))!.Version));
        Assert.Equal(before, after);
    }

    /// <summary>Registration finds exact and fuzzy duplicates through the store's look-ups; import updates by external id.</summary>
    /// <returns>A task that completes with the test.</returns>
    [SkippableFact]
    public async Task Registration_and_import_find_duplicates_through_the_store()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var postal = new PostalAddress("1 High Street", "London", "GB", $"Z{run[..6]}");
        var first = new CustomerRegistration(new CustomerId($"R1-{run}"), CustomerName.Person("Katherine", "Johnson"))
        {
            Emails = { $"kj-{run}@example.com" },
            PostalAddresses = { postal },
        };
        await InScopeAsync(sp => sp.GetRequiredService<CustomerRegistrationService>().ImportAsync("shop", $"S-{run}", first));

        var sameEmail = new CustomerRegistration(new CustomerId($"R2-{run}"), CustomerName.Person("K", "J")) { Emails = { $"KJ-{run}@Example.com" } };
        var refused = await Assert.ThrowsAsync<DuplicateCustomerException>(() =>
            InScopeAsync(sp => sp.GetRequiredService<CustomerRegistrationService>().RegisterAsync(sameEmail, DuplicatePolicy.Refuse)));
        Assert.Equal([first.Id], refused.CandidateIds);

        var similar = new CustomerRegistration(new CustomerId($"R3-{run}"), CustomerName.Person("Katharine", "Johnson")) { PostalAddresses = { postal } };
        var warned = await InScopeAsync(sp => sp.GetRequiredService<CustomerRegistrationService>().RegisterAsync(similar, DuplicatePolicy.Warn, DuplicateRules.WithFuzzyNames));
        Assert.Equal([MatchReason.NameAndPostalCode], Assert.Single(warned.Duplicates).Reasons);

        var again = new CustomerRegistration(new CustomerId($"R4-{run}"), CustomerName.Person("Katherine", "Johnson-Lee")) { Emails = { $"kj2-{run}@example.com" } };
        var updated = await InScopeAsync(sp => sp.GetRequiredService<CustomerRegistrationService>().ImportAsync("shop", $"S-{run}", again));
        Assert.Equal(RegistrationOutcome.Updated, updated.Outcome);
        Assert.Equal(first.Id, updated.Customer.Id);
        Assert.Equal(2, updated.Customer.Emails.Count());
    }

    /// <summary>Two customers of one person with some of everything; returns their ids and the run's suffix.</summary>
    private async Task<(CustomerId Ann, CustomerId Annie, string Run)> SeedAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var annId = new CustomerId($"ANN-{run}");
        var annieId = new CustomerId($"ANNIE-{run}");
        var t = T0;
        await InScopeAsync(async sp =>
        {
            var ann = Customer.Register(annId, CustomerName.Person("Ann", "Lee"), t);
            ann.AddEmail($"ann-{run}@example.com", t);
            ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, t, "web-signup");
            var annie = Customer.Register(annieId, CustomerName.Person("Annie", "Lee"), t);
            annie.AddEmail($"annie-{run}@example.org", t);
            annie.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, t + Duration.FromMinutes(5), "unsubscribe-link");
            var customers = sp.GetRequiredService<IRepository<Customer, CustomerId>>();
            await customers.AddAsync(ann);
            await customers.AddAsync(annie);
            var interactions = sp.GetRequiredService<IRepository<Interaction, InteractionId>>();
            await interactions.AddAsync(Interaction.Record(new InteractionId($"I1-{run}"), annId, Channel.Web, InteractionDirection.Inbound, InteractionType.Enquiry, t));
            await interactions.AddAsync(Interaction.Record(new InteractionId($"I2-{run}"), annieId, Channel.Phone, InteractionDirection.Inbound, InteractionType.Complaint, t, "late delivery"));
            await interactions.AddAsync(Interaction.Record(new InteractionId($"I3-{run}"), annieId, Channel.Email, InteractionDirection.Inbound, InteractionType.Enquiry, t));
            var purchases = sp.GetRequiredService<IRepository<Purchase, TransactionId>>();
            await purchases.AddAsync(Purchase.Create(new TransactionId($"T1-{run}"), annId, t, Channel.Web, new Money(40m, Currency.EUR)));
            await purchases.AddAsync(Purchase.Create(new TransactionId($"T2-{run}"), annieId, t, Channel.Branch, new Money(60m, Currency.EUR)));
            await purchases.AddAsync(Purchase.CreateRefund(new TransactionId($"T2R-{run}"), annieId, t + Duration.FromDays(1), Channel.Branch, new TransactionId($"T2-{run}"),
                [new PurchaseLine(new Sku("X"), -1m, new Money(10m, Currency.EUR))]));
            var lifecycles = sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>();
            await lifecycles.AddAsync(CustomerLifecycle.Start(annId, LifecycleModel.B2C, t, "kit", LifecycleModel.B2CStages.Lead));
            await lifecycles.AddAsync(CustomerLifecycle.Start(annieId, LifecycleModel.B2C, t, "kit", LifecycleModel.B2CStages.RepeatCustomer));
            await UnitOfWork(sp).CommitAsync();
        });
        await InScopeAsync(async sp =>
        {
            var loyalty = sp.GetRequiredService<LoyaltyService>();
            await loyalty.AccrueAsync(Club, Purchase.Create(new TransactionId($"T1-{run}"), annId, t, Channel.Web, new Money(40m, Currency.EUR)));
            await loyalty.AccrueAsync(Club, Purchase.Create(new TransactionId($"T2-{run}"), annieId, t, Channel.Branch, new Money(60m, Currency.EUR)));
            await loyalty.RedeemAsync(Club, annieId, 15, $"redeem-{run}");
        });
        await InScopeAsync(async sp =>
        {
            // A marketing list admits only customers whose marketing consent is in force (per their profile).
            await sp.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(annieId).WithEmailMarketingConsent());
            var segments = sp.GetRequiredService<SegmentService>();
            await segments.DefineStaticListAsync(new SegmentId($"vip-{run}"), "VIP list");
            await segments.IncludeAsync(new SegmentId($"vip-{run}"), annieId);
        });
        return (annId, annieId, run);
    }
}
