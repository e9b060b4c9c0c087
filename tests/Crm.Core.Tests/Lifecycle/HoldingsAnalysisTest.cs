using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Lifecycle;

public class HoldingsAnalysisTest
{
    private static readonly LocalDate From = new(2025, 1, 1);
    private static readonly LocalDate To = new(2025, 12, 31);

    private static ProfileHolding Held(string category, LocalDate? closedOn = null) =>
        new() { ProductId = category + "-1", Category = category, OpenedOn = From.PlusDays(-100), ClosedOn = closedOn, IsActive = closedOn is null };

    private static CustomerProfile Customer(string id, params ProfileHolding[] holdings) =>
        new(new CustomerId(id)) { Holdings = [.. holdings] };

    [Fact]
    public void Churn_rate_is_computed_per_number_of_products_held_at_the_start()
    {
        var leftMidYear = From.PlusDays(180);
        var customers = new[]
        {
            Customer("a", Held("current")),
            Customer("b", Held("current", leftMidYear)),
            Customer("c", Held("current"), Held("savings")),
            Customer("d", Held("current", leftMidYear), Held("savings", leftMidYear)),
            Customer("e", Held("current", leftMidYear), Held("savings")), // still holds one: not churned
            Customer("f", Held("current"), Held("savings"), Held("card"), Held("mortgage")),
            Customer("g"), // holds nothing at the start: not in any bucket
        };

        var report = HoldingsAnalysis.ChurnByProductsHeld(customers, From, To);

        Assert.Equal(["1", "2", "3+"], report.Buckets.Select(b => b.Label));
        Assert.Equal((2, 1, 0.5), (report.Buckets[0].Customers, report.Buckets[0].Churned, report.Buckets[0].ChurnRate));
        Assert.Equal((3, 1), (report.Buckets[1].Customers, report.Buckets[1].Churned));
        Assert.Equal(1.0 / 3, report.Buckets[1].ChurnRate, 10);
        Assert.Equal((1, 0, 0.0), (report.Buckets[2].Customers, report.Buckets[2].Churned, report.Buckets[2].ChurnRate));
    }

    [Fact]
    public void Products_opened_during_the_period_do_not_count_at_its_start()
    {
        var late = new ProfileHolding { ProductId = "p", Category = "savings", OpenedOn = From.PlusDays(10), IsActive = true };
        var report = HoldingsAnalysis.ChurnByProductsHeld([Customer("a", Held("current"), late)], From, To);
        Assert.Equal(1, report.Buckets[0].Customers);
        Assert.Equal(0, report.Buckets[1].Customers);
    }

    [Fact]
    public void Empty_period_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => HoldingsAnalysis.ChurnByProductsHeld([], From, From));
        Assert.Equal("to", ex.ParamName);
    }

    [Fact]
    public void Cross_sell_candidates_hold_one_or_two_products_of_the_family()
    {
        var banking = new CategoryFamily("everyday banking", "current", "savings", "card");
        var customers = new[]
        {
            Customer("one", Held("current")),
            Customer("two", Held("current"), Held("card")),
            Customer("all", Held("current"), Held("savings"), Held("card")),
            Customer("none", Held("mortgage")),
            Customer("closed", Held("current", From.PlusDays(-1))),
        };

        var candidates = HoldingsAnalysis.CrossSellCandidates(customers, banking, From).ToList();

        Assert.Equal(["one", "two"], candidates.Select(c => c.CustomerId.Value));
        Assert.Equal(["savings", "card"], candidates[0].MissingCategories);
        Assert.Equal(["current", "card"], candidates[1].HeldCategories);
        Assert.Equal(["savings"], candidates[1].MissingCategories);
    }

    [Fact]
    public void Category_family_needs_two_distinct_categories() =>
        Assert.Throws<ArgumentException>(() => new CategoryFamily("x", "a", "a"));
}
