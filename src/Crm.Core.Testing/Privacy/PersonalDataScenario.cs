using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Testing.Privacy;

/// <summary>
/// One customer with personal data in every place Crm.Core keeps it (name, birth date, emails, phone, address,
/// external ids, tags, a personal attribute, consent and life-event sources, interaction texts, loyalty adjustment and
/// tier-override reasons, lifecycle reasons, the segmentation profile) plus the related facts that must survive an
/// erasure (purchases, points). Every personal text contains <see cref="Marker"/>, so "no personal value remains" is
/// "the marker appears nowhere" (ignoring case), plus the two values that cannot carry it: <see cref="PhoneE164"/>
/// and <see cref="BirthDateIso"/>.
/// </summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Marker">Random letters (no hex digits, so no hash can contain them) in every personal text.</param>
/// <param name="PhoneSuffix">0-999: makes the phone number unique among the customers of one test.</param>
/// <param name="Organisation">Whether the customer is an organisation.</param>
/// <param name="InteractionCount">How many interactions (0-3).</param>
/// <param name="WithLoyalty">Whether the customer has a loyalty account.</param>
/// <param name="WithLifecycle">Whether the customer has a lifecycle.</param>
public sealed record PersonalDataScenario(CustomerId CustomerId, string Marker, int PhoneSuffix, bool Organisation, int InteractionCount, bool WithLoyalty, bool WithLifecycle)
{
    /// <summary>The loyalty programme of the scenarios (earns 1 point per EUR).</summary>
    public static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), tiers: new TierPolicy([new TierDefinition("base", 0m), new TierDefinition("gold", 1000m)]));

    /// <summary>A dynamic segment that names the customer as an explicit include (an override).</summary>
    public static readonly SegmentId OverrideSegment = new("vip-overrides");

    /// <summary>When the data was recorded.</summary>
    public static readonly Instant At = Instant.FromUtc(2025, 3, 1, 9, 0);

    /// <summary>The phone number in E.164 (a personal value without the marker).</summary>
    public string PhoneE164 => "+44207946" + PhoneSuffix.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The birth date (persons), 1930-2005, in ISO form as stores write it.</summary>
    public string BirthDateIso => LocalDatePattern.Iso.Format(BirthDate);

    /// <summary>The billing system's id of the customer.</summary>
    public string BillingId => "B-" + Marker;

    /// <summary>The texts (ignoring case) that must not remain anywhere after an erasure.</summary>
    public IReadOnlyList<string> Needles => Organisation ? [Marker, PhoneE164] : [Marker, PhoneE164, BirthDateIso];

    /// <summary>The purchase amounts, which stay after an erasure (accounting facts).</summary>
    public IReadOnlyList<decimal> PurchaseAmounts => [120.50m + PhoneSuffix, 30m];

    private LocalDate BirthDate => new LocalDate(1930, 1, 1).PlusDays((PhoneSuffix * 37) % 27000);

    /// <summary>Random scenarios with distinct markers and phone numbers per customer index.</summary>
    /// <param name="index">The customer's index within a test (0-9): keeps phone numbers distinct.</param>
    public static Gen<PersonalDataScenario> Gen(int index) =>
        from marker in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Elements("ghjkmnpqrstvwxyz".ToCharArray()), 12)
        from suffix in FsCheck.Fluent.Gen.Choose(0, 99)
        from organisation in FsCheck.Fluent.Gen.Elements(false, false, true)
        from interactions in FsCheck.Fluent.Gen.Choose(0, 3)
        from loyalty in FsCheck.Fluent.Gen.Elements(true, false)
        from lifecycle in FsCheck.Fluent.Gen.Elements(true, false)
        select new PersonalDataScenario(new CustomerId($"C-{index}-{new string(marker, 0, 4)}"), new string(marker), (index * 100) + suffix,
            organisation, interactions, loyalty, lifecycle);

    /// <summary>The customer, built fresh (events cleared).</summary>
    public Customer BuildCustomer()
    {
        var m = Marker;
        var name = Organisation ? CustomerName.Organisation("Org " + m + " Ltd") : CustomerName.Person("Gv" + m, "Fm" + m);
        var c = Customer.Register(CustomerId, name, At);
        if (!Organisation)
        {
            c.SetBirthDate(BirthDate, At);
        }
        c.AddEmail($"e{m}@d{m}.example", At);
        c.AddPhone(PhoneE164, "GB", At);
        c.AddPostalAddress(new PostalAddress($"{m} Street 1", "L" + m, "GB", postalCode: "P" + m[..8], extraLine: "Flat " + m), At);
        c.LinkExternalId("billing", BillingId, At);
        c.LinkExternalId("web", "W" + m, At);
        c.AddTag("T" + m, At);
        c.SetAttribute("nickname", AttributeValue.OfText("N" + m), isPersonalData: true, At);
        c.SetAttribute("shoe-size", AttributeValue.OfNumber(42m), isPersonalData: false, At);
        c.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, At, "form-" + m);
        c.RecordLifeEvent(LifeEventType.HomeMove, new LocalDate(2024, 6, 1), "told-" + m, At);
        c.OpenProduct(new ProductId("P-1"), "savings", new LocalDate(2024, 1, 2), At);
        c.ClearDomainEvents();
        return c;
    }

    /// <summary>Saves the customer and every related aggregate through <paramref name="scope"/>'s repositories and profile store, and commits.</summary>
    /// <param name="scope">A scope of a provider with Crm.Core and a store registered.</param>
    public async Task SaveAsync(IServiceProvider scope)
    {
        var m = Marker;
        var customer = BuildCustomer();
        await scope.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(customer);
        var interactions = scope.GetRequiredService<IRepository<Interaction, InteractionId>>();
        for (var i = 0; i < InteractionCount; i++)
        {
            await interactions.AddAsync(Interaction.Record(new InteractionId($"{CustomerId}-i{i}"), CustomerId, Channel.Phone, InteractionDirection.Inbound,
                InteractionType.Enquiry, At + Duration.FromHours(i), $"Subj {m} {i}", $"Out {m}", InteractionReference.ToCase("C-" + i)));
        }
        var purchases = new[]
        {
            Purchase.Create(new TransactionId($"{CustomerId}-t1"), CustomerId, At + Duration.FromDays(1), Channel.Web, new Money(PurchaseAmounts[0], Currency.EUR)),
            Purchase.Create(new TransactionId($"{CustomerId}-t2"), CustomerId, At + Duration.FromDays(2), Channel.Branch,
                [new PurchaseLine(new Sku("SKU-1"), 2m, new Money(PurchaseAmounts[1] / 2, Currency.EUR), "shoes")]),
        };
        var purchaseRepository = scope.GetRequiredService<IRepository<Purchase, TransactionId>>();
        foreach (var purchase in purchases)
        {
            await purchaseRepository.AddAsync(purchase);
        }
        if (WithLoyalty)
        {
            var account = LoyaltyAccount.Open(new LoyaltyAccountId(Programme.Id, CustomerId), Programme, At);
            foreach (var purchase in purchases)
            {
                account.Accrue(Programme, purchase, At + Duration.FromDays(3));
            }
            account.Adjust(Programme, 25, "Adj " + m, "staff-7", "adj-1", At + Duration.FromDays(4));
            account.Adjust(Programme, -5, "Fix " + m, "staff-7", "adj-2", At + Duration.FromDays(5));
            account.SetTierOverride(Programme, Programme.Tiers.Tiers[^1].Code, At + Duration.FromDays(60), "Ovr " + m, "staff-7", At + Duration.FromDays(5));
            account.Redeem(Programme, 10, "red-1", At + Duration.FromDays(6), new Money(50m, Currency.EUR));
            account.Redeem(Programme, 5, "red-2", At + Duration.FromDays(6));
            account.CancelRedemption(Programme, "red-2", "cancel-1", At + Duration.FromDays(7));
            await scope.GetRequiredService<IRepository<LoyaltyAccount, LoyaltyAccountId>>().AddAsync(account);
        }
        if (WithLifecycle)
        {
            var lifecycle = CustomerLifecycle.Start(CustomerId, LifecycleModel.B2C, At, "system");
            lifecycle.Advance(LifecycleModel.B2CStages.FirstTimeCustomer, At + Duration.FromDays(1), "system", "Because " + m);
            lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(2, ServiceInteractions: 1), At + Duration.FromDays(2));
            lifecycle.Regress(LifecycleModel.B2CStages.Lead, "Why " + m, At + Duration.FromDays(9), "staff-7");
            await scope.GetRequiredService<IRepository<CustomerLifecycle, CustomerId>>().AddAsync(lifecycle);
        }
        var segments = scope.GetRequiredService<IRepository<Segment, SegmentId>>();
        var segment = await segments.GetByIdAsync(OverrideSegment);
        if (segment is null)
        {
            segment = Segment.CreateDynamic(OverrideSegment, "VIP overrides", SegmentDefinitionJson.Parse("""{"schema":1,"rule":{"field":"isOrganisation","op":"eq","value":false}}"""));
            segment.Include(CustomerId);
            await segments.AddAsync(segment);
        }
        else
        {
            segment.Include(CustomerId);
            await segments.UpdateAsync(segment);
        }
        await scope.GetRequiredService<IRepository<SegmentMember, SegmentMemberId>>().AddAsync(SegmentMember.Enter(OverrideSegment, CustomerId, At));
        await scope.GetRequiredService<Crm.Core.Storage.IUnitOfWork>().CommitAsync();

        var profile = new CustomerProfile(CustomerId).Project(customer, At, DateTimeZone.Utc).ProjectPurchases(purchases, DateTimeZone.Utc);
        await scope.GetRequiredService<ICustomerProfileStore>().UpsertAsync(profile);
    }
}
