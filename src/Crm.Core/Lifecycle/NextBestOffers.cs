using System.Collections.ObjectModel;
using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>How a customer answered an offer.</summary>
public enum OfferResponseKind
{
    /// <summary>Said no; the offer cools down for the rule's decline period.</summary>
    Declined = 0,

    /// <summary>Said yes.</summary>
    Accepted = 1,
}

/// <summary>A customer's answer to an offer made earlier.</summary>
/// <param name="OfferId">The <see cref="OfferRule.Id"/> of the offer.</param>
/// <param name="Product">The product that was offered.</param>
/// <param name="Kind">Declined or accepted.</param>
/// <param name="At">When they answered.</param>
public sealed record OfferResponse(string OfferId, ProductId Product, OfferResponseKind Kind, Instant At);

/// <summary>
/// What the offer engine knows about one customer: their record (life events, holdings, consent), optionally their
/// segmentation profile (for <see cref="OfferCondition.Profile"/> conditions) and lifecycle (for stage and engagement
/// conditions), and their earlier answers to offers.
/// </summary>
/// <remarks>Holds references to the objects given; do not change them while offers are computed.</remarks>
public sealed class OfferContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="customer">The customer.</param>
    /// <param name="profile">Their profile; required when a rule has profile conditions.</param>
    /// <param name="lifecycle">Their lifecycle; required when a rule has stage or engagement conditions.</param>
    /// <param name="responses">Their earlier answers to offers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/> is null or <paramref name="responses"/> contains null.</exception>
    /// <exception cref="ArgumentException">The profile or lifecycle belongs to another customer.</exception>
    public OfferContext(Customer customer, CustomerProfile? profile = null, CustomerLifecycle? lifecycle = null, IEnumerable<OfferResponse>? responses = null)
    {
        Customer = Preconditions.CheckNotNull(customer);
        Preconditions.CheckArgument(profile is null || profile.CustomerId == customer.Id, nameof(profile), "The profile belongs to another customer.");
        Preconditions.CheckArgument(lifecycle is null || lifecycle.CustomerId == customer.Id, nameof(lifecycle), "The lifecycle belongs to another customer.");
        var list = (responses ?? []).ToList();
        Preconditions.CheckArgument(list.TrueForAll(r => r is not null), nameof(responses), "Responses must not contain null.");
        Profile = profile;
        Lifecycle = lifecycle;
        Responses = list.AsReadOnly();
    }

    /// <summary>The customer.</summary>
    public Customer Customer { get; }

    /// <summary>The segmentation profile, if given.</summary>
    public CustomerProfile? Profile { get; }

    /// <summary>The lifecycle, if given.</summary>
    public CustomerLifecycle? Lifecycle { get; }

    /// <summary>Earlier answers to offers.</summary>
    public IReadOnlyList<OfferResponse> Responses { get; }

    internal CustomerLifecycle RequireLifecycle() => Lifecycle ?? throw new ArgumentException(
        "An offer has a lifecycle stage or engagement condition: pass the customer's CustomerLifecycle in the OfferContext.", "context");
}

/// <summary>One recommended offer, with its rank (1 = best) and the reasons it fits (the matched conditions).</summary>
/// <param name="Offer">The rule.</param>
/// <param name="Rank">1 for the best offer.</param>
/// <param name="Reasons">The reasons of every matched condition, in the rule's order.</param>
public sealed record OfferRecommendation(OfferRule Offer, int Rank, IReadOnlyList<string> Reasons);

/// <summary>Why an offer was or was not made to a customer (see <see cref="NextBestOfferEngine.Explain"/>).</summary>
public enum OfferOutcome
{
    /// <summary>Eligible and recommended (subject to the maximum count).</summary>
    Eligible = 0,

    /// <summary>Outside its validity period.</summary>
    NotValid = 1,

    /// <summary>A condition did not match.</summary>
    ConditionNotMet = 2,

    /// <summary>The customer already holds the product.</summary>
    AlreadyHeld = 3,

    /// <summary>The customer declined it within the cool-down period.</summary>
    RecentlyDeclined = 4,

    /// <summary>The offer's purpose needs consent, and the customer's consent for it on the offer's channel is not in force at the evaluation instant.</summary>
    NoConsent = 5,

    /// <summary>A higher-ranked offer of the same product was chosen.</summary>
    SameProductRankedHigher = 6,
}

/// <summary>The decision on one offer rule for one customer.</summary>
/// <param name="Offer">The rule.</param>
/// <param name="Outcome">Eligible, or why not.</param>
/// <param name="Reasons">The matched conditions' reasons (when eligible), or the first unmet condition's reason.</param>
public sealed record OfferDecision(OfferRule Offer, OfferOutcome Outcome, IReadOnlyList<string> Reasons);

/// <summary>
/// Chooses next-best offers for a customer from a book of <see cref="OfferRule"/>s, by life stage, life events,
/// holdings, segments, lifecycle stage and engagement, respecting validity, exclusions and consent.
/// </summary>
/// <remarks>
/// <para>Order of checks per rule: validity, conditions, already held, declined within the cool-down, consent
/// (<see cref="PurposeOfUse.Permits"/>: <see cref="Customer.MayContact"/> for the rule's purpose and channel at the
/// evaluation instant, skipped only for an explicit non-marketing <see cref="OfferRule.Purpose"/>, which each
/// recommendation carries as its record). Eligible offers rank by priority (higher
/// first), then rule id (ordinal) so that ties are stable; only the best offer per product is kept.</para>
/// <para>Immutable and thread-safe (profile rules are compiled through the thread-safe <see cref="RuleCompiler"/>).</para>
/// </remarks>
public sealed class NextBestOfferEngine
{
    private readonly RuleCompiler _compiler;

    /// <summary>Creates an engine over an offer book.</summary>
    /// <param name="offers">The offer rules; distinct ids.</param>
    /// <param name="zone">The business's zone: the evaluation day is the instant's date in it.</param>
    /// <param name="compiler">Compiles profile conditions; <see cref="RuleCompiler.Default"/> when null (pass one with a segment resolver for segment conditions).</param>
    /// <exception cref="ArgumentNullException"><paramref name="offers"/> or <paramref name="zone"/> is null, or an offer is null.</exception>
    /// <exception cref="ArgumentException">Two offers share an id.</exception>
    /// <exception cref="SegmentDefinitionException">A profile condition is not a valid rule.</exception>
    public NextBestOfferEngine(IEnumerable<OfferRule> offers, DateTimeZone zone, RuleCompiler? compiler = null)
    {
        Preconditions.CheckNotNull(offers);
        Zone = Preconditions.CheckNotNull(zone);
        _compiler = compiler ?? RuleCompiler.Default;
        var array = offers.ToArray();
        Preconditions.CheckArgument(Array.TrueForAll(array, o => o is not null), nameof(offers), "Offers must not contain null.");
        var duplicate = array.GroupBy(o => o.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Preconditions.CheckArgument(duplicate is null, nameof(offers), $"Offer id '{duplicate?.Key}' appears twice; offer ids must be distinct.");
        foreach (var condition in array.SelectMany(o => o.Conditions))
        {
            condition.Validate(_compiler);
        }
        // Ranked once: priority first, then id for a stable order between equal priorities.
        Offers = new ReadOnlyCollection<OfferRule>([.. array.OrderByDescending(o => o.Priority).ThenBy(o => o.Id, StringComparer.Ordinal)]);
    }

    /// <summary>The offer book, in rank order.</summary>
    public IReadOnlyList<OfferRule> Offers { get; }

    /// <summary>The business's zone.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The best offers for the customer, ranked, each with the reasons it fits.</summary>
    /// <param name="context">The customer and what is known about them.</param>
    /// <param name="asOf">The evaluation instant (consent is checked at it; its date decides validity and relative dates).</param>
    /// <param name="max">How many offers at most, 1 to 100.</param>
    /// <returns>Up to <paramref name="max"/> offers, best first; empty when none fits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A rule needs a profile or lifecycle the context does not have.</exception>
    public IReadOnlyList<OfferRecommendation> NextBestOffers(OfferContext context, Instant asOf, int max = 3)
    {
        Preconditions.CheckArgumentRange(nameof(max), max, 1, 100);
        var result = new List<OfferRecommendation>(max);
        foreach (var decision in Explain(context, asOf))
        {
            if (decision.Outcome == OfferOutcome.Eligible)
            {
                result.Add(new OfferRecommendation(decision.Offer, result.Count + 1, decision.Reasons));
                if (result.Count == max)
                {
                    break;
                }
            }
        }
        return result;
    }

    /// <summary>The decision on every offer in the book for the customer, in rank order: eligible, or the first reason why not.</summary>
    /// <param name="context">The customer and what is known about them.</param>
    /// <param name="asOf">The evaluation instant.</param>
    /// <returns>One decision per offer rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">A rule needs a profile or lifecycle the context does not have.</exception>
    public IReadOnlyList<OfferDecision> Explain(OfferContext context, Instant asOf)
    {
        Preconditions.CheckNotNull(context);
        var today = asOf.InZone(Zone).Date;
        var chosenProducts = new HashSet<ProductId>();
        var decisions = new List<OfferDecision>(Offers.Count);
        foreach (var offer in Offers)
        {
            var decision = Decide(offer, context, asOf, today);
            if (decision.Outcome == OfferOutcome.Eligible && !chosenProducts.Add(offer.Product))
            {
                decision = decision with { Outcome = OfferOutcome.SameProductRankedHigher };
            }
            decisions.Add(decision);
        }
        return decisions;
    }

    private OfferDecision Decide(OfferRule offer, OfferContext context, Instant asOf, LocalDate today)
    {
        if (!offer.IsValidOn(today))
        {
            return new OfferDecision(offer, OfferOutcome.NotValid, []);
        }
        var reasons = new List<string>(offer.Conditions.Count);
        foreach (var condition in offer.Conditions)
        {
            if (!condition.IsMet(context, today, _compiler))
            {
                return new OfferDecision(offer, OfferOutcome.ConditionNotMet, [condition.Reason]);
            }
            reasons.Add(condition.Reason);
        }
        var customer = context.Customer;
        if (offer.ExcludeIfHeld && customer.ProductHoldings.Any(h => h.IsOpen && h.ProductId == offer.Product))
        {
            return new OfferDecision(offer, OfferOutcome.AlreadyHeld, []);
        }
        if (offer.DeclineCooldownDays > 0)
        {
            var since = asOf - Duration.FromDays(offer.DeclineCooldownDays);
            if (context.Responses.Any(r => r.Kind == OfferResponseKind.Declined && r.At > since && r.At <= asOf
                && (string.Equals(r.OfferId, offer.Id, StringComparison.Ordinal) || r.Product == offer.Product)))
            {
                return new OfferDecision(offer, OfferOutcome.RecentlyDeclined, []);
            }
        }
        if (!offer.Purpose.Permits(customer, asOf))
        {
            return new OfferDecision(offer, OfferOutcome.NoConsent, []);
        }
        return new OfferDecision(offer, OfferOutcome.Eligible, reasons.AsReadOnly());
    }
}
