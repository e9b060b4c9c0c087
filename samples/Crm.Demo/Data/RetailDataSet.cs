using Bogus;
using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Demo.Data;

/// <summary>A product of the generated catalogue.</summary>
/// <param name="Sku">Stock-keeping unit.</param>
/// <param name="Name">Display name.</param>
/// <param name="Category">Category (used by loyalty rules, segments and affinities).</param>
/// <param name="Price">Unit price in <see cref="RetailDataSet.Currency"/>.</param>
public sealed record Product(Sku Sku, string Name, string Category, decimal Price);

/// <summary>A generated customer and how they joined.</summary>
/// <param name="Customer">The aggregate, never saved (the demo stores it).</param>
/// <param name="RegisteredVia">The channel the customer registered through.</param>
public sealed record GeneratedCustomer(Customer Customer, Channel RegisteredVia);

/// <summary>
/// A deterministic synthetic retail data set: customers registered across channels with contact points and consents,
/// a catalogue of outdoor-sports products, one to two years of purchases with a realistic skew (most customers buy once,
/// a few are loyal), and some returns. The same seed and size always give the same data; nothing reads the wall clock.
/// </summary>
/// <remarks>
/// Buying follows the story BG/NBD tells: each customer has a personal purchase rate (gamma distributed: most low, a
/// few high) and after every purchase may drop out for good. Baskets are drawn from themed bundles (running, camping,
/// cycling, ...) so product affinities exist to be found.
/// </remarks>
public sealed class RetailDataSet
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 2024;

    /// <summary>The number of customers generated when none is given.</summary>
    public const int DefaultCustomers = 3000;

    /// <summary>The currency of every price.</summary>
    public static readonly Currency Currency = Currency.EUR;

    /// <summary>The zone in which the shop's days begin and end.</summary>
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/London"];

    /// <summary>The first day of trading.</summary>
    public static readonly LocalDate FirstDay = new(2024, 1, 1);

    /// <summary>The last day of trading (two years).</summary>
    private static readonly LocalDate LastDay = new(2025, 12, 31);

    // Themed bundles: a basket mostly stays within one theme, which is what an affinity analysis discovers.
    private static readonly (string Theme, (string Name, string Category, decimal Price)[] Items)[] Themes =
    [
        ("running", [("Trail running shoes", "shoes", 129m), ("Road running shoes", "shoes", 109m), ("Running socks (3 pairs)", "socks", 15m),
                     ("Running jacket", "apparel", 89m), ("Energy gels (12)", "nutrition", 24m), ("GPS watch", "electronics", 249m)]),
        ("camping", [("2-person tent", "tents", 219m), ("4-person tent", "tents", 399m), ("Sleeping bag", "sleeping", 119m),
                     ("Sleeping mat", "sleeping", 59m), ("Camping stove", "cooking", 49m), ("Gas cartridge", "cooking", 7m), ("Head torch", "electronics", 35m)]),
        ("cycling", [("Road bike", "bikes", 1199m), ("Gravel bike", "bikes", 1499m), ("Helmet", "bike-accessories", 79m),
                     ("Bike lights", "bike-accessories", 45m), ("Inner tube", "bike-accessories", 8m), ("Cycling gloves", "apparel", 29m)]),
        ("hiking", [("Hiking boots", "shoes", 159m), ("Day pack 30 l", "bags", 79m), ("Rain jacket", "apparel", 149m),
                    ("Trekking poles", "hiking-gear", 69m), ("Water bottle", "hiking-gear", 19m), ("Map case", "hiking-gear", 12m)]),
        ("swimming", [("Swimsuit", "swimwear", 39m), ("Goggles", "swim-gear", 19m), ("Swim cap", "swim-gear", 9m), ("Towel", "swim-gear", 25m)]),
    ];

    private static readonly (Channel Channel, double Weight)[] RegistrationChannels =
        [(Channel.Web, 0.42), (Channel.Branch, 0.24), (Channel.SelfService, 0.14), (Channel.Phone, 0.12), (Channel.Email, 0.08)];

    private RetailDataSet(int seed, IReadOnlyList<Product> catalogue, IReadOnlyList<GeneratedCustomer> customers,
        IReadOnlyList<Interaction> interactions, IReadOnlyList<Purchase> purchases)
    {
        Seed = seed;
        Catalogue = catalogue;
        Customers = customers;
        Interactions = interactions;
        Purchases = purchases;
        // "Today" is the last day anything happened, so the story never depends on when it runs.
        Today = purchases.Count == 0 ? LastDay : purchases.Max(p => p.OccurredAt).InZone(Zone).Date;
        ProductBySku = catalogue.ToDictionary(p => p.Sku);
        CustomerById = customers.ToDictionary(c => c.Customer.Id);
        PurchasesOf = purchases.ToLookup(p => p.CustomerId);
        // The customer the story follows: the most frequent buyer who returned something (lowest id on a tie).
        Featured = customers
            .Select(c => c.Customer.Id)
            .OrderByDescending(id => PurchasesOf[id].Any(p => p.IsRefund))
            .ThenByDescending(id => PurchasesOf[id].Count(p => !p.IsRefund))
            .First();
    }

    /// <summary>The seed the data was generated from.</summary>
    public int Seed { get; }

    /// <summary>The products on sale.</summary>
    public IReadOnlyList<Product> Catalogue { get; }

    /// <summary>The customers, ordered by id.</summary>
    public IReadOnlyList<GeneratedCustomer> Customers { get; }

    /// <summary>Registrations, service calls and newsletters, ordered by time.</summary>
    public IReadOnlyList<Interaction> Interactions { get; }

    /// <summary>Purchases and refunds, ordered by time.</summary>
    public IReadOnlyList<Purchase> Purchases { get; }

    /// <summary>The products by SKU.</summary>
    public IReadOnlyDictionary<Sku, Product> ProductBySku { get; }

    /// <summary>The customers by id.</summary>
    public IReadOnlyDictionary<CustomerId, GeneratedCustomer> CustomerById { get; }

    /// <summary>Each customer's purchases and refunds, in time order.</summary>
    public ILookup<CustomerId, Purchase> PurchasesOf { get; }

    /// <summary>The customer the story follows: the most frequent buyer who returned something.</summary>
    public CustomerId Featured { get; }

    /// <summary>The day the story is told on: the last day with a purchase.</summary>
    public LocalDate Today { get; }

    /// <summary>The end of <see cref="Today"/>, the instant every "now" of the demo uses.</summary>
    public Instant Now => Today.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant() - Duration.FromSeconds(1);

    /// <summary>Generates the data set; <paramref name="progress"/> receives the share done, from 0 to 1.</summary>
    /// <param name="seed">Any number; the same seed gives the same data.</param>
    /// <param name="customerCount">How many customers to generate.</param>
    /// <param name="progress">Optional progress callback.</param>
    public static RetailDataSet Generate(int seed, int customerCount, Action<double>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(customerCount);
        // One Randomizer drives every draw, Bogus's names included: that is what makes a seed reproducible.
        var random = new Randomizer(seed);
        var faker = new Faker("en_GB") { Random = random };

        var catalogue = Themes.SelectMany(t => t.Items.Select((item, i) =>
            new Product(new Sku($"{t.Theme[..3].ToUpperInvariant()}-{i + 1:00}"), item.Name, item.Category, item.Price))).ToList();
        var byTheme = Themes.Select(t => catalogue.Where(p => p.Sku.Value.StartsWith(t.Theme[..3].ToUpperInvariant(), StringComparison.Ordinal)).ToList()).ToList();

        var customers = new List<GeneratedCustomer>(customerCount);
        var interactions = new List<Interaction>();
        var purchases = new List<Purchase>();
        var days = Period.DaysBetween(FirstDay, LastDay);
        for (var n = 0; n < customerCount; n++)
        {
            var id = new CustomerId($"C{n + 1:00000}");
            var channel = Pick(random, RegistrationChannels);
            var registered = At(random, FirstDay.PlusDays(random.Int(0, days - 30)));
            var customer = Register(faker, random, id, channel, registered);
            customers.Add(new GeneratedCustomer(customer, channel));
            interactions.Add(Interaction.Record(new InteractionId($"{id}-REG"), id, channel, InteractionDirection.Inbound,
                Registration, registered, $"Registered via {channel}"));

            // The buying process: a personal rate (purchases per year, gamma distributed) and a chance to drop out
            // after every purchase. Most customers buy once; a few come back again and again.
            var perYear = Gamma(random, shape: 0.9, scale: 2.5);
            var dropOut = random.Double(0.05, 0.45);
            var theme = random.Int(0, Themes.Length - 1);
            var when = registered + Duration.FromHours(random.Double(0, 24 * 20));
            var end = LastDay.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant();
            var count = 0;
            while (when < end && (count == 0 || random.Double() > dropOut) && random.Double() > (count == 0 ? 0.12 : 0))
            {
                var purchase = Basket(random, id, $"{id}-{++count:000}", when, byTheme, ref theme);
                purchases.Add(purchase);
                if (random.Double() < 0.05)
                {
                    // A return: one line comes back within a month, in a branch or by post.
                    var line = random.ArrayElement(purchase.Lines.ToArray());
                    var refundAt = when + Duration.FromDays(random.Int(3, 28));
                    if (refundAt < end)
                    {
                        purchases.Add(Purchase.CreateRefund(new TransactionId($"{purchase.Id}-R"), id, refundAt, random.Bool() ? Channel.Branch : Channel.Web,
                            purchase.Id, [new PurchaseLine(line.Sku, -line.Quantity, line.UnitPrice, line.Category)]));
                        interactions.Add(Interaction.Record(new InteractionId($"{purchase.Id}-RET"), id, Channel.Phone, InteractionDirection.Inbound,
                            InteractionType.Service, refundAt - Duration.FromHours(2), $"Return of {line.Sku}", "refunded", InteractionReference.ToOrder(purchase.Id)));
                    }
                }
                // At least a day apart; a very slow buyer's next purchase may lie years ahead (capped: it ends the loop anyway).
                when += Duration.FromDays(Math.Clamp(Exponential(random, perYear / 365.0), 1, 1000));
            }
            if (Newsletter.Permits(customer, registered) && random.Double() < 0.5)
            {
                // Consent may have been withdrawn by the send instant; RecordOutbound would refuse the contact then.
                var newsletterAt = registered + Duration.FromDays(random.Int(7, 60));
                if (Newsletter.Permits(customer, newsletterAt))
                {
                    interactions.Add(Interaction.RecordOutbound(new InteractionId($"{id}-NL"), customer, Channel.Email, InteractionType.SalesContact,
                        newsletterAt, Newsletter, "Newsletter: new season"));
                }
            }
            progress?.Invoke((n + 1) / (double)customerCount);
        }
        return new RetailDataSet(seed, catalogue, customers, [.. interactions.OrderBy(i => i.OccurredAt).ThenBy(i => i.Id)],
            [.. purchases.OrderBy(p => p.OccurredAt).ThenBy(p => p.Id)]);
    }

    /// <summary>What the season newsletter is for: marketing by email, so only customers with that consent get it.</summary>
    public static PurposeOfUse Newsletter { get; } = PurposeOfUse.Marketing(ContactChannel.Email);

    /// <summary>The interaction type of a registration (a host-defined type: types are open codes).</summary>
    public static InteractionType Registration { get; } = InteractionType.Parse("registration");

    private static Customer Register(Faker faker, Randomizer random, CustomerId id, Channel channel, Instant at)
    {
        var first = faker.Name.FirstName();
        var last = faker.Name.LastName();
        var customer = Customer.Register(id, CustomerName.Person(first, last), at);
        var source = $"{channel}".ToLowerInvariant();
        // The web and self-service sign-ups ask for an email; branch and phone staff usually take a phone number.
        if (channel is Channel.Web or Channel.Email or Channel.SelfService || random.Double() < 0.5)
        {
            customer.AddEmail(faker.Internet.Email(first, last), at);
            if (random.Double() < 0.55)
            {
                customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, at, source);
            }
        }
        if (channel is Channel.Branch or Channel.Phone || random.Double() < 0.4)
        {
            customer.AddPhone(faker.Phone.PhoneNumber("07700 9#####"), "GB", at);
            customer.GrantConsent(ConsentPurpose.Service, ContactChannel.Sms, at, source);
            if (random.Double() < 0.3)
            {
                customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Sms, at, source);
            }
        }
        if (channel == Channel.Branch)
        {
            customer.AddPostalAddress(new PostalAddress(faker.Address.StreetAddress(), faker.Address.City(), "GB", faker.Address.ZipCode()), at);
        }
        // Some people change their mind later: an unsubscribe link or a call to the call centre.
        if (customer.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, at) && random.Double() < 0.12)
        {
            customer.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, at + Duration.FromDays(random.Int(10, 200)), "unsubscribe-link");
        }
        return customer;
    }

    private static Purchase Basket(Randomizer random, CustomerId customer, string id, Instant when, List<List<Product>> byTheme, ref int theme)
    {
        if (random.Double() < 0.2)
        {
            theme = random.Int(0, byTheme.Count - 1); // people pick up new hobbies
        }
        var shelf = byTheme[theme];
        // Cheap items sell more often than expensive ones (weight 1/√price): a bike is a rare purchase, socks are not.
        var size = random.WeightedRandom([1, 2, 3], [0.5f, 0.35f, 0.15f]);
        var chosen = new HashSet<Product>();
        while (chosen.Count < Math.Min(size, shelf.Count))
        {
            chosen.Add(random.WeightedRandom([.. shelf], [.. shelf.Select(p => (float)(1 / Math.Sqrt((double)p.Price)))]));
        }
        var lines = chosen
            .OrderBy(p => p.Sku.Value, StringComparer.Ordinal)
            .Select(p => new PurchaseLine(p.Sku, p.Price < 20m ? random.Int(1, 3) : 1, new Money(p.Price, Currency), p.Category))
            .ToList();
        var channel = random.WeightedRandom([Channel.Web, Channel.Branch, Channel.MobileApp, Channel.Phone], [0.5f, 0.3f, 0.15f, 0.05f]);
        return Purchase.Create(new TransactionId(id), customer, when, channel, lines);
    }

    private static Instant At(Randomizer random, LocalDate day) =>
        day.At(new LocalTime(random.Int(8, 20), random.Int(0, 59))).InZoneLeniently(Zone).ToInstant();

    private static T Pick<T>(Randomizer random, (T Value, double Weight)[] choices)
    {
        var x = random.Double() * choices.Sum(c => c.Weight);
        foreach (var (value, weight) in choices)
        {
            if ((x -= weight) < 0)
            {
                return value;
            }
        }
        return choices[^1].Value;
    }

    private static double Exponential(Randomizer random, double rate) => -Math.Log(1 - random.Double()) / rate;

    // Marsaglia–Tsang for shape >= 1, boosted for shape < 1.
    private static double Gamma(Randomizer random, double shape, double scale)
    {
        if (shape < 1)
        {
            return Gamma(random, shape + 1, scale) * Math.Pow(random.Double(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = random.Double();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
            {
                return d * v * scale;
            }
        }
    }

    private static double Normal(Randomizer random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.Double())) * Math.Cos(2 * Math.PI * random.Double());
}
