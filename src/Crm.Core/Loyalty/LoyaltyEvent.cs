using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// A host event that event rules award points for (registration, birthday, referral, custom). First purchases are
/// recognised by the account itself when a purchase is accrued.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record LoyaltyEvent
{
    /// <summary>Creates an event.</summary>
    /// <param name="type">The event type (not <see cref="LoyaltyEventType.FirstPurchase"/>, which comes with the purchase).</param>
    /// <param name="key">The idempotency key, unique per member and event, e.g. <c>birthday:2026</c> or <c>referral:C-42</c>.</param>
    /// <param name="occurredAt">When it happened; rule validity and expiry count from here.</param>
    /// <param name="channel">Where it happened.</param>
    /// <param name="customName">For <see cref="LoyaltyEventType.Custom"/>: the event name; otherwise null.</param>
    /// <param name="referralRole">For <see cref="LoyaltyEventType.Referral"/>: whether this member referred or was referred.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public LoyaltyEvent(LoyaltyEventType type, string key, Instant occurredAt, Channel channel = Channel.Unknown, string? customName = null,
        ReferralBeneficiary referralRole = ReferralBeneficiary.Referred)
    {
        Type = Preconditions.CheckDefined(type);
        Preconditions.CheckArgument(type != LoyaltyEventType.FirstPurchase, nameof(type), "First-purchase points come with the purchase: accrue the purchase instead.");
        Key = Identifier.Validate(key, nameof(key), "idempotency key");
        OccurredAt = occurredAt;
        Channel = Preconditions.CheckDefined(channel);
        Preconditions.CheckArgument((type == LoyaltyEventType.Custom) == (customName is not null), nameof(customName), "A custom event needs a name; other events must not have one.");
        CustomName = customName;
        Preconditions.CheckArgument(referralRole != ReferralBeneficiary.Both, nameof(referralRole), "A member is either the referrer or the referred.");
        ReferralRole = Preconditions.CheckDefined(referralRole);
    }

    /// <summary>The event type.</summary>
    public LoyaltyEventType Type { get; }

    /// <summary>The idempotency key.</summary>
    public string Key { get; }

    /// <summary>When it happened.</summary>
    public Instant OccurredAt { get; }

    /// <summary>Where it happened.</summary>
    public Channel Channel { get; }

    /// <summary>The custom event name.</summary>
    public string? CustomName { get; }

    /// <summary>For referrals: this member's role.</summary>
    public ReferralBeneficiary ReferralRole { get; }
}

/// <summary>Facts about the member that rule conditions need and the account does not hold.</summary>
/// <param name="Segments">The ids of the segments the member is in (evaluated by the host, e.g. with the segmentation criteria); null for none.</param>
/// <param name="Customer">The member's segmentation profile, for rules with a <see cref="RuleConditions.Customer"/> condition; null when not loaded (such rules then do not apply).</param>
public sealed record EarningContext(IReadOnlySet<string>? Segments = null, Segmentation.CustomerProfile? Customer = null)
{
    /// <summary>No segments.</summary>
    public static EarningContext Empty { get; } = new();
}

/// <summary>The outcome of an idempotent ledger operation.</summary>
/// <typeparam name="TEntry">The entry type.</typeparam>
/// <param name="Entry">The entry the operation recorded — or, when the key was seen before, the entry recorded then.</param>
/// <param name="AlreadyApplied">Whether the key had been seen before (nothing changed this time).</param>
public readonly record struct LedgerResult<TEntry>(TEntry Entry, bool AlreadyApplied)
    where TEntry : LedgerEntry;

/// <summary>A tier set by hand, until an instant.</summary>
/// <param name="Tier">The tier code.</param>
/// <param name="Until">When the override ends (exclusive).</param>
/// <param name="Reason">Why (a short reason code, no personal data).</param>
/// <param name="Actor">Who set it (a staff or system id).</param>
public sealed record TierOverride(string Tier, Instant Until, string Reason, string Actor)
{
    /// <summary>The tier, end and actor, e.g. <c>gold until 2026-01-01T00:00:00Z by staff-7</c>; never the reason (free text).</summary>
    public override string ToString() => $"{Tier} until {Until} by {Actor}";
}
