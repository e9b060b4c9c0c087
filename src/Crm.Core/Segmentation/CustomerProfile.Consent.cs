using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Segmentation;

// Consent periods let the read model answer "is consent in force at this instant?" for any instant, not only at the
// instant the profile was projected: a refresh tomorrow must drop a customer whose withdrawal takes effect tonight,
// and a database must be able to answer it in SQL (see ConsentCriteria).
public partial class CustomerProfile
{
    /// <summary>
    /// Every period during which a consent was in force, derived from the customer's whole consent history by
    /// <see cref="CustomerProfileProjection.Project"/> (not only the consents at the projection instant): what
    /// marketing segments and audiences check at their evaluation instant (<see cref="ConsentCriteria"/>).
    /// </summary>
    public List<ProfileConsent> ConsentPeriods { get; set; } = [];

    /// <summary>
    /// Whether a period of <see cref="ConsentPeriods"/> puts consent for <paramref name="purpose"/> on
    /// <paramref name="channel"/> in force at <paramref name="at"/>: the in-memory form of
    /// <see cref="ConsentCriteria.InForce"/>, and the same answer as <see cref="Customer.MayContact"/> on the customer
    /// the profile was projected from (property-tested).
    /// </summary>
    /// <param name="purpose">The consent purpose.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="at">The instant asked about.</param>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="channel"/> is the uninitialised default.</exception>
    public bool HasConsentInForce(ConsentPurpose purpose, ContactChannel channel, Instant at)
    {
        Preconditions.CheckArgument(!purpose.IsDefault, nameof(purpose), "A consent purpose is required, e.g. ConsentPurpose.Marketing.");
        Preconditions.CheckArgument(!channel.IsDefault, nameof(channel), "A contact channel is required, e.g. ContactChannel.Email.");
        foreach (var period in ConsentPeriods ?? [])
        {
            if (period.Covers(purpose.Code, channel.Code, at))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// A period during which one consent (purpose and channel) of a customer was in force: from <see cref="From"/>
/// (inclusive) until <see cref="Until"/> (exclusive; null while it still is). Rows of the profile's consent table.
/// </summary>
public sealed class ProfileConsent
{
    /// <summary>The consent purpose code, e.g. <c>marketing</c> (<see cref="ConsentPurpose.Code"/>).</summary>
    public string Purpose { get; set; } = string.Empty;

    /// <summary>The channel code, e.g. <c>email</c> (<see cref="ContactChannel.Code"/>).</summary>
    public string Channel { get; set; } = string.Empty;

    /// <summary>When the consent took effect (inclusive).</summary>
    public Instant From { get; set; }

    /// <summary>When it stopped being in force (exclusive), or null when no later withdrawal is recorded.</summary>
    public Instant? Until { get; set; }

    internal bool Covers(string purpose, string channel, Instant at) =>
        string.Equals(Purpose, purpose, StringComparison.Ordinal) && string.Equals(Channel, channel, StringComparison.Ordinal)
        && From <= at && (Until is null || at < Until.Value);
}
