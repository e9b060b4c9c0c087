using NodaTime;

namespace Crm.Core.Customers;

// Consent is an append-only history per (purpose, channel); the state at any instant is derived from it, so the
// question "were we allowed to send that email last March?" has the same answer today as it had then.
public sealed partial class Customer
{
    private const int MaxConsentSourceLength = 200;

    private readonly List<ConsentRecord> _consents;

    /// <summary>Every consent granted or withdrawn, in the order it was recorded (not necessarily the order it happened).</summary>
    public IReadOnlyList<ConsentRecord> ConsentHistory => _consents.AsReadOnly();

    /// <summary>Records that the customer granted consent for <paramref name="purpose"/> on <paramref name="channel"/>.</summary>
    /// <param name="purpose">What for.</param>
    /// <param name="channel">Through which channel.</param>
    /// <param name="at">When the customer granted it; may be earlier than entries already recorded (back-filled history).</param>
    /// <param name="source">Where it was captured, e.g. <c>web-signup</c>: 1-200 characters.</param>
    /// <returns>The history entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="channel"/> is the uninitialised default, or <paramref name="source"/> is blank or too long.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public ConsentRecord GrantConsent(ConsentPurpose purpose, ContactChannel channel, Instant at, string source) =>
        RecordConsent(purpose, channel, ConsentStatus.Granted, at, source);

    /// <summary>Records that the customer withdrew (or refused) consent for <paramref name="purpose"/> on <paramref name="channel"/>.</summary>
    /// <inheritdoc cref="GrantConsent"/>
    public ConsentRecord WithdrawConsent(ConsentPurpose purpose, ContactChannel channel, Instant at, string source) =>
        RecordConsent(purpose, channel, ConsentStatus.Withdrawn, at, source);

    /// <summary>
    /// Whether the business may contact the customer for <paramref name="purpose"/> on <paramref name="channel"/> at
    /// <paramref name="at"/>, according to the consent history.
    /// </summary>
    /// <remarks>
    /// The latest entry at or before <paramref name="at"/> decides (an entry takes effect at its own instant). Without
    /// any entry the answer is no: consent is opt-in. When a grant and a withdrawal carry the same instant, the
    /// withdrawal wins, whatever order they were recorded in: the answer never depends on the order in which channels
    /// delivered their records, and when the order is unknowable, not contacting is the safe side. This checks consent
    /// only; also check that a usable contact point exists (see <see cref="ContactPoint.IsUsable"/>).
    /// </remarks>
    /// <param name="purpose">What for.</param>
    /// <param name="channel">Through which channel.</param>
    /// <param name="at">The instant asked about (past, present or future given what is recorded).</param>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="channel"/> is the uninitialised default.</exception>
    public bool MayContact(ConsentPurpose purpose, ContactChannel channel, Instant at) =>
        ConsentStatusAt(purpose, channel, at) == ConsentStatus.Granted;

    /// <summary>The consent state at <paramref name="at"/>, or null when nothing was recorded up to then.</summary>
    /// <remarks>Same rules as <see cref="MayContact"/>.</remarks>
    /// <inheritdoc cref="MayContact"/>
    public ConsentStatus? ConsentStatusAt(ConsentPurpose purpose, ContactChannel channel, Instant at) =>
        DecidingRecord(purpose, channel, at)?.Status;

    /// <summary>For every purpose and channel with history, the entry that decides the state at <paramref name="at"/>.</summary>
    /// <param name="at">The instant asked about.</param>
    /// <returns>One entry per (purpose, channel) pair that has an entry at or before <paramref name="at"/>, ordered by purpose then channel.</returns>
    public IReadOnlyList<ConsentRecord> ConsentsAt(Instant at) =>
        _consents
            .Select(r => (r.Purpose, r.Channel))
            .Distinct()
            .Select(pair => DecidingRecord(pair.Purpose, pair.Channel, at))
            .OfType<ConsentRecord>()
            .OrderBy(r => r.Purpose.Code, StringComparer.Ordinal)
            .ThenBy(r => r.Channel.Code, StringComparer.Ordinal)
            .ToList();

    private ConsentRecord RecordConsent(ConsentPurpose purpose, ContactChannel channel, ConsentStatus status, Instant at, string source)
    {
        CheckConsentKey(purpose, channel);
        var cleanedSource = Text.Clean(source, nameof(source), MaxConsentSourceLength);
        var record = new ConsentRecord(purpose, channel, status, at, cleanedSource);
        _consents.Add(record);
        Raise(new ConsentChanged(Id, purpose, channel, status, cleanedSource, at));
        Touch(at);
        return record;
    }

    private ConsentRecord? DecidingRecord(ConsentPurpose purpose, ContactChannel channel, Instant at)
    {
        CheckConsentKey(purpose, channel);
        ConsentRecord? deciding = null;
        foreach (var record in _consents)
        {
            if (record.Purpose != purpose || record.Channel != channel || record.At > at)
            {
                continue;
            }
            if (deciding is null || record.At > deciding.At || (record.At == deciding.At && record.Status == ConsentStatus.Withdrawn))
            {
                deciding = record;
            }
        }
        return deciding;
    }

    private static void CheckConsentKey(ConsentPurpose purpose, ContactChannel channel)
    {
        Preconditions.CheckArgument(!purpose.IsDefault, nameof(purpose), "A consent purpose is required, e.g. ConsentPurpose.Marketing.");
        Preconditions.CheckArgument(!channel.IsDefault, nameof(channel), "A contact channel is required, e.g. ContactChannel.Email.");
    }
}
