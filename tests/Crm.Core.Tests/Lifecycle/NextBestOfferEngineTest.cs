using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Lifecycle;

public class NextBestOfferEngineTest
{
    private static readonly Instant Now = Instant.FromUtc(2025, 6, 1, 12, 0);
    private static readonly LocalDate Today = new(2025, 6, 1);
    private static readonly ProductId Mortgage = new("mortgage");
    private static readonly ProductId HomeInsurance = new("home-insurance");
    private static readonly ProductId CarLoan = new("car-loan");

    private static Customer Married(bool marketingConsent = true)
    {
        var customer = Customer.Register(new CustomerId("c-42"), CustomerName.Person("Ada", "Lovelace"), Now - Duration.FromDays(400));
        customer.RecordLifeEvent(LifeEventType.Marriage, Today.PlusDays(-30), "branch form", Now - Duration.FromDays(30));
        customer.OpenProduct(new ProductId("current-1"), "current-account", Today.PlusDays(-400), Now - Duration.FromDays(400));
        if (marketingConsent)
        {
            customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, Now - Duration.FromDays(100), "web");
        }
        return customer;
    }

    private static OfferRule MortgageAfterMarriage(int priority = 10) => new("mortgage-after-marriage", Mortgage,
        [OfferCondition.LifeEventWithin(LifeEventType.Marriage, 180, "married in the last 6 months")], priority);

    private static OfferRule HomeInsuranceForCurrentAccount() => new("home-insurance", HomeInsurance,
        [
            OfferCondition.LifeEventWithin(LifeEventType.Marriage, 365),
            OfferCondition.Profile("holds a current account", new HoldsCondition(null, "current-account")),
        ], priority: 5);

    private static OfferRule CarLoanForGraduates() => new("car-loan-graduates", CarLoan,
        [OfferCondition.LifeEventWithin(LifeEventType.Graduation, 365)], priority: 20);

    private static CustomerProfile ProfileOf(Customer customer) => new(customer.Id)
    {
        Holdings = [.. customer.ProductHoldings.Select(h => new ProfileHolding { ProductId = h.ProductId.Value, Category = h.Category, IsActive = h.IsOpen, OpenedOn = h.OpenedOn })],
    };

    private static NextBestOfferEngine Engine(params OfferRule[] offers) => new(offers, DateTimeZone.Utc);

    [Fact]
    public void Offers_are_ranked_by_priority_with_the_matched_conditions_as_reasons()
    {
        var customer = Married();
        var engine = Engine(HomeInsuranceForCurrentAccount(), MortgageAfterMarriage(), CarLoanForGraduates());

        var offers = engine.NextBestOffers(new OfferContext(customer, ProfileOf(customer)), Now, max: 5);

        Assert.Equal(["mortgage-after-marriage", "home-insurance"], offers.Select(o => o.Offer.Id));
        Assert.Equal([1, 2], offers.Select(o => o.Rank));
        Assert.Equal(["married in the last 6 months"], offers[0].Reasons);
        Assert.Equal(["marriage within 365 days", "holds a current account"], offers[1].Reasons);
    }

    [Fact]
    public void Max_limits_the_number_of_offers()
    {
        var customer = Married();
        var offers = Engine(HomeInsuranceForCurrentAccount(), MortgageAfterMarriage()).NextBestOffers(new OfferContext(customer, ProfileOf(customer)), Now, max: 1);
        Assert.Equal("mortgage-after-marriage", Assert.Single(offers).Offer.Id);
    }

    [Fact]
    public void A_life_event_outside_the_window_does_not_match()
    {
        var customer = Married();
        var engine = Engine(new OfferRule("recent", Mortgage, [OfferCondition.LifeEventWithin(LifeEventType.Marriage, 7)]));
        var decision = Assert.Single(engine.Explain(new OfferContext(customer), Now));
        Assert.Equal(OfferOutcome.ConditionNotMet, decision.Outcome);
        Assert.Equal(["marriage within 7 days"], decision.Reasons);
    }

    [Fact]
    public void No_marketing_consent_means_no_marketing_offer()
    {
        var customer = Married(marketingConsent: false);
        var engine = Engine(MortgageAfterMarriage());
        Assert.Empty(engine.NextBestOffers(new OfferContext(customer), Now));
        Assert.Equal(OfferOutcome.NoConsent, engine.Explain(new OfferContext(customer), Now)[0].Outcome);
    }

    [Fact]
    public void Withdrawn_consent_stops_offers_from_that_instant()
    {
        var customer = Married();
        customer.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, Now - Duration.FromHours(1), "unsubscribe link");
        Assert.Empty(Engine(MortgageAfterMarriage()).NextBestOffers(new OfferContext(customer), Now));
    }

    [Fact]
    public void An_explicit_non_marketing_purpose_is_offered_without_consent_and_carries_its_record()
    {
        var customer = Married(marketingConsent: false);
        var purpose = PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "card expiry notice", "ops-team");
        var notice = new OfferRule("card-replacement", new ProductId("card"), [OfferCondition.HoldsCategory("current-account")], purpose: purpose);

        var offer = Assert.Single(Engine(notice).NextBestOffers(new OfferContext(customer), Now));
        Assert.Same(purpose, offer.Offer.Purpose);
        Assert.Equal((LawfulBasis.Contract, "card expiry notice", "ops-team"), (offer.Offer.Purpose.Basis, offer.Offer.Purpose.Justification, offer.Offer.Purpose.DecidedBy));
    }

    [Fact]
    public void A_consent_based_service_purpose_still_needs_service_consent()
    {
        var customer = Married();
        var notice = new OfferRule("card-replacement", new ProductId("card"), [OfferCondition.HoldsCategory("current-account")],
            purpose: PurposeOfUse.Consented(ConsentPurpose.Service, ContactChannel.Email));
        Assert.Equal(OfferOutcome.NoConsent, Engine(notice).Explain(new OfferContext(customer), Now)[0].Outcome);
        customer.GrantConsent(ConsentPurpose.Service, ContactChannel.Email, Now - Duration.FromDays(1), "app");
        Assert.Equal(OfferOutcome.Eligible, Engine(notice).Explain(new OfferContext(customer), Now)[0].Outcome);
    }

    [Fact]
    public void Marketing_is_the_default_purpose_and_the_channel_must_agree_with_the_purpose()
    {
        var rule = new OfferRule("x", Mortgage, [OfferCondition.HoldsCategory("a")], channel: ContactChannel.Sms);
        Assert.Equal(PurposeOfUse.Marketing(ContactChannel.Sms), rule.Purpose);
        Assert.Equal(ContactChannel.Email, new OfferRule("y", Mortgage, [OfferCondition.HoldsCategory("a")]).Channel);
        var ex = Assert.Throws<ArgumentException>(() => new OfferRule("z", Mortgage, [OfferCondition.HoldsCategory("a")], channel: ContactChannel.Sms,
            purpose: PurposeOfUse.Marketing(ContactChannel.Email)));
        Assert.Equal("channel", ex.ParamName);
    }

    [Fact]
    public void Products_already_held_are_not_offered()
    {
        var customer = Married();
        customer.OpenProduct(Mortgage, "mortgage", Today.PlusDays(-5), Now - Duration.FromDays(5));
        Assert.Equal(OfferOutcome.AlreadyHeld, Engine(MortgageAfterMarriage()).Explain(new OfferContext(customer), Now)[0].Outcome);
    }

    [Fact]
    public void Declined_offers_cool_down_for_the_configured_days()
    {
        var customer = Married();
        var engine = Engine(MortgageAfterMarriage());
        var declined = new OfferResponse("mortgage-after-marriage", Mortgage, OfferResponseKind.Declined, Now - Duration.FromDays(89));
        Assert.Equal(OfferOutcome.RecentlyDeclined, engine.Explain(new OfferContext(customer, responses: [declined]), Now)[0].Outcome);

        var longAgo = declined with { At = Now - Duration.FromDays(91) };
        Assert.Single(engine.NextBestOffers(new OfferContext(customer, responses: [longAgo]), Now));
    }

    [Fact]
    public void Offers_outside_their_validity_are_not_made()
    {
        var customer = Married();
        var expired = new OfferRule("spring", Mortgage, [OfferCondition.HoldsCategory("current-account")], validFrom: new LocalDate(2025, 3, 1), validUntil: new LocalDate(2025, 5, 31));
        Assert.Equal(OfferOutcome.NotValid, Engine(expired).Explain(new OfferContext(customer), Now)[0].Outcome);
        Assert.Throws<ArgumentException>(() => new OfferRule("bad", Mortgage, [OfferCondition.HoldsCategory("a")], validFrom: Today, validUntil: Today.PlusDays(-1)));
    }

    [Fact]
    public void Only_the_best_offer_per_product_is_kept()
    {
        var customer = Married();
        var second = new OfferRule("mortgage-generic", Mortgage, [OfferCondition.HoldsCategory("current-account")], priority: 1);
        var engine = Engine(MortgageAfterMarriage(), second);
        Assert.Single(engine.NextBestOffers(new OfferContext(customer), Now));
        Assert.Equal(OfferOutcome.SameProductRankedHigher, engine.Explain(new OfferContext(customer), Now)[1].Outcome);
    }

    [Fact]
    public void Stage_and_engagement_conditions_use_the_lifecycle()
    {
        var customer = Married();
        var lifecycle = CustomerLifecycle.Start(customer.Id, LifecycleModel.B2C, Now - Duration.FromDays(400), "import");
        lifecycle.Advance(LifecycleModel.B2CStages.RepeatCustomer, Now - Duration.FromDays(10), "agent");
        var loyaltyOffer = new OfferRule("upgrade", new ProductId("premium"),
            [OfferCondition.StageAtLeast(LifecycleModel.B2CStages.RepeatCustomer), OfferCondition.EngagementIn(EngagementStatus.None, EngagementStatus.Active)]);
        var offers = Engine(loyaltyOffer).NextBestOffers(new OfferContext(customer, lifecycle: lifecycle), Now);
        Assert.Equal(["lifecycle stage repeat-customer or above", "engagement None or Active"], Assert.Single(offers).Reasons);

        var ex = Assert.Throws<ArgumentException>(() => Engine(loyaltyOffer).NextBestOffers(new OfferContext(customer), Now));
        Assert.Contains("CustomerLifecycle", ex.Message);
    }

    [Fact]
    public void Profile_conditions_can_name_lifecycle_fields()
    {
        var customer = Married();
        var lifecycle = CustomerLifecycle.Start(customer.Id, LifecycleModel.B2C, Now - Duration.FromDays(400), "import");
        lifecycle.Advance(LifecycleModel.B2CStages.Loyal, Now - Duration.FromDays(10), "agent");
        var profile = ProfileOf(customer);
        lifecycle.ProjectTo(profile);
        var offer = new OfferRule("advocate-kit", new ProductId("referral-kit"),
            [OfferCondition.Profile("loyal customer", new FieldCondition("lifecycle.stage", RuleOperator.Eq, "loyal"))]);
        Assert.Single(Engine(offer).NextBestOffers(new OfferContext(customer, profile), Now));
    }

    [Fact]
    public void Invalid_profile_rules_are_rejected_when_the_engine_is_built()
    {
        var offer = new OfferRule("bad", Mortgage, [OfferCondition.Profile("nonsense", new FieldCondition("no.such.field", RuleOperator.Eq, "x"))]);
        Assert.Throws<SegmentDefinitionException>(() => Engine(offer));
        Assert.Throws<ArgumentException>(() => Engine(MortgageAfterMarriage(), MortgageAfterMarriage(1)));
    }
}
