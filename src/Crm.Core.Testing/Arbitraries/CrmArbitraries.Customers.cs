using System.Globalization;
using Crm.Core.Customers;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using PhoneNumbers;
using PhoneNumber = Crm.Core.Customers.PhoneNumber;

namespace Crm.Core.Testing;

/// <summary>A phone number as a person typed it, with the region the host would assume for it.</summary>
/// <param name="Text">The number as typed (national, international, with exit code or extension, or garbage).</param>
/// <param name="DefaultRegion">The ISO 3166 region to assume.</param>
public sealed record PhoneInput(string Text, string DefaultRegion);

/// <summary>An email address as a person typed it: mixed case, surrounding spaces.</summary>
/// <param name="Text">The address as typed (always valid once normalised).</param>
public sealed record EmailInput(string Text);

/// <summary>One consent change, for replaying random consent histories.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Granted or withdrawn.</param>
/// <param name="At">When.</param>
/// <param name="Source">Where it was captured.</param>
public sealed record ConsentOperation(ConsentPurpose Purpose, ContactChannel Channel, ConsentStatus Status, Instant At, string Source);

// Customers and their parts. Generated data is realistic and varied (persons and organisations, several countries'
// phone formats, invalid numbers, back-filled consent histories with ties) so that the storage conformance kit
// exercises what production data looks like, not just the happy path.
public static partial class CrmArbitraries
{
    /// <summary>The instant generated customers are registered around: 2024-01-01T00:00Z.</summary>
    public static readonly Instant Epoch = Instant.FromUtc(2024, 1, 1, 0, 0);

    private static readonly string[] GivenNames = ["Ann", "Bob", "Chloé", "Dmitri", "Eve", "Fatima", "Günter", "Hiro", "Ines", "José", "Kwame", "Li", "Mary-Jane", "Noor", "O'Neil", "Zoë"];
    private static readonly string[] FamilyNames = ["Lee", "Smith", "Müller", "García", "Okafor", "Nakamura", "Dubois", "van der Berg", "O'Brien", "Kowalski", "Nguyen", "Ørsted"];
    private static readonly string[] OrganisationWords = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Hooli"];
    private static readonly string[] LegalForms = ["Ltd", "GmbH", "S.A.", "Inc.", "AG", "B.V.", "LLP"];
    private static readonly string[] Domains = ["example.com", "example.org", "mail.example.co.uk", "example.de", "exämple.ch", "corp.example.net"];
    private static readonly string[] PhoneRegions = ["GB", "US", "DE", "FR", "CH", "JP", "AU", "IE", "IN", "BR"];
    private static readonly string[] Countries = ["GB", "US", "DE", "FR", "CH", "JP", "ES", "IT", "NL", "SE"];
    private static readonly string[] Cities = ["London", "Springfield", "Berlin", "Lyon", "Zürich", "Ōsaka", "Sevilla", "Utrecht"];
    private static readonly string[] Streets = ["High Street", "Main St", "Hauptstraße", "Rue de la Paix", "Calle Mayor", "Kerkstraat"];
    private static readonly string[] TagPool = ["VIP", "newsletter", "B2B", "at risk", "student", "premium", "call-back", "Black Friday 2024"];
    private static readonly string[] SourcePool = ["web-signup", "call-centre", "branch", "mobile-app", "import", "email-link"];
    private static readonly string[] Categories = ["current-account", "savings", "credit-card", "mortgage", "insurance", "subscription"];
    private static readonly ConsentPurpose[] Purposes = [Customers.ConsentPurpose.Marketing, Customers.ConsentPurpose.Profiling, Customers.ConsentPurpose.Service, new("product-news")];
    private static readonly ContactChannel[] Channels = [Customers.ContactChannel.Email, Customers.ContactChannel.Sms, Customers.ContactChannel.Phone, Customers.ContactChannel.Post, Customers.ContactChannel.Push];
    private static readonly LifeEventType[] LifeEventTypes = [LifeEventType.Graduation, LifeEventType.Marriage, LifeEventType.HomeMove, LifeEventType.Child, LifeEventType.Retirement, new("pet-adopted")];

    /// <summary>Consent purposes: the well-known ones and a host-defined one.</summary>
    public static Arbitrary<ConsentPurpose> ConsentPurpose() => Gen.Elements(Purposes).ToArbitrary();

    /// <summary>Contact channels: email, SMS, phone, post, push.</summary>
    public static Arbitrary<ContactChannel> ContactChannel() => Gen.Elements(Channels).ToArbitrary();

    /// <summary>Email addresses as typed: mixed case and surrounding white space.</summary>
    public static Arbitrary<EmailInput> EmailInput() =>
        (from local in EmailLocalPart()
         from domain in Gen.Elements(Domains)
         from upper in Gen.Elements(false, true)
         from pad in Gen.Elements("", " ", "  ", "\t")
         select new EmailInput(pad + (upper ? (local + "@" + domain).ToUpperInvariant() : local + "@" + domain) + pad)).ToArbitrary();

    /// <summary>Normalised email addresses.</summary>
    public static Arbitrary<EmailAddress> EmailAddress() =>
        EmailInput().Generator.Select(e => new EmailAddress(e.Text)).ToArbitrary();

    /// <summary>Phone numbers as people type them in ten regions, about one in six not a valid number.</summary>
    public static Arbitrary<PhoneInput> PhoneInput() =>
        Gen.Frequency(
            (5, ValidPhoneInput()),
            (1, from text in Gen.Elements("12", "n/a", "+999 123", "0000", "call reception", "+44 (0)", "555", "1-800-FLOWERS")
                from region in Gen.Elements(PhoneRegions)
                select new PhoneInput(text, region))).ToArbitrary();

    /// <summary>Normalised phone numbers (valid and invalid).</summary>
    public static Arbitrary<PhoneNumber> PhoneNumber() =>
        PhoneInput().Generator.Select(p => Customers.PhoneNumber.Parse(p.Text, p.DefaultRegion)).ToArbitrary();

    /// <summary>Postal addresses in several countries, some with optional parts.</summary>
    public static Arbitrary<PostalAddress> PostalAddress() =>
        (from number in Gen.Choose(1, 250)
         from street in Gen.Elements(Streets)
         from city in Gen.Elements(Cities)
         from country in Gen.Elements(Countries)
         from postal in Gen.Elements(null, "SW1A 1AA", "10115", "75001", "8001", "90210")
         from extra in Gen.Elements(null, "Flat 2", "c/o Reception", "Building B")
         select new PostalAddress($"{number} {street}", city, country, postal, null, extra)).ToArbitrary();

    /// <summary>Names of persons (some with one name only) and organisations.</summary>
    public static Arbitrary<CustomerName> CustomerName() =>
        Gen.Frequency(
            (4, from given in Gen.Elements(GivenNames)
                from family in Gen.Elements(FamilyNames)
                from shape in Gen.Choose(0, 9)
                select shape switch
                {
                    0 => Customers.CustomerName.Person(given, null),
                    1 => Customers.CustomerName.Person(null, family),
                    2 => Customers.CustomerName.Person(given, family, $"{family}, {given}"),
                    _ => Customers.CustomerName.Person(given, family),
                }),
            (1, from word in Gen.Elements(OrganisationWords)
                from form in Gen.Elements(LegalForms)
                from trading in Gen.Elements<string?>(null, word)
                select Customers.CustomerName.Organisation($"{word} {form}", trading))).ToArbitrary();

    /// <summary>Single consent changes over two purposes, two channels and 21 minutes, so that ties and back-filling are common.</summary>
    public static Arbitrary<ConsentOperation> ConsentOperation() =>
        (from purpose in Gen.Elements(Customers.ConsentPurpose.Marketing, Customers.ConsentPurpose.Profiling)
         from channel in Gen.Elements(Customers.ContactChannel.Email, Customers.ContactChannel.Sms)
         from granted in Gen.Elements(true, false)
         from minute in Gen.Choose(0, 20)
         from source in Gen.Elements(SourcePool)
         select new ConsentOperation(purpose, channel, granted ? ConsentStatus.Granted : ConsentStatus.Withdrawn,
             Epoch + Duration.FromMinutes(minute), source)).ToArbitrary();

    /// <summary>
    /// Fully populated customers: persons and organisations with external ids, ownership, tags, custom attributes
    /// (every kind, some personal data), emails, phones (some invalid), addresses, consent histories, life events
    /// and product holdings (some closed). Each generated customer is a new instance with its events cleared.
    /// </summary>
    public static Arbitrary<Customer> Customer() => CustomerGen().ToArbitrary();

    /// <summary>The generator behind <see cref="Customer()"/>, for composing (e.g. lists of customers with distinct ids).</summary>
    public static Gen<Customer> CustomerGen() =>
        from id in CustomerId().Generator
        from name in CustomerName().Generator
        from registeredMinutes in Gen.Choose(0, 60 * 24 * 365)
        from birthYear in Gen.Choose(1930, 2006)
        from birthDay in Gen.Choose(1, 365)
        from hasBirthDate in Gen.Elements(true, true, false)
        from owner in Gen.Elements<string?>(null, "u-17", "u-42", "advisor.jane")
        from team in Gen.Elements<string?>(null, "retail", "private-banking", "smb")
        from billingId in Gen.Elements<string?>(null, "B-00042", "B-90001", "B-12345")
        from tags in Gen.SubListOf(TagPool)
        from attributes in Gen.ListOf(AttributeGen(), 3)
        from emails in Gen.ListOf(EmailAddress().Generator, 2)
        from phones in Gen.ListOf(PhoneInput().Generator, 2)
        from addresses in Gen.ListOf(PostalAddress().Generator, 1)
        from consents in Gen.ListOf(FullConsentGen(), 4)
        from lifeEvents in Gen.ListOf(LifeEventGen(), 2)
        from holdings in Gen.ListOf(HoldingGen(), 3)
        select Build(id, name, Epoch + Duration.FromMinutes(registeredMinutes),
            hasBirthDate ? new LocalDate(birthYear, 1, 1).PlusDays(birthDay - 1) : null,
            owner, team, billingId, tags, attributes, emails, phones, addresses, consents, lifeEvents, holdings);

    /// <summary>
    /// Interactions over every channel and direction within a year of <see cref="Epoch"/>, with and without subject,
    /// outcome and case/order reference; a customer id from a small pool so that timelines have several entries.
    /// </summary>
    public static Arbitrary<Interaction> Interaction() =>
        (from id in IdText()
         from customer in Gen.Elements("00042", "00043", "ORG-7")
         from channel in Gen.Elements(Enum.GetValues<Channel>())
         from inbound in Gen.Elements(true, false)
         from type in Gen.Elements(Customers.InteractionType.Enquiry, Customers.InteractionType.Complaint, Customers.InteractionType.Payment,
             Customers.InteractionType.Order, Customers.InteractionType.SalesContact, new Customers.InteractionType("callback"))
         from minutes in Gen.Choose(0, 60 * 24 * 365)
         from subject in Gen.Elements<string?>(null, "Card payment", "Where is my order?", "Spring offers", "Address change")
         from outcome in Gen.Elements<string?>(null, "resolved", "callback promised", "paid")
         from reference in Gen.Elements<InteractionReference?>(null, InteractionReference.ToCase("C-17"), new InteractionReference("order", "T-9001"))
         from marketing in Gen.Elements(true, false)
         select inbound
             ? Customers.Interaction.Record(new InteractionId(id), new CustomerId(customer), channel, InteractionDirection.Inbound, type,
                 Epoch + Duration.FromMinutes(minutes), subject, outcome, reference)
             : marketing
                 ? Customers.Interaction.RecordOutbound(new InteractionId(id), ConsentingCustomer(customer), channel, type, Epoch + Duration.FromMinutes(minutes),
                     PurposeOfUse.Marketing(Customers.ContactChannel.Email), subject, outcome, reference)
                 : Customers.Interaction.Record(new InteractionId(id), new CustomerId(customer), channel, InteractionDirection.Outbound, type,
                     Epoch + Duration.FromMinutes(minutes), subject, outcome, reference, purpose: TestPurposes.ServiceNotice)).Select(i =>
         {
             i.ClearDomainEvents();
             return i;
         }).ToArbitrary();

    // Outbound marketing needs a customer whose consent is in force: granted at the epoch, before any generated instant.
    private static Customers.Customer ConsentingCustomer(string id)
    {
        var customer = Customers.Customer.Register(new CustomerId(id), Customers.CustomerName.Person("Test", "Customer"), Epoch);
        customer.GrantConsent(Customers.ConsentPurpose.Marketing, Customers.ContactChannel.Email, Epoch, "test-suite");
        return customer;
    }

    private static Customer Build(CustomerId id, CustomerName name, Instant at, LocalDate? birthDate, string? owner, string? team, string? billingId,
        IEnumerable<string> tags, IEnumerable<(string Name, AttributeValue Value, bool Personal)> attributes, IEnumerable<EmailAddress> emails,
        IEnumerable<PhoneInput> phones, IEnumerable<PostalAddress> addresses, IEnumerable<(ConsentPurpose, ContactChannel, bool, int, string)> consents,
        IEnumerable<(LifeEventType, int, string)> lifeEvents, IEnumerable<(string, string, int, int?)> holdings)
    {
        var customer = Customers.Customer.Register(id, name, at);
        var step = Duration.FromMinutes(1);
        if (birthDate is { } date && name.Kind == CustomerKind.Person)
        {
            customer.SetBirthDate(date, at);
        }
        if (owner is not null || team is not null)
        {
            customer.AssignOwnership(owner, team, at);
        }
        if (billingId is not null)
        {
            customer.LinkExternalId("billing", billingId, at);
        }
        foreach (var tag in tags)
        {
            customer.AddTag(tag, at);
        }
        foreach (var (attributeName, value, personal) in attributes)
        {
            customer.SetAttribute(attributeName, value, personal, at);
        }
        foreach (var email in emails.Distinct())
        {
            at += step;
            customer.AddEmail(email, at);
        }
        foreach (var number in phones.Select(p => Customers.PhoneNumber.Parse(p.Text, p.DefaultRegion)).Distinct())
        {
            at += step;
            customer.AddPhone(number, at);
        }
        foreach (var address in addresses)
        {
            customer.AddPostalAddress(address, at);
        }
        foreach (var (purpose, channel, granted, minutes, source) in consents)
        {
            var when = at + Duration.FromMinutes(minutes);
            _ = granted ? customer.GrantConsent(purpose, channel, when, source) : customer.WithdrawConsent(purpose, channel, when, source);
        }
        foreach (var (type, daysAgo, source) in lifeEvents)
        {
            customer.RecordLifeEvent(type, at.InUtc().Date.PlusDays(-daysAgo), source, at);
        }
        foreach (var (product, category, openedDaysAgo, closedAfter) in holdings)
        {
            if (customer.ProductHoldings.Any(h => h.ProductId.Value == product && h.IsOpen))
            {
                continue;
            }
            var opened = at.InUtc().Date.PlusDays(-openedDaysAgo);
            customer.OpenProduct(new ProductId(product), category, opened, at);
            if (closedAfter is { } days)
            {
                customer.CloseProduct(new ProductId(product), opened.PlusDays(days), at);
            }
        }
        customer.ClearDomainEvents();
        return customer;
    }

    private static Gen<string> EmailLocalPart() =>
        from given in Gen.Elements("ann", "bob", "chloe", "dmitri", "eve", "fatima", "hiro", "jose", "zoe")
        from family in Gen.Elements("lee", "smith", "mueller", "garcia", "okafor", "o'brien")
        from separator in Gen.Elements("", ".", "_", "-", "+news.")
        from number in Gen.Elements("", "1", "42", "1987")
        select given + separator + family + number;

    private static Gen<PhoneInput> ValidPhoneInput()
    {
        var util = PhoneNumberUtil.GetInstance();
        return from region in Gen.Elements(PhoneRegions)
               from type in Gen.Elements(PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE)
               from lastDigits in Gen.Choose(0, 99)
               from format in Gen.Choose(0, 4)
               from extension in Gen.Elements(null, null, null, "12", "4501")
               from homeRegion in Gen.Elements(true, true, false)
               let example = util.GetExampleNumberForType(region, type) ?? util.GetExampleNumber(region)
               let number = Vary(example, lastDigits)
               let assumed = homeRegion ? region : "GB"
               select new PhoneInput(Format(util, number, format, region, assumed) + (extension is null ? "" : " ext. " + extension), assumed);
    }

    private static PhoneNumbers.PhoneNumber Vary(PhoneNumbers.PhoneNumber example, int lastDigits)
    {
        // Varying the last two digits keeps the number in the same allocated range, so it usually stays valid.
        var national = example.NationalNumber - (example.NationalNumber % 100) + (ulong)lastDigits;
        return new PhoneNumbers.PhoneNumber.Builder().MergeFrom(example).SetNationalNumber(national).Build();
    }

    private static string Format(PhoneNumberUtil util, PhoneNumbers.PhoneNumber number, int format, string region, string assumedRegion) =>
        format switch
        {
            // National format only makes sense when the host assumes the number's own region.
            0 when region == assumedRegion => util.Format(number, PhoneNumberFormat.NATIONAL),
            1 => util.Format(number, PhoneNumberFormat.E164),
            2 => util.FormatOutOfCountryCallingNumber(number, assumedRegion),
            3 => util.Format(number, PhoneNumberFormat.RFC3966).Replace("tel:", "", StringComparison.Ordinal),
            _ => util.Format(number, PhoneNumberFormat.INTERNATIONAL),
        };

    private static Gen<(string, AttributeValue, bool)> AttributeGen() =>
        from name in Gen.Elements("shoe-size", "Favourite store", "annual-income", "newsletter-opt-in", "member-since", "nickname", "credit_limit")
        from kind in Gen.Choose(1, 5)
        from number in Gen.Choose(-1000, 100000)
        from personal in Gen.Elements(false, true)
        select (name, kind switch
        {
            1 => AttributeValue.OfText(name == "nickname" ? "Jojo" : "Store " + number.ToString(CultureInfo.InvariantCulture)),
            2 => AttributeValue.OfNumber(number / 10m),
            3 => AttributeValue.OfBoolean(number % 2 == 0),
            4 => AttributeValue.OfDate(new LocalDate(2000, 1, 1).PlusDays(Math.Abs(number) % 9000)),
            _ => AttributeValue.OfMoney(new Money(number, Crm.Core.Currency.EUR)),
        }, personal);

    private static Gen<(ConsentPurpose, ContactChannel, bool, int, string)> FullConsentGen() =>
        from purpose in Gen.Elements(Purposes)
        from channel in Gen.Elements(Channels)
        from granted in Gen.Elements(true, true, false)
        from minutes in Gen.Choose(-60 * 24 * 30, 60 * 24 * 30)
        from source in Gen.Elements(SourcePool)
        select (purpose, channel, granted, minutes, source);

    private static Gen<(LifeEventType, int, string)> LifeEventGen() =>
        from type in Gen.Elements(LifeEventTypes)
        from daysAgo in Gen.Choose(0, 3650)
        from source in Gen.Elements("self-declared", "branch-advisor", "address-change")
        select (type, daysAgo, source);

    private static Gen<(string, string, int, int?)> HoldingGen() =>
        from product in Gen.Elements("P-CUR-1", "P-SAV-2", "P-CC-GOLD", "P-MORT-10Y", "P-INS-HOME", "P-SUB-PLUS")
        from category in Gen.Elements(Categories)
        from openedDaysAgo in Gen.Choose(0, 4000)
        from closedAfter in Gen.Elements<int?>(null, null, 30, 400)
        select (product, category, openedDaysAgo, closedAfter);
}

/// <summary>Purposes of use shared by the generators.</summary>
internal static class TestPurposes
{
    /// <summary>A non-marketing purpose for generated outbound interactions (a contractual service notice by email).</summary>
    public static PurposeOfUse ServiceNotice { get; } =
        PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "service notice about a held product", "test-suite");
}
