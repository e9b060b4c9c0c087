using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class SqliteSmokeTest
{
    [Fact]
    public void Every_kind_of_condition_translates()
    {
        var today = new LocalDate(2024, 3, 1);
        var profiles = Enumerable.Range(0, 40).Select(i => new CustomerProfile(new CustomerId($"c{i:00}"))
        {
            City = i % 3 == 0 ? "Berlin" : i % 3 == 1 ? "BERLIN-Mitte" : null,
            PurchaseCount = i,
            TotalSpent = i * 10.5m,
            AverageOrderValue = i * 1.25m,
            RecencyScore = i % 5 == 0 ? null : i % 5,
            LastPurchaseDate = i % 4 == 0 ? null : today.PlusDays(-i * 3),
            BirthDate = new LocalDate(1980 + (i % 10), 1 + (i % 12), 1 + (i % 28)),
            Tags = i % 2 == 0 ? ["vip", "newsletter"] : [],
            Consents = i % 3 == 0 ? [CustomerProfile.ConsentKey("marketing", Channel.Email)] : [],
            Attributes = [ProfileAttribute.OfNumber("shoeSize", 36 + (i % 10)), ProfileAttribute.OfText("colour", i % 2 == 0 ? "Red" : "blue")],
            PurchaseStats = i == 0 ? [] : [new ProfilePurchaseStat { Dimension = PurchaseDimension.Channel, Key = "Web", Count = i / 2, Total = i, FirstDate = today.PlusDays(-100), LastDate = today.PlusDays(-i) }],
            Holdings = i % 5 == 1 ? [new ProfileHolding { ProductId = "P1", Category = "loans", IsActive = true }] : [],
        }).ToList();
        using var db = new ProfileDatabase();
        db.Store(profiles);
        var rules = new RuleNode[]
        {
            new FieldCondition("city", RuleOperator.Eq, "berlin") { IgnoreCase = true },
            new FieldCondition("city", RuleOperator.StartsWith, "BERLIN"),
            new FieldCondition("city", RuleOperator.EndsWith, "mitte") { IgnoreCase = true },
            new FieldCondition("city", RuleOperator.Contains, "rl"),
            new FieldCondition("city", RuleOperator.NotIn, "Berlin", "Paris"),
            new FieldCondition("city", RuleOperator.IsEmpty),
            new FieldCondition("purchases.count", RuleOperator.Between, 3, 9),
            new FieldCondition("purchases.total", RuleOperator.Gt, 100.25m),
            new FieldCondition("purchases.averageOrderValue", RuleOperator.Lte, 10m),
            new FieldCondition("rfm.r", RuleOperator.Gte, 3),
            new FieldCondition("rfm.r", RuleOperator.Ne, 3),
            new FieldCondition("purchases.last", RuleOperator.Gte, RuleValue.DaysAgo(30)),
            new FieldCondition("purchases.last", RuleOperator.InPeriod, RuleValue.Period(CalendarUnit.Month, -1)),
            new FieldCondition("tags", RuleOperator.Contains, "vip"),
            new FieldCondition("tags", RuleOperator.IsEmpty),
            new AttributeCondition("shoeSize", AttributeType.Number, RuleOperator.Gte, 40),
            new AttributeCondition("colour", AttributeType.Text, RuleOperator.Eq, "red") { IgnoreCase = true },
            new AttributeCondition("missing", AttributeType.Text, RuleOperator.IsEmpty),
            new PurchasedCondition(PurchaseDimension.Channel, "Web", RuleValue.DaysAgo(10)),
            new ChannelShareCondition(Channel.Web, RuleOperator.Gte, 50),
            new ChannelShareCondition(Channel.Web, RuleOperator.Lt, 50),
            new HoldsCondition(null, "loans"),
            new ConsentCondition("marketing", Channel.Email),
            new AnniversaryCondition(AnniversaryKind.Birthday, 45),
            new NotOf(new AnyOf(new FieldCondition("rfm.r", RuleOperator.IsEmpty), new FieldCondition("tags", RuleOperator.Contains, "vip"))),
        };
        foreach (var rule in rules)
        {
            var criterion = RuleCompiler.Default.Compile(rule, today);
            var inMemory = profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
            var inDatabase = db.Members(criterion);
            Assert.True(inMemory.SequenceEqual(inDatabase), $"{SegmentDefinitionJson.Serialize(rule)}: memory [{string.Join(",", inMemory)}] vs SQL [{string.Join(",", inDatabase)}]");
        }
    }
}
