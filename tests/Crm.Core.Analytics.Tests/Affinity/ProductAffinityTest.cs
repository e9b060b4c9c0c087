using Crm.Core.Analytics.Affinity;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Analytics.Tests.Affinity;

public class ProductAffinityTest
{
    // 10 baskets: bread+butter often together, beer+chips together, milk everywhere.
    private static readonly string[][] Baskets =
    [
        ["bread", "butter", "milk"], ["bread", "butter"], ["bread", "butter", "jam"], ["bread", "milk"],
        ["beer", "chips"], ["beer", "chips", "milk"], ["beer", "chips"], ["milk"], ["milk", "jam"], ["bread", "jam", "butter"],
    ];

    private static readonly AffinityOptions Options = new() { MinSupport = 0.1, MinPairCount = 1, TopK = 2 };

    [Fact]
    public void Analyze_ComputesSupportConfidenceAndLift()
    {
        var model = ProductAffinity.Analyze(Baskets, AffinityBasis.Basket, Options);
        Assert.Equal(10, model.Transactions);
        var rule = model.Association("butter", "bread");
        Assert.NotNull(rule);
        Assert.Equal(4, rule.Count);
        Assert.Equal(0.4, rule.Support, 12);
        Assert.Equal(1.0, rule.Confidence, 12);          // every butter basket has bread
        Assert.Equal(1.0 / 0.5, rule.Lift, 12);           // bread is in 5 of 10
        Assert.Equal(0.8, model.Association("bread", "butter")!.Confidence, 12);
        Assert.Equal(0.5, model.Support("bread"), 12);
    }

    [Fact]
    public void Analyze_MinSupport_DropsRarePairsAndProducts()
    {
        var model = ProductAffinity.Analyze(Baskets, AffinityBasis.Basket, Options with { MinSupport = 0.35 });
        Assert.Null(model.Association("beer", "milk"));
        Assert.NotNull(model.Association("bread", "butter"));
        Assert.Equal(0, model.Support("beer")); // 3 of 10 < 0.35
    }

    [Fact]
    public void TopAssociations_AreOrderedByLiftAndLimitedToTopK()
    {
        var model = ProductAffinity.Analyze(Baskets, AffinityBasis.Basket, Options);
        var top = model.TopAssociations("beer");
        Assert.Equal("chips", top[0].Consequent);
        Assert.True(top.Count <= 2);
        Assert.True(top.Zip(top.Skip(1)).All(p => p.First.Lift >= p.Second.Lift));
        Assert.Empty(model.TopAssociations("unknown"));
    }

    [Fact]
    public void Analyze_DuplicatesInABasketCountOnce()
    {
        var model = ProductAffinity.Analyze([["a", "a", "b"], ["a", "b", "b"]], AffinityBasis.Basket, Options);
        Assert.Equal(2, model.Association("a", "b")!.Count);
        Assert.Equal(1.0, model.Support("a"));
    }

    [Fact]
    public void RankCustomers_ExcludesHoldersAndGivesReasons()
    {
        var model = ProductAffinity.Analyze(Baskets, AffinityBasis.Basket, Options);
        CustomerHoldings<string>[] customers =
        [
            new(new CustomerId("has-bread"), ["bread", "butter"]),
            new(new CustomerId("butter-fan"), ["butter", "jam"]),
            new(new CustomerId("beer-only"), ["beer"]),
            new(new CustomerId("jam-only"), ["jam"]),
        ];
        var ranked = model.RankCustomers("bread", customers, 10);
        Assert.DoesNotContain(ranked, r => r.CustomerId.Value == "has-bread");
        Assert.DoesNotContain(ranked, r => r.CustomerId.Value == "beer-only"); // beer → bread has no positive lift
        Assert.Equal("butter-fan", ranked[0].CustomerId.Value);
        Assert.Equal("butter", ranked[0].Reasons[0].Antecedent);
        Assert.True(ranked[0].Score > ranked[1].Score);
        Assert.InRange(ranked[0].Score, 0, 1);
    }

    [Fact]
    public void FromPurchases_CategoryLevelAndCustomerBasis()
    {
        var eur = Currency.EUR;
        var when = Instant.FromUtc(2024, 1, 1, 12, 0);
        Purchase Buy(string tx, string customer, params (string Sku, string Category)[] lines) =>
            Purchase.Create(new TransactionId(tx), new CustomerId(customer), when, Channel.Web,
                lines.Select(l => new PurchaseLine(new Sku(l.Sku), 1, new Money(10m, eur), l.Category)));
        Purchase[] purchases =
        [
            Buy("t1", "c1", ("sku-1", "books")), Buy("t2", "c1", ("sku-9", "music")),
            Buy("t3", "c2", ("sku-2", "books"), ("sku-8", "music")),
            Buy("t4", "c3", ("sku-3", "garden")),
        ];
        var byBasket = ProductAffinity.FromPurchases(purchases, l => l.Category, AffinityBasis.Basket, Options);
        var byCustomer = ProductAffinity.FromPurchases(purchases, l => l.Category, AffinityBasis.Customer, Options);
        Assert.Equal(4, byBasket.Transactions);
        Assert.Equal(3, byCustomer.Transactions);
        Assert.Equal(1, byBasket.Association("books", "music")!.Count);
        Assert.Equal(2, byCustomer.Association("books", "music")!.Count);
        var holdings = ProductAffinity.HoldingsFromPurchases(purchases, l => l.Sku.Value);
        Assert.Equal(3, holdings.Count);
    }

    [Fact]
    public void Analyze_InvalidOptions_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProductAffinity.Analyze(Baskets, AffinityBasis.Basket, Options with { TopK = 0 }));
}
