using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using NodaTime;

namespace Crm.Core.Purchases;

/// <summary>What <see cref="PurchaseRecorder"/> does besides storing a purchase: which programme earns, which lifecycle rules apply.</summary>
/// <remarks>Immutable once built; create one per host configuration and reuse it for every purchase.</remarks>
/// <example>
/// <code>
/// var options = new PurchaseRecordingOptions(DateTimeZoneProviders.Tzdb["Europe/Berlin"])
/// {
///     Programme = programme,                          // points earned or taken back
///     LifecycleRules = TransitionRuleSet.DefaultB2C,  // first purchase → first-time customer, …
/// };
/// var recorded = await recorder.RecordAsync(purchase, options);
/// </code>
/// </example>
public sealed class PurchaseRecordingOptions
{
    private readonly string _actor = "purchase";
    private readonly IReadOnlyCollection<InteractionType> _serviceTypes = LifecycleFacts.DefaultServiceInteractionTypes;

    /// <summary>Creates options that store purchases in the business's zone (the zone decides a purchase's day for the lifecycle).</summary>
    /// <param name="zone">The business's time zone.</param>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public PurchaseRecordingOptions(DateTimeZone zone) => Zone = Preconditions.CheckNotNull(zone);

    /// <summary>Store the purchase only: no loyalty programme, no lifecycle rules (the business's zone is UTC).</summary>
    public static PurchaseRecordingOptions StoreOnly { get; } = new(DateTimeZone.Utc);

    /// <summary>The business's time zone: a purchase's day in it is the day the lifecycle records.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The loyalty programme whose rules award the purchase's points (and take them back on a refund); null for none.</summary>
    public LoyaltyProgramme? Programme { get; init; }

    /// <summary>Segments and profile for the programme's rule conditions; null for none.</summary>
    public EarningContext? EarningContext { get; init; }

    /// <summary>
    /// The transition rules applied to the customer's lifecycle after each purchase and refund (a lifecycle of the
    /// rules' model is started on the customer's first purchase if there is none); null to leave lifecycles alone.
    /// A customer whose lifecycle follows another ladder (a B2B customer under B2C rules) is left alone too: give each
    /// kind of customer the rules of its own ladder.
    /// </summary>
    public TransitionRuleSet? LifecycleRules { get; init; }

    /// <summary>The interaction types the service-interactions fact counts; <see cref="LifecycleFacts.DefaultServiceInteractionTypes"/> by default.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public IReadOnlyCollection<InteractionType> ServiceInteractionTypes
    {
        get => _serviceTypes;
        init => _serviceTypes = Preconditions.CheckNotNull(value).ToArray();
    }

    /// <summary>Who starts a lifecycle on a first purchase, as its history records it (a system name, not personal data); <c>purchase</c> by default.</summary>
    /// <exception cref="ArgumentException">The value is null or blank.</exception>
    public string Actor
    {
        get => _actor;
        init
        {
            Preconditions.CheckArgument(!string.IsNullOrWhiteSpace(value), nameof(Actor), "The actor must name a user or system, e.g. \"checkout\".");
            _actor = value;
        }
    }
}

/// <summary>What <see cref="PurchaseRecorder.RecordAsync"/> did.</summary>
/// <param name="Purchase">The purchase as stored (under the survivor when it was recorded for a merged customer).</param>
/// <param name="AlreadyRecorded">True when the transaction was stored before: only steps an earlier recording left out were completed (usually none).</param>
/// <param name="LoyaltyEntry">The earn entry (or, for a refund, the reverse entry) in the programme's ledger; null when no programme was given or nothing was booked.</param>
/// <param name="LifecycleChanges">The lifecycle rules that fired now, in order; empty when none did (a repeat fires only rules whose facts changed since).</param>
public sealed record PurchaseRecording(Purchase Purchase, bool AlreadyRecorded, LedgerEntry? LoyaltyEntry, IReadOnlyList<RuleFiring> LifecycleChanges);
