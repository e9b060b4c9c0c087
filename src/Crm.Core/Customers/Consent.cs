using NodaTime;

namespace Crm.Core.Customers;

/// <summary>Whether a consent was given or taken back.</summary>
public enum ConsentStatus
{
    /// <summary>The customer agreed.</summary>
    Granted = 1,

    /// <summary>The customer withdrew (or refused) their agreement.</summary>
    Withdrawn = 2,
}

/// <summary>
/// One entry of a customer's consent history: for one purpose and one channel, the customer granted or withdrew
/// consent at an instant, as recorded by a source (web form, call centre, branch, import).
/// </summary>
/// <remarks>Entries are never changed or deleted; the current state is derived from the history (see <see cref="Customer.MayContact"/>).</remarks>
public sealed record ConsentRecord
{
    internal ConsentRecord(ConsentPurpose purpose, ContactChannel channel, ConsentStatus status, Instant at, string source)
    {
        Purpose = purpose;
        Channel = channel;
        Status = status;
        At = at;
        Source = source;
    }

    /// <summary>What the consent is for.</summary>
    public ConsentPurpose Purpose { get; }

    /// <summary>Which channel it covers.</summary>
    public ContactChannel Channel { get; }

    /// <summary>Granted or withdrawn.</summary>
    public ConsentStatus Status { get; }

    /// <summary>When the customer gave or withdrew it (not when it was recorded).</summary>
    public Instant At { get; }

    /// <summary>Where it was captured, e.g. <c>web-signup</c> or <c>call-centre</c>: evidence for audits.</summary>
    public string Source { get; }

    /// <summary>The status, purpose, channel and instant, e.g. <c>Granted marketing on email at …</c>; never the source (free text).</summary>
    public override string ToString() => $"{Status} {Purpose} on {Channel} at {At}";
}
