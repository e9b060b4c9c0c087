using System.Collections.ObjectModel;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>Whether an offer is marketing (needs marketing consent) or a service message.</summary>
public enum OfferKind
{
    /// <summary>A marketing offer: only for customers who consented to marketing on the offer's channel.</summary>
    Marketing = 0,

    /// <summary>A service message (e.g. "your card expires: here is the replacement"); may override consent explicitly.</summary>
    Service = 1,
}

/// <summary>
/// A next-best-offer rule: which product to offer, to whom (<see cref="Conditions"/>, all must match), how
/// important it is (<see cref="Priority"/>), when (<see cref="ValidFrom"/>..<see cref="ValidUntil"/>), to whom
/// not (already holds it; declined within <see cref="DeclineCooldownDays"/> days) and over which channel.
/// </summary>
/// <remarks>Immutable and thread-safe. Equality is reference equality; <see cref="Id"/> identifies the rule in responses.</remarks>
public sealed class OfferRule
{
    /// <summary>Creates a rule.</summary>
    /// <param name="id">The stable rule id, e.g. <c>mortgage-after-marriage</c>.</param>
    /// <param name="product">The product offered.</param>
    /// <param name="conditions">The conditions, all of which must match; at least one.</param>
    /// <param name="priority">Higher ranks first (default 0).</param>
    /// <param name="validFrom">The first day the offer may be made, or null for no start.</param>
    /// <param name="validUntil">The last day the offer may be made, or null for no end.</param>
    /// <param name="channel">The channel it is sent through (default email).</param>
    /// <param name="kind">Marketing (default) or a service message.</param>
    /// <param name="overrideConsent">Send even without consent: allowed only for <see cref="OfferKind.Service"/> messages.</param>
    /// <param name="excludeIfHeld">Do not offer a product the customer already holds (default true).</param>
    /// <param name="declineCooldownDays">Do not offer again within this many days of a decline of the same rule or product (default 90; 0 turns it off).</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="conditions"/> is null, or a condition is null.</exception>
    /// <exception cref="ArgumentException">
    /// A blank id, a default product or channel, no conditions, a validity that ends before it starts, or a consent override on a marketing offer.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="declineCooldownDays"/> is negative or above 36,500, or <paramref name="kind"/> is undefined.</exception>
    public OfferRule(string id, ProductId product, IEnumerable<OfferCondition> conditions, int priority = 0, LocalDate? validFrom = null,
        LocalDate? validUntil = null, ContactChannel? channel = null, OfferKind kind = OfferKind.Marketing, bool overrideConsent = false,
        bool excludeIfHeld = true, int declineCooldownDays = 90)
    {
        Id = Preconditions.CheckNotBlank(id).Trim();
        Product = Preconditions.CheckNotDefault(product);
        Preconditions.CheckNotNull(conditions);
        var array = conditions.ToArray();
        Preconditions.CheckArgument(array.Length > 0, nameof(conditions), "An offer needs at least one condition saying whom it fits.");
        Preconditions.CheckArgument(Array.TrueForAll(array, c => c is not null), nameof(conditions), "Conditions must not contain null.");
        Preconditions.CheckArgument(validFrom is null || validUntil is null || validFrom <= validUntil, nameof(validUntil), "The offer must not end before it starts.");
        Preconditions.CheckArgument(channel is not { IsDefault: true }, nameof(channel), "Pass a channel such as ContactChannel.Email, or null for email.");
        Kind = Preconditions.CheckDefined(kind);
        Preconditions.CheckArgument(!overrideConsent || kind == OfferKind.Service, nameof(overrideConsent),
            "Only service messages may override consent; marketing offers always respect it.");
        Conditions = new ReadOnlyCollection<OfferCondition>(array);
        Priority = priority;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        Channel = channel ?? ContactChannel.Email;
        OverrideConsent = overrideConsent;
        ExcludeIfHeld = excludeIfHeld;
        DeclineCooldownDays = Preconditions.CheckArgumentRange(nameof(declineCooldownDays), declineCooldownDays, 0, 36_500);
    }

    /// <summary>The stable rule id.</summary>
    public string Id { get; }

    /// <summary>The product offered.</summary>
    public ProductId Product { get; }

    /// <summary>The conditions; all must match. Their reasons explain a recommendation.</summary>
    public IReadOnlyList<OfferCondition> Conditions { get; }

    /// <summary>Higher ranks first.</summary>
    public int Priority { get; }

    /// <summary>The first day the offer may be made, or null.</summary>
    public LocalDate? ValidFrom { get; }

    /// <summary>The last day the offer may be made, or null.</summary>
    public LocalDate? ValidUntil { get; }

    /// <summary>The channel the offer goes out on; consent is checked for it.</summary>
    public ContactChannel Channel { get; }

    /// <summary>Marketing or service.</summary>
    public OfferKind Kind { get; }

    /// <summary>The consent purpose checked: marketing for marketing offers, service for service messages.</summary>
    public ConsentPurpose Purpose => Kind == OfferKind.Marketing ? ConsentPurpose.Marketing : ConsentPurpose.Service;

    /// <summary>Whether a service message is sent without consent (never true for marketing).</summary>
    public bool OverrideConsent { get; }

    /// <summary>Whether customers already holding <see cref="Product"/> are excluded.</summary>
    public bool ExcludeIfHeld { get; }

    /// <summary>Days after a decline during which the offer is not made again (0: no cool-down).</summary>
    public int DeclineCooldownDays { get; }

    /// <summary>Whether the offer may be made on <paramref name="day"/>.</summary>
    public bool IsValidOn(LocalDate day) => (ValidFrom is null || day >= ValidFrom) && (ValidUntil is null || day <= ValidUntil);

    /// <summary>The id and product.</summary>
    public override string ToString() => $"{Id} ({Product})";
}
