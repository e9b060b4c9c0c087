using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// Consent conditions over <see cref="CustomerProfile.ConsentPeriods"/> as criteria, so that every profile store
/// applies them where the rule runs: the in-memory store in its columnar scan, a database in SQL (an <c>EXISTS</c>
/// over the profile's consent rows). Marketing segments and audiences AND them onto their rule.
/// </summary>
/// <remarks>The instant and codes are captured as variables, so a database adapter sends them as parameters (one cached query plan). Thread-safe.</remarks>
public static class ConsentCriteria
{
    /// <summary>The profile has a consent period for <paramref name="purpose"/> on <paramref name="channel"/> covering <paramref name="at"/>.</summary>
    /// <param name="purpose">The consent purpose.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="at">The evaluation instant.</param>
    /// <returns>The criterion; same answer as <see cref="CustomerProfile.HasConsentInForce"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="channel"/> is the uninitialised default.</exception>
    public static Criterion<CustomerProfile> InForce(ConsentPurpose purpose, ContactChannel channel, Instant at)
    {
        Preconditions.CheckArgument(!purpose.IsDefault, nameof(purpose), "A consent purpose is required, e.g. ConsentPurpose.Marketing.");
        Preconditions.CheckArgument(!channel.IsDefault, nameof(channel), "A contact channel is required, e.g. ContactChannel.Email.");
        var purposeCode = purpose.Code;
        var channelCode = channel.Code;
        return Criterion<CustomerProfile>.Where(p => p.ConsentPeriods.Any(c =>
            c.Purpose == purposeCode && c.Channel == channelCode && c.From <= at && (c.Until == null || c.Until > at)));
    }

    /// <summary>
    /// Who <paramref name="purpose"/> may select at <paramref name="at"/>: <see cref="InForce"/> for a consent-based
    /// purpose, <see cref="Criterion{T}.True"/> for an explicit non-marketing one.
    /// </summary>
    /// <param name="purpose">The purpose of use.</param>
    /// <param name="at">The evaluation instant.</param>
    /// <returns>The criterion.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    public static Criterion<CustomerProfile> PermittedFor(PurposeOfUse purpose, Instant at)
    {
        Preconditions.CheckNotNull(purpose);
        return purpose.RequiresConsent ? InForce(purpose.Purpose, purpose.Channel, at) : Criterion<CustomerProfile>.True;
    }

    /// <summary>Whether <paramref name="purpose"/> may select the customer of <paramref name="profile"/> at <paramref name="at"/> (no profile: only a non-marketing purpose).</summary>
    internal static bool Permits(PurposeOfUse purpose, CustomerProfile? profile, Instant at) =>
        !purpose.RequiresConsent || (profile is not null && profile.HasConsentInForce(purpose.Purpose, purpose.Channel, at));
}
