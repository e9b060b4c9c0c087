using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Testing;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Duplicates;

/// <summary>
/// The merge properties of issue #9 §5: no fact of either record is lost, the survivor's facts do not depend on the
/// order in which the records' facts were recorded, and a dry run changes nothing.
/// </summary>
public class MergePropertiesTest
{
    private static readonly CustomerId Survivor = new("S");
    private static readonly CustomerId Merged = new("M");
    private static readonly Instant Epoch = MergeArbitraries.Epoch;
    private static readonly LoyaltyProgramme Club = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.AfterDays(3650));

    [Property(Arbitrary = new[] { typeof(MergeArbitraries) }, MaxTest = 30)]
    public void No_fact_of_either_customer_is_lost(DuplicatePairFacts pair) => Run(async () =>
    {
        await using var world = new MergeWorld();
        await Seed(world, pair, new Random(pair.Seed));
        var before = await Facts(world, Survivor);
        var mergedBefore = await Facts(world, Merged);

        await world.Merge(Survivor, Merged);

        var after = await Facts(world, Survivor);
        Assert.Equal(before.Contacts.Union(mergedBefore.Contacts).Order(), after.Contacts.Order());
        Assert.Empty(before.History.Union(mergedBefore.History).Except(after.History));
        Assert.Equal(before.Interactions.Union(mergedBefore.Interactions).Order(), after.Interactions.Order());
        Assert.Equal(before.Purchases.Union(mergedBefore.Purchases).Order(), after.Purchases.Order());
        Assert.Equal(before.Holdings.Select(h => (h.Product, h.OpenedOn)).Union(mergedBefore.Holdings.Select(h => (h.Product, h.OpenedOn))).Order(),
            after.Holdings.Select(h => (h.Product, h.OpenedOn)).Order());
        Assert.Equal(before.Points + mergedBefore.Points, after.Points);
        Assert.Empty(before.LedgerEntries.Union(mergedBefore.LedgerEntries).Except(after.LedgerEntries));
        Assert.Equal(before.Segments.Union(mergedBefore.Segments).Order(), after.Segments.Order());
        Assert.Equal(Math.Max(before.Stage ?? -1, mergedBefore.Stage ?? -1), after.Stage ?? -1);
        Assert.Empty(before.LifecycleHistory.Union(mergedBefore.LifecycleHistory).Except(after.LifecycleHistory));
    });

    [Property(Arbitrary = new[] { typeof(MergeArbitraries) }, MaxTest = 20)]
    public void The_survivors_facts_do_not_depend_on_the_order_facts_were_recorded(DuplicatePairFacts pair) => Run(async () =>
    {
        await using var one = new MergeWorld();
        await using var other = new MergeWorld();
        await Seed(one, pair, new Random(pair.Seed));
        await Seed(other, pair, new Random(pair.Seed + 1), reverse: true);

        await one.Merge(Survivor, Merged);
        await other.Merge(Survivor, Merged);

        Assert.Equal((await Facts(one, Survivor)).Describe(), (await Facts(other, Survivor)).Describe());
    });

    [Property(Arbitrary = new[] { typeof(MergeArbitraries) }, MaxTest = 20)]
    public void A_dry_run_changes_nothing(DuplicatePairFacts pair) => Run(async () =>
    {
        await using var world = new MergeWorld();
        await Seed(world, pair, new Random(pair.Seed));
        var before = await Store(world);
        var events = world.Events.Dispatched.Count;

        var preview = await world.Preview(Survivor, Merged);

        Assert.True(preview.IsDryRun);
        Assert.Equal(before, await Store(world));
        Assert.Equal(events, world.Events.Dispatched.Count);
    });

    // FsCheck 3 runs synchronous properties; the stores are asynchronous (and complete synchronously in memory).
    private static void Run(Func<Task> property) => property().GetAwaiter().GetResult();

    private static async Task Seed(MergeWorld world, DuplicatePairFacts pair, Random random, bool reverse = false)
    {
        await world.Do(async sp =>
        {
            var segments = sp.GetRequiredService<IRepository<Segment, SegmentId>>();
            await segments.AddAsync(Segment.CreateStaticList(new SegmentId("newsletter"), "Newsletter"));
            await segments.AddAsync(Segment.CreateStaticList(new SegmentId("vip"), "VIP"));
        });
        var records = new[] { (Survivor, pair.Survivor), (Merged, pair.Merged) };
        foreach (var (id, facts) in reverse ? records.Reverse() : records)
        {
            await SeedOne(world, id, facts, random);
        }
    }

    private static List<T> Shuffled<T>(IEnumerable<T> items, Random random) => items.OrderBy(_ => random.Next()).ToList();

    private static async Task SeedOne(MergeWorld world, CustomerId id, CustomerFacts facts, Random random)
    {
        var customer = Customer.Register(id, CustomerName.Person("Ann", "Lee " + id.Value), Epoch);
        var contacts = Shuffled(facts.Emails.Select(e => (Email: e, Phone: (string?)null)).Concat(facts.Phones.Select(p => ((string)null!, (string?)p))), random);
        foreach (var (email, phone) in contacts)
        {
            if (phone is null)
            {
                customer.AddEmail(email, Epoch);
            }
            else
            {
                customer.AddPhone(PhoneNumber.Parse(phone, "GB"), Epoch);
            }
        }
        foreach (var consent in Shuffled(facts.Consents, random))
        {
            _ = consent.Status == ConsentStatus.Granted
                ? customer.GrantConsent(consent.Purpose, consent.Channel, consent.At, consent.Source)
                : customer.WithdrawConsent(consent.Purpose, consent.Channel, consent.At, consent.Source);
        }
        foreach (var product in Shuffled(facts.Products, random))
        {
            customer.OpenProduct(new ProductId(product), "category", OpenedOn(id, product), Epoch);
        }
        await world.AddCustomer(customer);

        await world.Do(async sp =>
        {
            var interactions = sp.GetRequiredService<IRepository<Interaction, InteractionId>>();
            foreach (var (minute, k) in Shuffled(facts.Interactions.Select((m, k) => (m, k)), random))
            {
                await interactions.AddAsync(Interaction.Record(new InteractionId($"{id}-I{k}"), id, Channel.Web, InteractionDirection.Inbound,
                    InteractionType.Enquiry, Epoch + Duration.FromMinutes(minute)));
            }
            var purchases = sp.GetRequiredService<IRepository<Purchase, TransactionId>>();
            var bought = facts.Purchases.Select((amount, k) => Purchase.Create(new TransactionId($"{id}-T{k}"), id, Epoch + Duration.FromHours(k), Channel.Web,
                new Money(amount, Currency.EUR))).ToList();
            foreach (var purchase in Shuffled(bought, random))
            {
                await purchases.AddAsync(purchase);
            }
            if (bought.Count > 0)
            {
                // A ledger is ordered by nature: its operations run in time order whatever order the rest was recorded in.
                var account = LoyaltyAccount.Open(new LoyaltyAccountId(Club.Id, id), Club, Epoch);
                foreach (var purchase in bought)
                {
                    account.Accrue(Club, purchase, purchase.OccurredAt);
                }
                if (facts.Redeemed > 0)
                {
                    account.Redeem(Club, facts.Redeemed, $"{id}-R", Epoch + Duration.FromDays(1));
                }
                await sp.GetRequiredService<IRepository<LoyaltyAccount, LoyaltyAccountId>>().AddAsync(account);
            }
            if (facts.Stage is { } stage)
            {
                await sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>().AddAsync(
                    CustomerLifecycle.Start(id, LifecycleModel.B2C, Epoch, "test", LifecycleModel.B2C.Stages[stage].Id));
            }
        });
        foreach (var segment in Shuffled(facts.Segments, random))
        {
            await world.Read(sp => sp.GetRequiredService<SegmentService>().IncludeAsync(new SegmentId(segment), id));
        }
    }

    private static LocalDate OpenedOn(CustomerId id, string product) =>
        new LocalDate(2023, 1, 1).PlusDays((id == Survivor ? 0 : 100) + product.Length);

    internal sealed record Holding(string Product, LocalDate OpenedOn, bool Open);

    internal sealed record FactSet(
        HashSet<string> Contacts,
        HashSet<string> Consents,
        HashSet<string> History,
        List<string> Interactions,
        List<string> Purchases,
        HashSet<Holding> Holdings,
        long Points,
        HashSet<string> LedgerEntries,
        List<string> Lots,
        List<string> Segments,
        int? Stage,
        HashSet<string> LifecycleHistory)
    {
        public string Describe() => string.Join(" | ",
            string.Join(",", Contacts.Order()), string.Join(",", Consents.Order()), string.Join(",", Interactions.Order()),
            string.Join(",", Purchases.Order()), string.Join(",", Holdings.Select(h => h.ToString()).Order()), Points,
            string.Join(",", Lots.Order()), string.Join(",", Segments.Order()), Stage);
    }

    /// <summary>Every fact reachable from <paramref name="id"/>: its own, and (through its merge history) the merged records' ledgers and lifecycles.</summary>
    private static Task<FactSet> Facts(MergeWorld world, CustomerId id) => world.Read(async sp =>
    {
        var now = world.Now;
        var customer = (await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(id))!;
        var reachable = customer.MergedCustomerIds.Prepend(id).ToList();
        var accounts = sp.GetRequiredService<IRepository<LoyaltyAccount, LoyaltyAccountId>>();
        var own = await accounts.GetByIdAsync(new LoyaltyAccountId(Club.Id, id));
        var ledger = new HashSet<string>();
        foreach (var reach in reachable)
        {
            if (await accounts.GetByIdAsync(new LoyaltyAccountId(Club.Id, reach)) is { } account)
            {
                foreach (var entry in account.Entries)
                {
                    ledger.Add($"{entry.Kind} {entry.IdempotencyKey} {entry.Points}");
                    if (entry is MergedInEntry { Source: { } source })
                    {
                        ledger.Add($"{source.Kind} {source.IdempotencyKey} {source.Points}");
                    }
                }
            }
        }
        var lifecycles = sp.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>();
        var history = new HashSet<string>();
        foreach (var reach in reachable)
        {
            if (await lifecycles.GetByIdAsync(reach) is { } l)
            {
                history.UnionWith(l.History.Select(t => $"{t.From}>{t.To}@{t.At}"));
            }
        }
        var members = await sp.GetRequiredService<IRepository<SegmentMember, SegmentMemberId>>().ListAsync(new AllOf<SegmentMember>());
        var interactions = await sp.GetRequiredService<IRepository<Interaction, InteractionId>>().ListAsync(new AllOf<Interaction>());
        var purchases = await sp.GetRequiredService<IRepository<Purchase, TransactionId>>().ListAsync(new AllOf<Purchase>());
        return new FactSet(
            customer.Emails.Select(e => e.Address.Value).Concat(customer.Phones.Select(p => p.Number.E164!)).ToHashSet(),
            customer.ConsentHistory.Select(r => $"{r.Purpose}/{r.Channel}/{r.Status}/{r.At}/{r.Source}")
                .Concat(customer.ConsentsAt(now).Select(r => $"now {r.Purpose}/{r.Channel}/{r.Status}")).ToHashSet(),
            customer.ConsentHistory.Select(r => $"{r.Purpose}/{r.Channel}/{r.Status}/{r.At}/{r.Source}").ToHashSet(),
            interactions.Where(i => i.CustomerId == id).Select(i => i.Id.Value).ToList(),
            purchases.Where(p => p.CustomerId == id).Select(p => p.Id.Value).ToList(),
            customer.ProductHoldings.Select(h => new Holding(h.ProductId.Value, h.OpenedOn, h.IsOpen)).ToHashSet(),
            own?.BalanceAt(now).Available ?? 0,
            ledger,
            own?.Lots.Where(l => l.Remaining > 0).Select(l => $"{l.EarnedAt}/{l.ExpiresAt}/{l.Remaining}").ToList() ?? [],
            members.Where(m => m.CustomerId == id).Select(m => m.SegmentId.Value).ToList(),
            (await lifecycles.GetByIdAsync(id))?.CurrentRank,
            history);
    });

    private static Task<string> Store(MergeWorld world) => world.Read(async sp =>
    {
        static async Task<string> Of<T, TId>(IServiceProvider sp)
            where T : AggregateRoot<TId>
            where TId : struct, IEquatable<TId> =>
            string.Join(",", (await sp.GetRequiredService<IRepository<T, TId>>().ListAsync(new AllOf<T>())).Select(a => $"{a.Id}@{a.Version}").Order());
        return string.Join(" | ", await Of<Customer, CustomerId>(sp), await Of<Interaction, InteractionId>(sp), await Of<Purchase, TransactionId>(sp),
            await Of<LoyaltyAccount, LoyaltyAccountId>(sp), await Of<SegmentMember, SegmentMemberId>(sp), await Of<Segment, SegmentId>(sp),
            await Of<CustomerLifecycle, CustomerId>(sp));
    });

    private sealed class AllOf<T> : Crm.Core.Specifications.Specification<T>
        where T : class;
}
