using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class CustomerProfileProjectionTest
{
    private static readonly Instant At = Instant.FromUtc(2025, 6, 1, 12, 0);
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly CustomerId Ann = new("ann");

    private static Customer Customer()
    {
        var customer = Crm.Core.Customers.Customer.Register(Ann, CustomerName.Person("Ann", "Lee"), Instant.FromUtc(2024, 12, 31, 23, 30));
        customer.AddPostalAddress(new PostalAddress("Unter den Linden 1", "Berlin", "DE", "10117"), At, makePrimary: true);
        customer.AddEmail("ann@example.com", At);
        var old = customer.AddEmail("old@example.com", At);
        customer.OptOut(old.Id, At);
        customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, At - Duration.FromDays(10), "web form");
        customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Phone, At - Duration.FromDays(10), "call");
        customer.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Phone, At - Duration.FromDays(1), "call");
        customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Sms, At + Duration.FromDays(1), "later");
        customer.AddTag(" VIP ", At);
        customer.SetAttribute("shoe-size", AttributeValue.OfNumber(39m), isPersonalData: false, At);
        customer.SetAttribute("credit", AttributeValue.OfMoney(new Money(250m, Currency.EUR)), isPersonalData: false, At);
        customer.OpenProduct(new ProductId("ACC-1"), "current-account", new LocalDate(2025, 1, 2), At);
        customer.OpenProduct(new ProductId("CARD-1"), "credit-card", new LocalDate(2025, 1, 2), At);
        customer.CloseProduct(new ProductId("CARD-1"), new LocalDate(2025, 5, 1), At);
        customer.SetBirthDate(new LocalDate(1990, 6, 3), At);
        customer.AssignOwnership("u-1", "smb", At);
        return customer;
    }

    [Fact]
    public void Customer_fields_consents_in_force_tags_attributes_and_holdings_are_projected()
    {
        var profile = new CustomerProfile(Ann).Project(Customer(), At, Berlin);

        Assert.False(profile.IsOrganisation);
        Assert.Equal(("DE", "Berlin"), (profile.Country, profile.City));
        Assert.Equal(("u-1", "smb"), (profile.Owner, profile.Team));
        Assert.Equal(new LocalDate(2025, 1, 1), profile.RegisteredOn); // 23:30 UTC on New Year's Eve is New Year's Day in Berlin
        Assert.Equal(101, profile.RegistrationMonthDay);
        Assert.Equal(603, profile.BirthMonthDay);
        Assert.True(profile.HasEmail);
        Assert.False(profile.HasPhone);
        Assert.True(profile.HasPostalAddress);
        Assert.Equal([CustomerProfile.ConsentKey("marketing", Channel.Email)], profile.Consents); // phone withdrawn, sms not yet granted
        Assert.Equal(["vip"], profile.Tags);
        Assert.Equal(["credit:250", "shoe-size:39"], profile.Attributes.Select(a => $"{a.Name}:{a.Number:0.##}"));
        Assert.Equal(1, profile.ActiveHoldingCount);
        Assert.Equal(2, profile.Holdings.Count);
        Assert.Single(profile.Holdings, h => h.IsActive && h.Category == "current-account");

        // The projected profile answers the rules that read these fields.
        var rule = new AllOf(new ConsentCondition("marketing", Channel.Email), new FieldCondition("tags", RuleOperator.Contains, "vip"),
            new HoldsCondition(null, "current-account"), new NotOf(new HoldsCondition(null, "credit-card")));
        Assert.True(RuleCompiler.Default.Compile(rule, new LocalDate(2025, 6, 1)).IsSatisfiedBy(profile));
    }

    [Fact]
    public void Purchase_aggregates_count_purchases_net_refunds_and_skip_delivery_lines()
    {
        var eur = Currency.EUR;
        PurchaseLine Line(string sku, decimal amount, string? category = "shoes", PurchaseLineKind kind = PurchaseLineKind.Product) =>
            new(new Sku(sku), 1, new Money(amount, eur), category, new Money(amount, eur), kind);
        var purchases = new[]
        {
            // 23:30 UTC on 1 March is 00:30 on 2 March in Berlin (CET).
            Purchase.Create(new TransactionId("T1"), Ann, Instant.FromUtc(2025, 3, 1, 23, 30), Channel.Web,
                [Line("S-1", 50m), Line("S-1", 50m), Line("S-2", 30m, "bags"), Line("DELIVERY", 5m, null, PurchaseLineKind.Delivery)]),
            Purchase.Create(new TransactionId("T2"), Ann, Instant.FromUtc(2025, 4, 10, 9, 0), Channel.Branch, [Line("S-1", 60m)]),
            Purchase.Create(new TransactionId("R1"), Ann, Instant.FromUtc(2025, 4, 20, 9, 0), Channel.Web, [Line("S-2", -30m, "bags")]),
        };

        var profile = new CustomerProfile(Ann).ProjectPurchases(purchases, Berlin);

        Assert.Equal(2, profile.PurchaseCount);
        Assert.Equal(165m, profile.TotalSpent);                 // 135 + 60 - 30
        Assert.Equal(97.50m, profile.AverageOrderValue);        // (135 + 60) / 2
        Assert.Equal("EUR", profile.Currency);
        Assert.Equal(new LocalDate(2025, 3, 2), profile.FirstPurchaseDate);
        Assert.Equal(new LocalDate(2025, 4, 10), profile.LastPurchaseDate);
        var sku1 = Assert.Single(profile.PurchaseStats, s => s.Dimension == PurchaseDimension.Sku && s.Key == "S-1");
        Assert.Equal((2, 160m, new LocalDate(2025, 3, 2), new LocalDate(2025, 4, 10)), (sku1.Count, sku1.Total, sku1.FirstDate, sku1.LastDate));
        var bags = Assert.Single(profile.PurchaseStats, s => s.Dimension == PurchaseDimension.Category && s.Key == "bags");
        Assert.Equal((1, 0m), (bags.Count, bags.Total));        // bought and returned
        Assert.DoesNotContain(profile.PurchaseStats, s => s.Key == "DELIVERY");
        var web = Assert.Single(profile.PurchaseStats, s => s.Dimension == PurchaseDimension.Channel && s.Key == "Web");
        Assert.Equal(1, web.Count);
        Assert.Equal(2, profile.PurchaseDays.Count(d => d.Dimension == PurchaseDimension.Sku && d.Key == "S-1"));

        var rule = new AllOf(new PurchasedCondition(PurchaseDimension.Sku, "S-1", RuleValue.Of(new LocalDate(2025, 4, 1)), RuleValue.Of(new LocalDate(2025, 4, 30))),
            new ChannelShareCondition(Channel.Branch, RuleOperator.Gte, 50));
        Assert.True(RuleCompiler.Default.Compile(rule, new LocalDate(2025, 6, 1)).IsSatisfiedBy(profile));
    }

    [Fact]
    public void No_purchases_clears_the_aggregates()
    {
        var profile = new CustomerProfile(Ann) { PurchaseCount = 3, TotalSpent = 10m, Currency = "EUR", LastPurchaseDate = new LocalDate(2020, 1, 1) };
        profile.ProjectPurchases([], Berlin);
        Assert.Equal((0, 0m, 0m, null, null, null), (profile.PurchaseCount, profile.TotalSpent, profile.AverageOrderValue, profile.Currency, profile.FirstPurchaseDate, profile.LastPurchaseDate));
        Assert.Empty(profile.PurchaseStats);
    }

    [Fact]
    public void Rfm_scores_are_projected_and_cleared()
    {
        var result = RfmCalculator.Compute([Purchase.Create(new TransactionId("T1"), Ann, At, Channel.Web, new Money(10m, Currency.EUR))], new RfmOptions(new LocalDate(2025, 6, 30)));
        var profile = new CustomerProfile(Ann).ProjectRfm(result[0]);
        Assert.Equal((result[0].Score.R, result[0].Score.F, result[0].Score.M, result[0].Segment), (profile.RecencyScore, profile.FrequencyScore, profile.MonetaryScore, profile.RfmSegment));
        profile.ProjectRfm(null);
        Assert.Null(profile.RecencyScore);
        Assert.Null(profile.RfmSegment);
    }

    [Fact]
    public void Someone_elses_data_and_mixed_currencies_are_refused()
    {
        var profile = new CustomerProfile(new CustomerId("bob"));
        Assert.Throws<ArgumentException>("customer", () => profile.Project(Customer(), At, Berlin));
        Assert.Throws<ArgumentException>("purchases", () => profile.ProjectPurchases([Purchase.Create(new TransactionId("T1"), Ann, At, Channel.Web, new Money(1m, Currency.EUR))], Berlin));
        var mixed = new[]
        {
            Purchase.Create(new TransactionId("T1"), Ann, At, Channel.Web, new Money(1m, Currency.EUR)),
            Purchase.Create(new TransactionId("T2"), Ann, At, Channel.Web, new Money(1m, Currency.USD)),
        };
        Assert.Contains("USD", Assert.Throws<ArgumentException>("purchases", () => new CustomerProfile(Ann).ProjectPurchases(mixed, Berlin)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("profile", () => CustomerProfileProjection.Project(null!, Customer(), At, Berlin));
        Assert.Throws<ArgumentNullException>("purchases", () => new CustomerProfile(Ann).ProjectPurchases(null!, Berlin));
    }
}
