using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using Crm.Core.Testing;
using Crm.Core.Tests.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Tests.Customers;

/// <summary>
/// Over random consent histories (grants and withdrawals at random instants, purposes and channels, ties and
/// back-filling): no marketing path returns or accepts a customer whose consent is not in force at the instant —
/// the profile's consent periods, a marketing segment in memory (refresh, audience, re-evaluation), next-best offers
/// and outbound interactions all agree with <see cref="Customer.MayContact"/>. The SQL path has the same property in
/// the EF Core tests (ConsentPushdownTest).
/// </summary>
public class ConsentEverywhereProperties
{
    private static readonly Instant[] Instants = Enumerable.Range(-1, 23).Select(m => ConsentArbitraries.Epoch + Duration.FromMinutes(m)).ToArray();

    private static Customer WithHistory(ConsentOperation[] history)
    {
        var customer = Customer.Register(new CustomerId("c"), CustomerName.Person("Test", "Customer"), ConsentArbitraries.Epoch - Duration.FromDays(1));
        foreach (var op in history)
        {
            ConsentArbitraries.Apply(customer, op);
        }
        return customer;
    }

    private static Arbitrary<ConsentOperation[]> Histories() => ConsentArbitraries.History().ToArbitrary();

    [Fact]
    public void Profile_consent_periods_answer_exactly_like_MayContact_at_every_instant()
    {
        // Criteria compiled once (compiling an expression per check would dominate the run).
        var criteria = (from purpose in ConsentArbitraries.Purposes
                        from channel in ConsentArbitraries.Channels
                        from at in Instants
                        select (purpose, channel, at, ConsentCriteria.PermittedFor(PurposeOfUse.Consented(purpose, channel), at))).ToList();
        var property = Prop.ForAll(Histories(), ConsentArbitraries.EvaluationInstant().ToArbitrary(), (history, projectedAt) =>
        {
            var customer = WithHistory(history);
            // Projected at a random instant: the periods do not depend on it.
            var profile = new CustomerProfile(customer.Id).Project(customer, projectedAt, DateTimeZone.Utc);
            return criteria.All(c =>
                    {
                        var expected = customer.MayContact(c.purpose, c.channel, c.at);
                        return profile.HasConsentInForce(c.purpose, c.channel, c.at) == expected && c.Item4.IsSatisfiedBy(profile) == expected;
                    })
                // Periods are disjoint and ordered per consent, each non-empty.
                && profile.ConsentPeriods.GroupBy(p => (p.Purpose, p.Channel)).All(g => g.Zip(g.Skip(1)).All(pair => pair.First.Until is { } until && until < pair.Second.From))
                && profile.ConsentPeriods.All(p => p.Until is null || p.From < p.Until);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    [Fact]
    public void A_marketing_segment_in_memory_holds_exactly_the_consenting_matches_at_each_evaluation()
    {
        var property = Prop.ForAll(ConsentArbitraries.Population(), population =>
        {
            using var w = new SegmentConsentTest.World();
            var customers = population.BuildCustomers();
            // Projected before any consent was given: only the periods can make the evaluations right.
            w.Clock.Reset(ConsentArbitraries.Epoch - Duration.FromMinutes(5));
            foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
            {
                w.Project(customer, population.PurchaseCounts[i]).GetAwaiter().GetResult();
            }
            var segment = new SegmentId("marketing");
            var purpose = PurposeOfUse.Marketing(population.Channel);
            w.Run(s => s.DefineDynamicAsync(segment, "Marketing", new FieldCondition("purchases.count", RuleOperator.Gte, 1), purpose)).GetAwaiter().GetResult();
            foreach (var i in population.Included)
            {
                w.Run(s => s.IncludeAsync(segment, customers[i].Id)).GetAwaiter().GetResult();
            }
            foreach (var i in population.Excluded)
            {
                w.Run(s => s.ExcludeAsync(segment, customers[i].Id)).GetAwaiter().GetResult();
            }

            List<CustomerId> Expected(Instant at) => customers
                .Where((c, i) => (population.PurchaseCounts[i] >= 1 || population.Included.Contains(i)) && !population.Excluded.Contains(i))
                .Where(c => c.MayContact(ConsentPurpose.Marketing, population.Channel, at))
                .Select(c => c.Id).Order().ToList();

            w.Clock.Reset(population.FirstAt);
            w.Run(s => s.RefreshAsync(segment)).GetAwaiter().GetResult();
            var first = w.Run(s => s.GetMembersAsync(segment)).GetAwaiter().GetResult();
            var firstAudience = w.Run(s => s.GetAudienceAsync(segment)).GetAwaiter().GetResult();

            w.Clock.Reset(population.SecondAt);
            var audienceBeforeRefresh = w.Run(s => s.GetAudienceAsync(segment)).GetAwaiter().GetResult();
            var second = w.Run(s => s.RefreshAsync(segment)).GetAwaiter().GetResult();
            var members = w.Run(s => s.GetMembersAsync(segment)).GetAwaiter().GetResult();
            // Re-evaluating any one customer now changes nothing: it agrees with the refresh.
            var reevaluated = customers.SelectMany(c => w.Run(s => s.ReevaluateCustomerAsync(c.Id)).GetAwaiter().GetResult()).ToList();

            var expectedFirst = Expected(population.FirstAt);
            var expectedSecond = Expected(population.SecondAt);
            return (first.SequenceEqual(expectedFirst)
                    && firstAudience.SequenceEqual(expectedFirst)
                    && audienceBeforeRefresh.SequenceEqual(expectedFirst.Intersect(expectedSecond).Order())
                    && members.SequenceEqual(expectedSecond)
                    && second.Left.SequenceEqual(expectedFirst.Except(expectedSecond).Order())
                    && second.Entered.SequenceEqual(expectedSecond.Except(expectedFirst).Order())
                    && reevaluated.Count == 0)
                .Label($"first {string.Join(",", first)} vs {string.Join(",", expectedFirst)}; second {string.Join(",", members)} vs {string.Join(",", expectedSecond)}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), property);
    }

    [Fact]
    public void Next_best_offers_make_a_consent_based_offer_only_with_consent_in_force_and_a_non_marketing_one_regardless()
    {
        var notice = PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "card expiry notice", "cards-ops");
        var property = Prop.ForAll(Histories(), ConsentArbitraries.EvaluationInstant().ToArbitrary(), (history, asOf) =>
        {
            var customer = WithHistory(history);
            customer.OpenProduct(new ProductId("current"), "current-account", new LocalDate(2023, 1, 1), ConsentArbitraries.Epoch - Duration.FromDays(1));
            var holds = new[] { OfferCondition.HoldsCategory("current-account") };
            var offers = ConsentArbitraries.Purposes.SelectMany(p => ConsentArbitraries.Channels.Select(c =>
                    new OfferRule($"{p}-{c}", new ProductId($"{p}-{c}"), holds, purpose: PurposeOfUse.Consented(p, c))))
                .Append(new OfferRule("default", new ProductId("default"), holds))
                .Append(new OfferRule("notice", new ProductId("notice"), holds, purpose: notice))
                .ToList();
            var engine = new NextBestOfferEngine(offers, DateTimeZone.Utc);
            var made = engine.NextBestOffers(new OfferContext(customer), asOf, max: 100).Select(r => r.Offer.Id).ToHashSet();
            var decisions = engine.Explain(new OfferContext(customer), asOf);
            return ConsentArbitraries.Purposes.All(p => ConsentArbitraries.Channels.All(c => made.Contains($"{p}-{c}") == customer.MayContact(p, c, asOf)))
                && made.Contains("default") == customer.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, asOf)
                && made.Contains("notice")
                && decisions.All(d => d.Outcome != OfferOutcome.Eligible || d.Offer.Purpose.Permits(customer, asOf))
                && decisions.Where(d => d.Outcome == OfferOutcome.NoConsent).All(d => d.Offer.Purpose.RequiresConsent);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Outbound_interactions_are_accepted_for_marketing_exactly_when_consent_is_in_force()
    {
        var property = Prop.ForAll(Histories(), ConsentArbitraries.EvaluationInstant().ToArbitrary(), (history, at) =>
        {
            var customer = WithHistory(history);
            return (from purpose in ConsentArbitraries.Purposes
                    from channel in ConsentArbitraries.Channels
                    let use = PurposeOfUse.Consented(purpose, channel)
                    select Accepted(customer, use, at) == customer.MayContact(purpose, channel, at))
                .All(ok => ok)
                && Accepted(customer, PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Sms, LawfulBasis.VitalInterests, "safety warning", "ops"), at);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);

        static bool Accepted(Customer customer, PurposeOfUse use, Instant at)
        {
            try
            {
                var interaction = Interaction.RecordOutbound(new InteractionId("i"), customer, Channel.Email, InteractionType.SalesContact, at, use);
                return interaction.Purpose == use && interaction.Direction == InteractionDirection.Outbound;
            }
            catch (ConsentRequiredException e) when (e.CustomerId == customer.Id && e.Purpose == use.Purpose && e.Channel == use.Channel && e.At == at)
            {
                return false;
            }
        }
    }
}
