using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// The flat, queryable read model of one customer that segment rules are evaluated against: customer fields,
/// contact and consent state, RFM scores, purchase aggregates, custom attributes, tags and holdings, plus
/// whatever later capabilities contribute. A database can store it as one row per customer (keyed by
/// <see cref="CustomerId"/>) with small child tables or JSON columns for the collections, and index it.
/// </summary>
/// <remarks>
/// <para><b>Extension point.</b> The class is <c>partial</c>: a capability adds its fields in its own folder,
/// e.g. <c>Loyalty/CustomerProfile.Loyalty.cs</c> declaring <c>public partial class CustomerProfile</c> with a
/// property marked <see cref="ProfileFieldAttribute"/> (<c>[ProfileField("loyalty.tier")]</c>). The
/// <see cref="ProfileFieldRegistry"/> discovers every marked property, so rule definitions can name the new field
/// without any change to the segmentation code. Fields must have a supported type (see <see cref="ProfileFieldType"/>).</para>
/// <para>This is a projection, not an aggregate: whoever owns the data (a projector, the RFM job, the loyalty
/// account) fills it in. It holds no behaviour other than keeping derived columns (month-day of anniversaries)
/// in step with their dates, because databases cannot extract them from a converted NodaTime column.</para>
/// <para>Not thread-safe; treat instances as values once handed to segmentation.</para>
/// </remarks>
public partial class CustomerProfile
{
    private LocalDate? _birthDate;
    private LocalDate? _registeredOn;

    /// <summary>Creates an empty profile; for object materialisers such as EF Core.</summary>
    public CustomerProfile()
    {
    }

    /// <summary>Creates an empty profile for a customer.</summary>
    /// <param name="customerId">The customer.</param>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is the uninitialised default.</exception>
    public CustomerProfile(CustomerId customerId)
    {
        CustomerId = Preconditions.CheckNotDefault(customerId);
    }

    /// <summary>The customer this profile describes; the key of the read model.</summary>
    public CustomerId CustomerId { get; set; }

    /// <summary>Whether the customer is an organisation rather than a person.</summary>
    [ProfileField("isOrganisation", Description = "The customer is an organisation (B2B) rather than a person.")]
    public bool IsOrganisation { get; set; }

    /// <summary>ISO 3166 country code of the primary address, if any.</summary>
    [ProfileField("country", Description = "ISO 3166 country code of the primary address.")]
    public string? Country { get; set; }

    /// <summary>City of the primary address, if any.</summary>
    [ProfileField("city", Description = "City of the primary address.")]
    public string? City { get; set; }

    /// <summary>Preferred language (BCP 47), if known.</summary>
    [ProfileField("language", Description = "Preferred language (BCP 47 tag).")]
    public string? Language { get; set; }

    /// <summary>The owning user or account manager, if any.</summary>
    [ProfileField("owner", Description = "Owning user or account manager.")]
    public string? Owner { get; set; }

    /// <summary>The owning team, if any.</summary>
    [ProfileField("team", Description = "Owning team.")]
    public string? Team { get; set; }

    /// <summary>The birth date (persons only); also sets <see cref="BirthMonthDay"/>.</summary>
    [ProfileField("birthDate", Description = "Birth date (persons).")]
    public LocalDate? BirthDate
    {
        get => _birthDate;
        set
        {
            _birthDate = value;
            BirthMonthDay = MonthDayOf(value);
        }
    }

    /// <summary>Month × 100 + day of <see cref="BirthDate"/> (e.g. 1231), stored so anniversary rules translate to SQL.</summary>
    public int? BirthMonthDay { get; set; }

    /// <summary>The date the customer was registered (created); also sets <see cref="RegistrationMonthDay"/>.</summary>
    [ProfileField("registeredOn", Description = "Date the customer record was created.")]
    public LocalDate? RegisteredOn
    {
        get => _registeredOn;
        set
        {
            _registeredOn = value;
            RegistrationMonthDay = MonthDayOf(value);
        }
    }

    /// <summary>Month × 100 + day of <see cref="RegisteredOn"/>, stored so anniversary rules translate to SQL.</summary>
    public int? RegistrationMonthDay { get; set; }

    /// <summary>Whether the customer has at least one valid, not opted-out email address.</summary>
    [ProfileField("hasEmail", Description = "Has a valid, not opted-out email address.")]
    public bool HasEmail { get; set; }

    /// <summary>Whether the customer has at least one valid, not opted-out phone number.</summary>
    [ProfileField("hasPhone", Description = "Has a valid, not opted-out phone number.")]
    public bool HasPhone { get; set; }

    /// <summary>Whether the customer has a postal address.</summary>
    [ProfileField("hasPostalAddress", Description = "Has a postal address.")]
    public bool HasPostalAddress { get; set; }

    /// <summary>
    /// Consents in force when the profile was built, as keys made by <see cref="ConsentKey"/>
    /// (<c>purpose:channel</c>, lower case). Queried by consent conditions and by consent-aware audiences.
    /// </summary>
    [ProfileField("consents", Description = "Consents in force, as 'purpose:channel' keys (lower case).")]
    public List<string> Consents { get; set; } = [];

    /// <summary>Tags, normalised by <see cref="NormalizeTag"/> (trimmed, lower case) so tag rules compare exactly.</summary>
    [ProfileField("tags", Description = "Tags (trimmed, lower case).")]
    public List<string> Tags { get; set; } = [];

    /// <summary>Host-defined typed custom attributes, queried with attribute conditions.</summary>
    public List<ProfileAttribute> Attributes { get; set; } = [];

    /// <summary>Products held (accounts, contracts, subscriptions).</summary>
    public List<ProfileHolding> Holdings { get; set; } = [];

    /// <summary>Number of products currently held (not closed).</summary>
    [ProfileField("activeHoldings", Description = "Number of products currently held.")]
    public int ActiveHoldingCount { get; set; }

    /// <summary>RFM recency score (1..k), when scored.</summary>
    [ProfileField("rfm.r", Description = "RFM recency score (1..k).")]
    public int? RecencyScore { get; set; }

    /// <summary>RFM frequency score (1..k), when scored.</summary>
    [ProfileField("rfm.f", Description = "RFM frequency score (1..k).")]
    public int? FrequencyScore { get; set; }

    /// <summary>RFM monetary score (1..k), when scored.</summary>
    [ProfileField("rfm.m", Description = "RFM monetary score (1..k).")]
    public int? MonetaryScore { get; set; }

    /// <summary>RFM segment name (e.g. "Champions"), when scored.</summary>
    [ProfileField("rfm.segment", Description = "RFM segment name, e.g. Champions.")]
    public string? RfmSegment { get; set; }

    /// <summary>Number of purchases (refunds excluded).</summary>
    [ProfileField("purchases.count", Description = "Number of purchases (refunds excluded).")]
    public int PurchaseCount { get; set; }

    /// <summary>Net total spent (refunds deducted), in <see cref="Currency"/>.</summary>
    [ProfileField("purchases.total", Description = "Net amount spent, refunds deducted.")]
    public decimal TotalSpent { get; set; }

    /// <summary>Average order value: total of purchases divided by their count; 0 without purchases.</summary>
    [ProfileField("purchases.averageOrderValue", Description = "Average order value.")]
    public decimal AverageOrderValue { get; set; }

    /// <summary>ISO 4217 code of the amounts, when there are any.</summary>
    [ProfileField("purchases.currency", Description = "Currency of the purchase amounts.")]
    public string? Currency { get; set; }

    /// <summary>Date of the first purchase.</summary>
    [ProfileField("purchases.first", Description = "Date of the first purchase.")]
    public LocalDate? FirstPurchaseDate { get; set; }

    /// <summary>Date of the latest purchase.</summary>
    [ProfileField("purchases.last", Description = "Date of the latest purchase.")]
    public LocalDate? LastPurchaseDate { get; set; }

    /// <summary>Purchase aggregates per SKU, category and channel (see <see cref="ProfilePurchaseStat"/>).</summary>
    public List<ProfilePurchaseStat> PurchaseStats { get; set; } = [];

    /// <summary>
    /// The days on which the customer bought each SKU, category or channel (one entry per key and day; see
    /// <see cref="ProfilePurchaseDay"/>). Only purchased conditions with a closed period (<c>since</c> and
    /// <c>until</c>) read it: the first and last dates in <see cref="PurchaseStats"/> cannot tell whether a purchase
    /// fell inside a window between them. Hosts may drop days older than the longest window their rules use.
    /// </summary>
    public List<ProfilePurchaseDay> PurchaseDays { get; set; } = [];

    /// <summary>Builds the consent key stored in <see cref="Consents"/>: <c>purpose:channel</c> in lower case.</summary>
    /// <param name="purpose">The purpose, e.g. <c>marketing</c>.</param>
    /// <param name="channel">The channel.</param>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> is null or blank.</exception>
    public static string ConsentKey(string purpose, Channel channel)
    {
        Preconditions.CheckNotBlank(purpose);
        return string.Concat(purpose.Trim().ToLowerInvariant(), ":", channel.ToString().ToLowerInvariant());
    }

    /// <summary>The tag normalisation used by <see cref="Tags"/>: trimmed and lower-cased (invariant).</summary>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is null or blank.</exception>
    public static string NormalizeTag(string tag) => Preconditions.CheckNotBlank(tag).Trim().ToLowerInvariant();

    /// <summary>
    /// A copy that shares no mutable collection with this profile (capabilities' scalar fields are copied by the
    /// member-wise clone; the known collections are copied element by element).
    /// </summary>
    internal CustomerProfile Copy()
    {
        var copy = (CustomerProfile)MemberwiseClone();
        copy.Consents = Elements(Consents, c => c, nameof(Consents));
        copy.Tags = Elements(Tags, t => t, nameof(Tags));
        copy.ConsentPeriods = Elements(ConsentPeriods, c => new ProfileConsent { Purpose = c.Purpose, Channel = c.Channel, From = c.From, Until = c.Until }, nameof(ConsentPeriods));
        copy.Attributes = Elements(Attributes, a => new ProfileAttribute { Name = a.Name, Text = a.Text, Number = a.Number, Flag = a.Flag, Date = a.Date }, nameof(Attributes));
        copy.Holdings = Elements(Holdings, h => new ProfileHolding { ProductId = h.ProductId, Category = h.Category, IsActive = h.IsActive, OpenedOn = h.OpenedOn, ClosedOn = h.ClosedOn }, nameof(Holdings));
        copy.PurchaseStats = Elements(PurchaseStats, s => new ProfilePurchaseStat { Dimension = s.Dimension, Key = s.Key, Count = s.Count, Total = s.Total, FirstDate = s.FirstDate, LastDate = s.LastDate }, nameof(PurchaseStats));
        copy.PurchaseDays = Elements(PurchaseDays, d => new ProfilePurchaseDay { Dimension = d.Dimension, Key = d.Key, Date = d.Date }, nameof(PurchaseDays));
        return copy;
    }

    // Stores copy a profile as it is upserted, so a null element is refused here, naming the profile argument.
    private static List<T> Elements<T>(List<T>? list, Func<T, T> copy, string listName)
    {
        var result = new List<T>(list?.Count ?? 0);
        foreach (var element in list ?? [])
        {
            Preconditions.CheckArgument(element is not null, "profile", $"The profile's {listName} must not contain null.");
            result.Add(copy(element));
        }
        return result;
    }

    private static int? MonthDayOf(LocalDate? date) => date is { } d ? (d.Month * 100) + d.Day : null;
}

/// <summary>
/// A host-defined custom attribute value on a <see cref="CustomerProfile"/>. Exactly one of the typed value
/// columns is set, which keeps the attribute table indexable per type (no untyped text column to parse).
/// </summary>
public sealed class ProfileAttribute
{
    /// <summary>The attribute name as the host defines it (compared ordinally).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Text value.</summary>
    public string? Text { get; set; }

    /// <summary>Number (or money amount) value.</summary>
    public decimal? Number { get; set; }

    /// <summary>Boolean value.</summary>
    public bool? Flag { get; set; }

    /// <summary>Date value.</summary>
    public LocalDate? Date { get; set; }

    /// <summary>A text attribute.</summary>
    public static ProfileAttribute OfText(string name, string value) => new() { Name = Preconditions.CheckNotBlank(name), Text = Preconditions.CheckNotNull(value) };

    /// <summary>A number attribute.</summary>
    public static ProfileAttribute OfNumber(string name, decimal value) => new() { Name = Preconditions.CheckNotBlank(name), Number = value };

    /// <summary>A boolean attribute.</summary>
    public static ProfileAttribute OfFlag(string name, bool value) => new() { Name = Preconditions.CheckNotBlank(name), Flag = value };

    /// <summary>A date attribute.</summary>
    public static ProfileAttribute OfDate(string name, LocalDate value) => new() { Name = Preconditions.CheckNotBlank(name), Date = value };
}

/// <summary>What a <see cref="ProfilePurchaseStat"/> aggregates over.</summary>
public enum PurchaseDimension
{
    /// <summary>Per SKU.</summary>
    Sku = 0,

    /// <summary>Per product category.</summary>
    Category = 1,

    /// <summary>Per channel (key is the <see cref="Crm.Core.Channel"/> name).</summary>
    Channel = 2,
}

/// <summary>Purchase aggregates of one customer for one SKU, category or channel.</summary>
public sealed class ProfilePurchaseStat
{
    /// <summary>What <see cref="Key"/> is.</summary>
    public PurchaseDimension Dimension { get; set; }

    /// <summary>The SKU, category or channel name (compared ordinally).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Number of purchases that included this key.</summary>
    public int Count { get; set; }

    /// <summary>Amount spent on this key.</summary>
    public decimal Total { get; set; }

    /// <summary>First date bought.</summary>
    public LocalDate FirstDate { get; set; }

    /// <summary>Latest date bought.</summary>
    public LocalDate LastDate { get; set; }
}

/// <summary>
/// A day on which the customer bought a SKU, a category or through a channel: what purchased conditions over a
/// closed period (between two dates) look at. Keep one entry per dimension, key and day.
/// </summary>
public sealed class ProfilePurchaseDay
{
    /// <summary>What <see cref="Key"/> is.</summary>
    public PurchaseDimension Dimension { get; set; }

    /// <summary>The SKU, category or channel name (compared ordinally).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The day of the purchase, in the business time zone.</summary>
    public LocalDate Date { get; set; }
}

/// <summary>A product the customer holds or held (account, contract, subscription).</summary>
public sealed class ProfileHolding
{
    /// <summary>The product id.</summary>
    public string ProductId { get; set; } = string.Empty;

    /// <summary>The product category.</summary>
    public string Category { get; set; } = string.Empty;

    /// <summary>Whether the holding is open (not closed).</summary>
    public bool IsActive { get; set; }

    /// <summary>When it was opened.</summary>
    public LocalDate? OpenedOn { get; set; }

    /// <summary>When it was closed, if it was.</summary>
    public LocalDate? ClosedOn { get; set; }
}
