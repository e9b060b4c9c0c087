using System.Collections.ObjectModel;

namespace Crm.Core.Lifecycle;

/// <summary>A countable fact about a customer that automatic transition rules test.</summary>
public enum LifecycleFact
{
    /// <summary>Purchases made (refunds excluded).</summary>
    Purchases = 0,

    /// <summary>Products currently held (accounts, contracts, subscriptions).</summary>
    ProductsHeld = 1,

    /// <summary>Distinct product categories currently held.</summary>
    ProductCategoriesHeld = 2,

    /// <summary>Service interactions (support contacts, complaints, service requests).</summary>
    ServiceInteractions = 3,
}

/// <summary>The facts about one customer that rules are applied to; build it from the customer's record and purchases.</summary>
/// <param name="Purchases">Purchases made (refunds excluded).</param>
/// <param name="ProductsHeld">Products currently held.</param>
/// <param name="ProductCategoriesHeld">Distinct product categories currently held.</param>
/// <param name="ServiceInteractions">Service interactions so far.</param>
public readonly record struct LifecycleFacts(int Purchases, int ProductsHeld = 0, int ProductCategoriesHeld = 0, int ServiceInteractions = 0)
{
    /// <summary>The value of one fact.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fact"/> is not a defined <see cref="LifecycleFact"/>.</exception>
    public int Get(LifecycleFact fact) => Preconditions.CheckDefined(fact) switch
    {
        LifecycleFact.Purchases => Purchases,
        LifecycleFact.ProductsHeld => ProductsHeld,
        LifecycleFact.ProductCategoriesHeld => ProductCategoriesHeld,
        _ => ServiceInteractions,
    };

    /// <summary>The interaction types that count as service interactions by default: service and complaint.</summary>
    public static IReadOnlyList<Customers.InteractionType> DefaultServiceInteractionTypes { get; } =
        [Customers.InteractionType.Service, Customers.InteractionType.Complaint];

    /// <summary>
    /// Gathers the facts from the customer's record, purchases and interactions: purchases that are not refunds,
    /// open products, distinct categories of open products, and interactions of a service type.
    /// </summary>
    /// <param name="customer">The customer (holdings).</param>
    /// <param name="purchases">Their purchases; other customers' purchases are ignored.</param>
    /// <param name="interactions">Their interactions; other customers' interactions are ignored.</param>
    /// <param name="serviceTypes">Interaction types that count as service; <see cref="DefaultServiceInteractionTypes"/> when null.</param>
    /// <returns>The facts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/>, <paramref name="purchases"/> or <paramref name="interactions"/> is null.</exception>
    public static LifecycleFacts From(Customers.Customer customer, IEnumerable<Purchases.Purchase> purchases, IEnumerable<Customers.Interaction> interactions,
        IReadOnlyCollection<Customers.InteractionType>? serviceTypes = null)
    {
        Preconditions.CheckNotNull(customer);
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(interactions);
        var types = serviceTypes ?? DefaultServiceInteractionTypes;
        var open = customer.ProductHoldings.Where(h => h.IsOpen).ToList();
        return new LifecycleFacts(
            purchases.Count(p => p is not null && p.CustomerId == customer.Id && !p.IsRefund),
            open.Count,
            open.Select(h => h.Category).Distinct(StringComparer.Ordinal).Count(),
            interactions.Count(i => i is not null && i.CustomerId == customer.Id && types.Contains(i.Type)));
    }

    internal void Validate()
    {
        Preconditions.CheckNotNegative(Purchases, nameof(Purchases));
        Preconditions.CheckNotNegative(ProductsHeld, nameof(ProductsHeld));
        Preconditions.CheckNotNegative(ProductCategoriesHeld, nameof(ProductCategoriesHeld));
        Preconditions.CheckNotNegative(ServiceInteractions, nameof(ServiceInteractions));
    }
}

/// <summary>A condition of a <see cref="TransitionRule"/>: a fact is at least a number.</summary>
/// <remarks>Immutable; equality is by value.</remarks>
public sealed record FactThreshold
{
    /// <summary>Creates the condition "<paramref name="fact"/> ≥ <paramref name="atLeast"/>".</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fact is undefined or <paramref name="atLeast"/> is below 1.</exception>
    public FactThreshold(LifecycleFact fact, int atLeast)
    {
        Fact = Preconditions.CheckDefined(fact);
        AtLeast = Preconditions.CheckPositive(atLeast);
    }

    /// <summary>The fact tested.</summary>
    public LifecycleFact Fact { get; }

    /// <summary>The smallest value that satisfies the condition.</summary>
    public int AtLeast { get; }

    /// <summary>Whether <paramref name="facts"/> satisfy the condition.</summary>
    public bool IsMetBy(LifecycleFacts facts) => facts.Get(Fact) >= AtLeast;

    /// <summary>For example <c>Purchases ≥ 2</c>.</summary>
    public override string ToString() => $"{Fact} ≥ {AtLeast}";
}

/// <summary>
/// An automatic transition, as data: when all its conditions hold, move the customer up to <see cref="AdvanceTo"/>
/// or open the <see cref="OpenTouchpoint"/> touchpoint. The rule's <see cref="Id"/> is recorded with what it did.
/// </summary>
/// <remarks>Immutable; equality is by reference (conditions are a list).</remarks>
public sealed class TransitionRule
{
    private TransitionRule(string id, FactThreshold[] when, string? advanceTo, string? openTouchpoint)
    {
        Id = id;
        When = new ReadOnlyCollection<FactThreshold>(when);
        AdvanceTo = advanceTo;
        OpenTouchpoint = openTouchpoint;
    }

    /// <summary>The stable rule id, recorded in the history (e.g. <c>first-purchase</c>).</summary>
    public string Id { get; }

    /// <summary>The conditions; all must hold.</summary>
    public IReadOnlyList<FactThreshold> When { get; }

    /// <summary>The stage to move up to, or null for a touchpoint rule.</summary>
    public string? AdvanceTo { get; }

    /// <summary>The touchpoint to open, or null for a stage rule.</summary>
    public string? OpenTouchpoint { get; }

    /// <summary>A rule that moves the customer up to <paramref name="stageId"/> when all <paramref name="when"/> hold.</summary>
    /// <param name="id">The stable rule id.</param>
    /// <param name="stageId">The target stage.</param>
    /// <param name="when">At least one condition.</param>
    /// <exception cref="ArgumentNullException">An argument is null or <paramref name="when"/> contains null.</exception>
    /// <exception cref="ArgumentException">A blank id or stage, or no conditions.</exception>
    public static TransitionRule Advance(string id, string stageId, params IEnumerable<FactThreshold> when) =>
        new(Preconditions.CheckNotBlank(id), CheckConditions(when), Preconditions.CheckNotBlank(stageId), null);

    /// <summary>A rule that opens the touchpoint <paramref name="touchpoint"/> when all <paramref name="when"/> hold.</summary>
    /// <param name="id">The stable rule id.</param>
    /// <param name="touchpoint">The touchpoint name, e.g. <see cref="LifecycleTouchpoint.ServiceAndSupport"/>.</param>
    /// <param name="when">At least one condition.</param>
    /// <exception cref="ArgumentNullException">An argument is null or <paramref name="when"/> contains null.</exception>
    /// <exception cref="ArgumentException">A blank id or touchpoint, or no conditions.</exception>
    public static TransitionRule Touchpoint(string id, string touchpoint, params IEnumerable<FactThreshold> when) =>
        new(Preconditions.CheckNotBlank(id), CheckConditions(when), null, Preconditions.CheckNotBlank(touchpoint));

    /// <summary>Whether all conditions hold for <paramref name="facts"/>.</summary>
    public bool IsMetBy(LifecycleFacts facts)
    {
        foreach (var condition in When)
        {
            if (!condition.IsMetBy(facts))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>For example <c>first-purchase: Purchases ≥ 1 → first-time-customer</c>.</summary>
    public override string ToString() => $"{Id}: {string.Join(" and ", When)} → {AdvanceTo ?? OpenTouchpoint}";

    private static FactThreshold[] CheckConditions(IEnumerable<FactThreshold> when)
    {
        Preconditions.CheckNotNull(when);
        var array = when.ToArray();
        Preconditions.CheckArgument(array.Length > 0, nameof(when), "A rule needs at least one condition.");
        Preconditions.CheckArgument(Array.TrueForAll(array, c => c is not null), nameof(when), "Conditions must not contain null.");
        return array;
    }
}

/// <summary>
/// The ordered automatic transition rules of one <see cref="LifecycleModel"/>. Applied in order by
/// <see cref="CustomerLifecycle.ApplyRules"/>: each rule that holds and would move the customer up (or open a
/// touchpoint not yet open) fires; a rule whose target is at or below the current stage does nothing, which is
/// what makes re-applying the same facts idempotent.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class TransitionRuleSet
{
    private TransitionRuleSet(LifecycleModel model, TransitionRule[] rules)
    {
        Model = model;
        Rules = new ReadOnlyCollection<TransitionRule>(rules);
    }

    /// <summary>
    /// The B2C defaults, in order: <c>first-purchase</c> (1 purchase → first-time customer), <c>repeat-purchase</c>
    /// (2 purchases → repeat customer), <c>loyal-by-purchases</c> (10 purchases → loyal), <c>loyal-by-categories</c>
    /// (3 product categories held → loyal), <c>service-interaction</c> (1 service interaction → "service and support" touchpoint).
    /// </summary>
    public static TransitionRuleSet DefaultB2C { get; } = Create(LifecycleModel.B2C,
        TransitionRule.Advance("first-purchase", LifecycleModel.B2CStages.FirstTimeCustomer, new FactThreshold(LifecycleFact.Purchases, 1)),
        TransitionRule.Advance("repeat-purchase", LifecycleModel.B2CStages.RepeatCustomer, new FactThreshold(LifecycleFact.Purchases, 2)),
        TransitionRule.Advance("loyal-by-purchases", LifecycleModel.B2CStages.Loyal, new FactThreshold(LifecycleFact.Purchases, 10)),
        TransitionRule.Advance("loyal-by-categories", LifecycleModel.B2CStages.Loyal, new FactThreshold(LifecycleFact.ProductCategoriesHeld, 3)),
        TransitionRule.Touchpoint("service-interaction", LifecycleTouchpoint.ServiceAndSupport, new FactThreshold(LifecycleFact.ServiceInteractions, 1)));

    /// <summary>
    /// The B2B defaults: <c>first-purchase</c> (1 purchase → customer), <c>evangelist-by-categories</c>
    /// (3 product categories held → evangelist), <c>service-interaction</c> (→ "service and support" touchpoint).
    /// </summary>
    public static TransitionRuleSet DefaultB2B { get; } = Create(LifecycleModel.B2B,
        TransitionRule.Advance("first-purchase", LifecycleModel.B2BStages.Customer, new FactThreshold(LifecycleFact.Purchases, 1)),
        TransitionRule.Advance("evangelist-by-categories", LifecycleModel.B2BStages.Evangelist, new FactThreshold(LifecycleFact.ProductCategoriesHeld, 3)),
        TransitionRule.Touchpoint("service-interaction", LifecycleTouchpoint.ServiceAndSupport, new FactThreshold(LifecycleFact.ServiceInteractions, 1)));

    /// <summary>The model whose stages the rules name.</summary>
    public LifecycleModel Model { get; }

    /// <summary>The rules, in the order they are applied.</summary>
    public IReadOnlyList<TransitionRule> Rules { get; }

    /// <summary>Defines a rule set.</summary>
    /// <param name="model">The model whose stages the rules name.</param>
    /// <param name="rules">The rules in application order; distinct ids.</param>
    /// <exception cref="ArgumentNullException">An argument is null or <paramref name="rules"/> contains null.</exception>
    /// <exception cref="ArgumentException">Two rules share an id.</exception>
    /// <exception cref="UnknownLifecycleStageException">A rule names a stage the model does not have.</exception>
    public static TransitionRuleSet Create(LifecycleModel model, params IEnumerable<TransitionRule> rules)
    {
        Preconditions.CheckNotNull(model);
        Preconditions.CheckNotNull(rules);
        var array = rules.ToArray();
        Preconditions.CheckArgument(Array.TrueForAll(array, r => r is not null), nameof(rules), "Rules must not contain null.");
        var duplicate = array.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Preconditions.CheckArgument(duplicate is null, nameof(rules), $"Rule id '{duplicate?.Key}' appears twice; rule ids must be distinct.");
        foreach (var rule in array)
        {
            if (rule.AdvanceTo is not null)
            {
                model.RankOf(rule.AdvanceTo);
            }
        }
        return new TransitionRuleSet(model, array);
    }
}

/// <summary>What one rule did when <see cref="CustomerLifecycle.ApplyRules"/> fired it.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Transition">The stage change it made, or null for a touchpoint rule.</param>
/// <param name="Touchpoint">The touchpoint it opened, or null for a stage rule.</param>
public sealed record RuleFiring(string RuleId, StageTransition? Transition, LifecycleTouchpoint? Touchpoint);

/// <summary>A touchpoint opened in the customer's lifecycle timeline (e.g. their first service contact).</summary>
/// <param name="Name">The touchpoint, e.g. <see cref="ServiceAndSupport"/>.</param>
/// <param name="OpenedAt">When it opened.</param>
/// <param name="RuleId">The rule that opened it.</param>
public sealed record LifecycleTouchpoint(string Name, NodaTime.Instant OpenedAt, string RuleId)
{
    /// <summary>The "service and support" touchpoint, opened by the first service interaction.</summary>
    public const string ServiceAndSupport = "service-and-support";
}
