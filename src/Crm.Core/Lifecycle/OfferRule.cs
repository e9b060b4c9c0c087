using System.Collections.ObjectModel;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>
/// A next-best-offer rule: which product to offer, to whom (<see cref="Conditions"/>, all must match), how
/// important it is (<see cref="Priority"/>), when (<see cref="ValidFrom"/>..<see cref="ValidUntil"/>), to whom
/// not (already holds it; declined within <see cref="DeclineCooldownDays"/> days), over which channel and for which
/// <see cref="Purpose"/>: marketing (the default) is offered only to customers whose consent for it on the channel is
/// in force at the evaluation instant; an explicit non-marketing purpose carries its lawful basis, justification and actor.
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
    /// <param name="channel">The channel it is sent through: the channel of <paramref name="purpose"/> when one is given, otherwise email.</param>
    /// <param name="purpose">
    /// What the offer is for: null for marketing on <paramref name="channel"/> (consent required); a consent-based purpose
    /// (<see cref="PurposeOfUse.Consented"/>), or an explicit non-marketing one (<see cref="PurposeOfUse.NonMarketing"/>,
    /// e.g. a card replacement notice under the contract) that is offered without consent.
    /// </param>
    /// <param name="excludeIfHeld">Do not offer a product the customer already holds (default true).</param>
    /// <param name="declineCooldownDays">Do not offer again within this many days of a decline of the same rule or product (default 90; 0 turns it off).</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="conditions"/> is null, or a condition is null.</exception>
    /// <exception cref="ArgumentException">
    /// A blank id, a default product or channel, no conditions, a validity that ends before it starts, or a channel that differs from the purpose's.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="declineCooldownDays"/> is negative or above 36,500.</exception>
    public OfferRule(string id, ProductId product, IEnumerable<OfferCondition> conditions, int priority = 0, LocalDate? validFrom = null,
        LocalDate? validUntil = null, ContactChannel? channel = null, PurposeOfUse? purpose = null,
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
        Preconditions.CheckArgument(purpose is null || channel is null || channel == purpose.Channel, nameof(channel),
            "The channel differs from the purpose's channel; leave the channel out (the purpose's is used) or make them agree.");
        Conditions = new ReadOnlyCollection<OfferCondition>(array);
        Priority = priority;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        Purpose = purpose ?? PurposeOfUse.Marketing(channel ?? ContactChannel.Email);
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

    /// <summary>The channel the offer goes out on (the purpose's channel); consent is checked for it.</summary>
    public ContactChannel Channel => Purpose.Channel;

    /// <summary>What the offer is for: marketing by default; a non-marketing purpose carries the record of who decided it and why.</summary>
    public PurposeOfUse Purpose { get; }

    /// <summary>Whether customers already holding <see cref="Product"/> are excluded.</summary>
    public bool ExcludeIfHeld { get; }

    /// <summary>Days after a decline during which the offer is not made again (0: no cool-down).</summary>
    public int DeclineCooldownDays { get; }

    /// <summary>Whether the offer may be made on <paramref name="day"/>.</summary>
    public bool IsValidOn(LocalDate day) => (ValidFrom is null || day >= ValidFrom) && (ValidUntil is null || day <= ValidUntil);

    /// <summary>The id and product.</summary>
    public override string ToString() => $"{Id} ({Product})";
}
