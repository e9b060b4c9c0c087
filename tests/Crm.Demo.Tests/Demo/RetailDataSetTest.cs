using Crm.Demo.Data;

namespace Crm.Demo.Tests.Demo;

public class RetailDataSetTest
{
    [Fact]
    public void The_same_seed_generates_the_same_data()
    {
        var a = RetailDataSet.Generate(7, 200);
        var b = RetailDataSet.Generate(7, 200);
        Assert.Equal(Describe(a), Describe(b));
        Assert.Equal(a.Today, b.Today);
    }

    [Fact]
    public void Another_seed_generates_other_data()
    {
        Assert.NotEqual(Describe(RetailDataSet.Generate(7, 200)), Describe(RetailDataSet.Generate(8, 200)));
    }

    [Fact]
    public void The_data_looks_like_retail()
    {
        // The default data set of the default demo (the demo's own test runs are smaller).
        var data = RetailDataSet.Generate(RetailDataSet.DefaultSeed, RetailDataSet.DefaultCustomers);
        Assert.Equal(RetailDataSet.DefaultCustomers, data.Customers.Count);
        // Every registration channel is used.
        Assert.Equal(5, data.Customers.Select(c => c.RegisteredVia).Distinct().Count());
        // Skewed buying: most buyers buy once or twice, some buy often; a few purchases are returned.
        var perBuyer = data.Purchases.Where(p => !p.IsRefund).GroupBy(p => p.CustomerId).Select(g => g.Count()).ToList();
        Assert.True(perBuyer.Count(n => n == 1) > perBuyer.Count / 3, "many one-off buyers");
        Assert.Contains(perBuyer, n => n >= 8);
        Assert.InRange(data.Purchases.Count(p => p.IsRefund), 1, data.Purchases.Count / 10);
        // One to two years of history, "today" taken from the data.
        Assert.True(data.Today > RetailDataSet.FirstDay.PlusYears(1));
        Assert.Equal(data.Today, data.Purchases.Max(p => p.OccurredAt).InZone(RetailDataSet.Zone).Date);
        Assert.All(data.Purchases.SelectMany(p => p.Lines), l => Assert.Contains(data.Catalogue, p => p.Sku == l.Sku && p.Category == l.Category));
    }

    private static string Describe(RetailDataSet data) =>
        string.Join("\n", data.Customers.Select(c => $"{c.Customer.Id} {c.Customer.Name.DisplayName} {c.RegisteredVia} {c.Customer.CreatedAt}"))
        + string.Join("\n", data.Purchases.Select(p => $"{p.Id} {p.CustomerId} {p.OccurredAt} {p.Total}"));
}
