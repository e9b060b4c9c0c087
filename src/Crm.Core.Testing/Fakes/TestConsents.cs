using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Testing.Fakes;

/// <summary>
/// Consent for tests whose subject is not consent: segments are marketing by email unless stated otherwise, so a test
/// about rules or storage gives its customers that consent, as a real customer would have given it.
/// </summary>
public static class TestConsents
{
    /// <summary>When the consent of <see cref="EmailMarketing"/> was given: 2000-01-01, before anything tests evaluate.</summary>
    public static readonly Instant Since = Instant.FromUtc(2000, 1, 1, 0, 0);

    /// <summary>A consent period for marketing by email, in force since <see cref="Since"/> and never withdrawn.</summary>
    public static ProfileConsent EmailMarketing() => new() { Purpose = "marketing", Channel = "email", From = Since };

    /// <summary>Adds <see cref="EmailMarketing"/> to the profile's consent periods.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The same profile, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    public static CustomerProfile WithEmailMarketingConsent(this CustomerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        profile.ConsentPeriods.Add(EmailMarketing());
        return profile;
    }
}
