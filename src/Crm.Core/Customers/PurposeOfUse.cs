using NodaTime;

namespace Crm.Core.Customers;

/// <summary>
/// The legal ground a use of personal data rests on: the six bases of GDPR Article 6(1). Only
/// <see cref="Consent"/> makes the customer's consent history decide; the others are stated by the business.
/// </summary>
public enum LawfulBasis
{
    /// <summary>Art. 6(1)(a): the customer consented to the purpose (checked against their consent history).</summary>
    Consent = 1,

    /// <summary>Art. 6(1)(b): needed to perform a contract with the customer (delivery notices, statements).</summary>
    Contract = 2,

    /// <summary>Art. 6(1)(c): required by law (regulatory notices, product recalls).</summary>
    LegalObligation = 3,

    /// <summary>Art. 6(1)(d): protects someone's vital interests (a safety warning).</summary>
    VitalInterests = 4,

    /// <summary>Art. 6(1)(e): a task in the public interest.</summary>
    PublicTask = 5,

    /// <summary>Art. 6(1)(f): the business's legitimate interests, balanced against the customer's (fraud alerts).</summary>
    LegitimateInterests = 6,
}

/// <summary>
/// Why customers are selected or contacted, and on which channel: the question every marketing path asks before it
/// returns or accepts a customer. Either <b>consent-based</b> (<see cref="Marketing"/>, <see cref="Consented"/>): the
/// customer's consent for <see cref="Purpose"/> on <see cref="Channel"/> must be in force at the instant of use; or an
/// explicit <b>non-marketing</b> purpose (<see cref="NonMarketing"/>) resting on another lawful basis, with a
/// justification and the actor who decided it, kept with whatever it is used for (segment, offer rule, interaction)
/// as the audit record. There is no other way around consent.
/// </summary>
/// <remarks>
/// <para>Wherever the library takes a purpose of use and the caller says nothing, it uses marketing (consent required).</para>
/// <para>Equality compares every member (ordinal for the texts). Immutable and thread-safe. <see cref="ToString"/>
/// names the purpose, channel and basis, never the justification or the actor (they are free text).</para>
/// </remarks>
public sealed record PurposeOfUse
{
    /// <summary>The longest justification accepted.</summary>
    public const int MaxJustificationLength = 200;

    private PurposeOfUse(ConsentPurpose purpose, ContactChannel channel, LawfulBasis basis, string? justification, string? decidedBy)
    {
        Purpose = purpose;
        Channel = channel;
        Basis = basis;
        Justification = justification;
        DecidedBy = decidedBy;
    }

    /// <summary>What the data is used for; for a consent-based use, the consent purpose that must be granted.</summary>
    public ConsentPurpose Purpose { get; }

    /// <summary>The channel the customers are contacted on; for a consent-based use, the channel the consent must cover.</summary>
    public ContactChannel Channel { get; }

    /// <summary>The lawful basis: <see cref="LawfulBasis.Consent"/> for marketing and other consent-based uses.</summary>
    public LawfulBasis Basis { get; }

    /// <summary>For a non-marketing use: why it is lawful without consent (e.g. "delivery notice for an open order"); null for consent-based uses.</summary>
    public string? Justification { get; }

    /// <summary>For a non-marketing use: who decided it (a user or system id); null for consent-based uses.</summary>
    public string? DecidedBy { get; }

    /// <summary>Whether the customer's consent for <see cref="Purpose"/> on <see cref="Channel"/> decides (true unless a non-marketing basis was stated).</summary>
    public bool RequiresConsent => Basis == LawfulBasis.Consent;

    /// <summary>Whether this is direct marketing: the <see cref="ConsentPurpose.Marketing"/> purpose (always consent-based).</summary>
    public bool IsMarketing => Purpose == ConsentPurpose.Marketing;

    /// <summary>
    /// What segments and offer rules use when the caller states no purpose: direct marketing by email
    /// (<c>Marketing(ContactChannel.Email)</c>), so saying nothing never bypasses consent.
    /// </summary>
    public static PurposeOfUse Default { get; } = Marketing(ContactChannel.Email);

    /// <summary>Direct marketing on <paramref name="channel"/>: only customers whose marketing consent for that channel is in force at the instant of use.</summary>
    /// <param name="channel">The channel, e.g. <see cref="ContactChannel.Email"/>.</param>
    /// <returns>The purpose of use.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is the uninitialised default.</exception>
    public static PurposeOfUse Marketing(ContactChannel channel) => Consented(ConsentPurpose.Marketing, channel);

    /// <summary>
    /// A consent-based use for any purpose (research, profiling, a host-defined newsletter): only customers whose
    /// consent for <paramref name="purpose"/> on <paramref name="channel"/> is in force at the instant of use.
    /// </summary>
    /// <param name="purpose">The consent purpose that must be granted.</param>
    /// <param name="channel">The channel the consent must cover.</param>
    /// <returns>The purpose of use.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="channel"/> is the uninitialised default.</exception>
    public static PurposeOfUse Consented(ConsentPurpose purpose, ContactChannel channel)
    {
        CheckKey(purpose, channel);
        return new PurposeOfUse(purpose, channel, LawfulBasis.Consent, null, null);
    }

    /// <summary>
    /// An explicit non-marketing use (service messages, contractual or legal notices): consent does not decide, the
    /// stated <paramref name="basis"/> does. The justification and the actor are kept with whatever this purpose is
    /// used for, as the record of the decision; they should not contain customers' personal data.
    /// </summary>
    /// <param name="purpose">What the data is used for, e.g. <see cref="ConsentPurpose.Service"/>; never marketing.</param>
    /// <param name="channel">The channel the customers are contacted on.</param>
    /// <param name="basis">The lawful basis; any but <see cref="LawfulBasis.Consent"/>.</param>
    /// <param name="justification">Why the use is lawful without consent, 1-200 characters.</param>
    /// <param name="decidedBy">Who decided it: a user or system id (no surrounding white space or control characters, at most 200 characters).</param>
    /// <returns>The purpose of use.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="justification"/> or <paramref name="decidedBy"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="purpose"/> is marketing or default, <paramref name="channel"/> is default, <paramref name="basis"/> is
    /// <see cref="LawfulBasis.Consent"/>, or a text is blank, too long or contains control characters.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="basis"/> is not a defined value.</exception>
    public static PurposeOfUse NonMarketing(ConsentPurpose purpose, ContactChannel channel, LawfulBasis basis, string justification, string decidedBy)
    {
        CheckKey(purpose, channel);
        Preconditions.CheckArgument(purpose != ConsentPurpose.Marketing, nameof(purpose),
            "Marketing is never a non-marketing purpose: use PurposeOfUse.Marketing(channel), which checks consent.");
        Preconditions.CheckDefined(basis);
        Preconditions.CheckArgument(basis != LawfulBasis.Consent, nameof(basis),
            "A consent-based use is PurposeOfUse.Consented(purpose, channel); a non-marketing use states another basis, e.g. LawfulBasis.Contract.");
        var cleanedJustification = Text.Clean(justification, nameof(justification), MaxJustificationLength);
        var actor = Identifier.Validate(decidedBy, nameof(decidedBy), "actor id");
        return new PurposeOfUse(purpose, channel, basis, cleanedJustification, actor);
    }

    /// <summary>Whether this use is permitted for <paramref name="customer"/> at <paramref name="at"/>: always for a non-marketing use, otherwise when <see cref="Customer.MayContact"/> holds.</summary>
    /// <param name="customer">The customer.</param>
    /// <param name="at">The instant of use (when the segment is evaluated, the offer made, the message sent).</param>
    /// <returns>Whether the customer may be selected or contacted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/> is null.</exception>
    public bool Permits(Customer customer, Instant at) =>
        !RequiresConsent || Preconditions.CheckNotNull(customer).MayContact(Purpose, Channel, at);

    /// <summary>Throws unless this use is permitted for <paramref name="customer"/> at <paramref name="at"/> (see <see cref="Permits"/>).</summary>
    /// <param name="customer">The customer.</param>
    /// <param name="at">The instant of use.</param>
    /// <exception cref="ArgumentNullException"><paramref name="customer"/> is null.</exception>
    /// <exception cref="ConsentRequiredException">The use needs consent and the customer's consent for it is not in force at <paramref name="at"/>.</exception>
    public void EnsurePermits(Customer customer, Instant at)
    {
        if (!Permits(customer, at))
        {
            throw new ConsentRequiredException(customer.Id, Purpose, Channel, at);
        }
    }

    /// <summary>Purpose, channel and basis, e.g. <c>marketing on email (consent)</c>; never the justification or the actor.</summary>
    public override string ToString() => $"{Purpose} on {Channel} ({Basis})";

    private static void CheckKey(ConsentPurpose purpose, ContactChannel channel)
    {
        Preconditions.CheckArgument(!purpose.IsDefault, nameof(purpose), "A purpose is required, e.g. ConsentPurpose.Marketing.");
        Preconditions.CheckArgument(!channel.IsDefault, nameof(channel), "A contact channel is required, e.g. ContactChannel.Email.");
    }
}
