using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// Fills a <see cref="CustomerProfile"/> from the aggregates that own the data: the <see cref="Customer"/> (contact,
/// consent, tags, attributes, holdings), the customer's <see cref="Purchase"/>s (purchase aggregates) and an RFM
/// result. Loyalty and lifecycle contribute their fields through <c>LoyaltyAccount.ProjectTo</c> and
/// <c>CustomerLifecycle.ProjectTo</c>. Hosts call these from their projector (on change, or nightly) and upsert the
/// profile into the <see cref="ICustomerProfileStore"/>.
/// </summary>
/// <example>
/// <code>
/// var profile = new CustomerProfile(customer.Id)
///     .Project(customer, clock.GetCurrentInstant(), zone)
///     .ProjectPurchases(purchasesOfCustomer, zone);
/// await profiles.UpsertAsync(profile);
/// </code>
/// </example>
public static class CustomerProfileProjection
{
    /// <summary>
    /// Sets the customer-owned fields: kind, primary address (country, city), ownership, birth and registration dates,
    /// usable contact points, consents in force at <paramref name="at"/> (<see cref="CustomerProfile.Consents"/>, for rule
    /// conditions) and the periods of every consent (<see cref="CustomerProfile.ConsentPeriods"/>, which marketing
    /// segments check at their own evaluation instant), tags, attributes and product holdings.
    /// Fields other capabilities own (purchases, RFM, loyalty, lifecycle) are left as they are.
    /// </summary>
    /// <param name="profile">The profile to fill; its customer id must be the customer's.</param>
    /// <param name="customer">The customer.</param>
    /// <param name="at">The instant consents are evaluated at (usually now).</param>
    /// <param name="zone">The zone the registration date is taken in.</param>
    /// <returns>The same profile, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The profile belongs to another customer.</exception>
    public static CustomerProfile Project(this CustomerProfile profile, Customer customer, Instant at, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckNotNull(customer);
        Preconditions.CheckNotNull(zone);
        CheckSameCustomer(profile, customer.Id);

        profile.IsOrganisation = customer.Kind == CustomerKind.Organisation;
        var address = customer.PrimaryPostalAddress ?? customer.PostalAddresses.FirstOrDefault(p => !p.IsInvalid);
        profile.Country = address?.Address.CountryCode;
        profile.City = address?.Address.Locality;
        profile.Owner = customer.OwnerId;
        profile.Team = customer.TeamId;
        profile.BirthDate = customer.BirthDate;
        profile.RegisteredOn = customer.CreatedAt.InZone(zone).Date;
        profile.HasEmail = customer.Emails.Any(e => e.IsUsable);
        profile.HasPhone = customer.Phones.Any(p => p.IsUsable);
        profile.HasPostalAddress = customer.PostalAddresses.Any(p => !p.IsInvalid);

        // Keys use the consent's own channel code; for email and phone it equals ConsentKey(purpose, Channel.Email/Phone).
        profile.Consents = customer.ConsentHistory
            .Select(c => (c.Purpose, c.Channel))
            .Distinct()
            .Where(c => customer.MayContact(c.Purpose, c.Channel, at))
            .Select(c => string.Concat(c.Purpose.Code, ":", c.Channel.Code))
            .Order(StringComparer.Ordinal)
            .ToList();
        profile.ConsentPeriods = ConsentPeriodsOf(customer);
        profile.Tags = customer.Tags.Select(CustomerProfile.NormalizeTag).Distinct().Order(StringComparer.Ordinal).ToList();
        profile.Attributes = customer.Attributes.Values.OrderBy(a => a.Name, StringComparer.Ordinal).Select(ToProfile).ToList();
        profile.Holdings = customer.ProductHoldings.Select(h => new ProfileHolding
        {
            ProductId = h.ProductId.Value,
            Category = h.Category,
            IsActive = h.IsOpen,
            OpenedOn = h.OpenedOn,
            ClosedOn = h.ClosedOn,
        }).ToList();
        profile.ActiveHoldingCount = customer.OpenProductCount;
        return profile;
    }

    /// <summary>
    /// Sets the purchase aggregates from all of the customer's purchases and refunds: count (refunds excluded), net
    /// total, average order value, currency, first and last purchase dates, and per SKU, category and channel the
    /// number of purchases, the amount, the first and last dates and the days bought (for closed-period rules).
    /// </summary>
    /// <param name="profile">The profile to fill.</param>
    /// <param name="purchases">Every purchase and refund of the profile's customer (others are refused).</param>
    /// <param name="zone">The zone purchase instants are turned into dates in.</param>
    /// <returns>The same profile, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or the sequence contains null.</exception>
    /// <exception cref="ArgumentException">A purchase belongs to another customer, or the purchases are in more than one currency.</exception>
    /// <remarks>
    /// Delivery and fee lines count towards totals but not towards SKU and category statistics. A refund reduces the
    /// net total and the amounts of the SKUs, categories and channel it names, but is not a purchase (no count, no
    /// dates, no statistics of its own).
    /// </remarks>
    public static CustomerProfile ProjectPurchases(this CustomerProfile profile, IEnumerable<Purchase> purchases, DateTimeZone zone)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckNotNull(purchases);
        Preconditions.CheckNotNull(zone);

        Currency? currency = null;
        int count = 0;
        decimal total = 0m, purchased = 0m;
        LocalDate? first = null, last = null;
        var stats = new Dictionary<(PurchaseDimension, string), ProfilePurchaseStat>();
        var days = new HashSet<(PurchaseDimension Dimension, string Key, LocalDate Date)>();
        var refunded = new List<(PurchaseDimension, string, decimal)>();
        var named = new HashSet<(PurchaseDimension, string)>();
        foreach (var purchase in purchases)
        {
            Preconditions.CheckArgument(purchase is not null, nameof(purchases), "The purchases must not contain null.");
            CheckSameCustomer(profile, purchase.CustomerId, nameof(purchases));
            currency ??= purchase.Total.Currency;
            Preconditions.CheckArgument(purchase.Total.Currency == currency, nameof(purchases),
                $"Purchase '{purchase.Id}' is in {purchase.Total.Currency.Code} while earlier purchases are in {currency.Value.Code}; project one currency (convert first).");
            total = Saturating.Add(total, purchase.Total.Amount); // read-model figures: beyond decimal's range reads as its limit
            var date = purchase.OccurredAt.InZone(zone).Date;
            named.Clear();
            if (purchase.IsRefund)
            {
                // Reduces the amounts of what was bought; recorded after the loop, when the keys are known.
                refunded.Add((PurchaseDimension.Channel, purchase.Channel.ToString(), purchase.Total.Amount));
                foreach (var line in purchase.Lines.Where(l => l.Kind == PurchaseLineKind.Product))
                {
                    refunded.Add((PurchaseDimension.Sku, line.Sku.Value, line.Amount.Amount));
                    if (line.Category is { Length: > 0 } category)
                    {
                        refunded.Add((PurchaseDimension.Category, category, line.Amount.Amount));
                    }
                }
                continue;
            }
            count++;
            purchased = Saturating.Add(purchased, purchase.Total.Amount);
            first = first is null || date < first ? date : first;
            last = last is null || date > last ? date : last;
            Add(PurchaseDimension.Channel, purchase.Channel.ToString(), purchase.Total.Amount);
            foreach (var line in purchase.Lines.Where(l => l.Kind == PurchaseLineKind.Product))
            {
                Add(PurchaseDimension.Sku, line.Sku.Value, line.Amount.Amount);
                if (line.Category is { Length: > 0 } category)
                {
                    Add(PurchaseDimension.Category, category, line.Amount.Amount);
                }
            }

            // A purchase counts once per key, however many of its lines name it.
            void Add(PurchaseDimension dimension, string key, decimal amount)
            {
                if (!stats.TryGetValue((dimension, key), out var stat))
                {
                    stat = new ProfilePurchaseStat { Dimension = dimension, Key = key, FirstDate = date, LastDate = date };
                    stats.Add((dimension, key), stat);
                }
                stat.Total = Saturating.Add(stat.Total, amount);
                if (named.Add((dimension, key)))
                {
                    stat.Count++;
                    stat.FirstDate = date < stat.FirstDate ? date : stat.FirstDate;
                    stat.LastDate = date > stat.LastDate ? date : stat.LastDate;
                    days.Add((dimension, key, date));
                }
            }
        }
        // Refunds of something never bought (e.g. bought before the history starts) have no statistics to reduce.
        foreach (var (dimension, key, amount) in refunded)
        {
            if (stats.TryGetValue((dimension, key), out var stat))
            {
                stat.Total = Saturating.Add(stat.Total, amount);
            }
        }

        profile.PurchaseCount = count;
        profile.TotalSpent = total;
        profile.AverageOrderValue = count == 0 ? 0m : decimal.Round(purchased / count, 2, MidpointRounding.ToEven);
        profile.Currency = currency?.Code;
        profile.FirstPurchaseDate = first;
        profile.LastPurchaseDate = last;
        profile.PurchaseStats = [.. stats.Values.OrderBy(s => s.Dimension).ThenBy(s => s.Key, StringComparer.Ordinal)];
        profile.PurchaseDays = [.. days.OrderBy(d => d.Dimension).ThenBy(d => d.Key, StringComparer.Ordinal).ThenBy(d => d.Date)
            .Select(d => new ProfilePurchaseDay { Dimension = d.Dimension, Key = d.Key, Date = d.Date })];
        return profile;
    }

    /// <summary>Sets the RFM scores and segment from a scored customer (or clears them when the customer was not scored).</summary>
    /// <param name="profile">The profile to fill.</param>
    /// <param name="scored">The customer's RFM row, or null when the customer was not scored.</param>
    /// <returns>The same profile, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The row belongs to another customer.</exception>
    public static CustomerProfile ProjectRfm(this CustomerProfile profile, RfmCustomer<CustomerId>? scored)
    {
        Preconditions.CheckNotNull(profile);
        if (scored is { } row)
        {
            CheckSameCustomer(profile, row.Customer, nameof(scored));
        }
        profile.RecencyScore = scored?.Score.R;
        profile.FrequencyScore = scored?.Score.F;
        profile.MonetaryScore = scored?.Score.M;
        profile.RfmSegment = scored?.Segment;
        return profile;
    }

    private static ProfileAttribute ToProfile(CustomAttribute attribute) => attribute.Value.Kind switch
    {
        AttributeKind.Text => ProfileAttribute.OfText(attribute.Name, attribute.Value.AsText()),
        AttributeKind.Number => ProfileAttribute.OfNumber(attribute.Name, attribute.Value.AsNumber()),
        AttributeKind.Boolean => ProfileAttribute.OfFlag(attribute.Name, attribute.Value.AsBoolean()),
        AttributeKind.Date => ProfileAttribute.OfDate(attribute.Name, attribute.Value.AsDate()),
        _ => ProfileAttribute.OfNumber(attribute.Name, attribute.Value.AsMoney().Amount), // rules compare the amount
    };

    private static void CheckSameCustomer(CustomerProfile profile, CustomerId customer, string parameter = "customer") =>
        Preconditions.CheckArgument(profile.CustomerId.Equals(customer), parameter,
            $"The profile is customer '{profile.CustomerId}''s but the data is customer '{customer}''s; project each customer into their own profile.");

    /// <summary>
    /// The periods during which each consent was in force, with exactly the rules of <see cref="Customer.MayContact"/>:
    /// the latest entry at or before an instant decides, an entry takes effect at its own instant, and at an instant
    /// with both a grant and a withdrawal the withdrawal wins.
    /// </summary>
    internal static List<ProfileConsent> ConsentPeriodsOf(Customer customer)
    {
        var periods = new List<ProfileConsent>();
        foreach (var key in customer.ConsentHistory.GroupBy(r => (r.Purpose, r.Channel)).OrderBy(g => g.Key.Purpose.Code, StringComparer.Ordinal).ThenBy(g => g.Key.Channel.Code, StringComparer.Ordinal))
        {
            ProfileConsent? open = null;
            foreach (var instant in key.GroupBy(r => r.At).OrderBy(g => g.Key))
            {
                var granted = instant.All(r => r.Status == ConsentStatus.Granted);
                if (granted && open is null)
                {
                    open = new ProfileConsent { Purpose = key.Key.Purpose.Code, Channel = key.Key.Channel.Code, From = instant.Key };
                    periods.Add(open);
                }
                else if (!granted && open is not null)
                {
                    open.Until = instant.Key;
                    open = null;
                }
            }
        }
        return periods;
    }
}
