using Crm.Core.Analytics.Affinity;
using Crm.Core.Testing;
using FsCheck.Xunit;

namespace Crm.Core.Analytics.Tests.Affinity;

/// <summary>Support, confidence and lift agree with a brute-force recount, and the pair measures are consistent.</summary>
public class ProductAffinityProperties
{
    private static readonly AffinityOptions Everything = new() { MinSupport = 0, MinPairCount = 1, TopK = 100 };

    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Support_counts_agree_with_a_recount(BasketSet set)
    {
        var model = ProductAffinity.Analyze(set.Baskets, AffinityBasis.Basket, Everything);
        var baskets = set.Baskets.Select(b => b.ToHashSet()).ToArray();
        var n = baskets.Length;
        return model.Transactions == n && model.Products.All(p => model.Support(p) == (double)baskets.Count(b => b.Contains(p)) / n)
            && Pairs(model).All(pair =>
            {
                var rule = model.Association(pair.A, pair.B);
                var both = baskets.Count(b => b.Contains(pair.A) && b.Contains(pair.B));
                return both == 0 ? rule is null : rule is not null && rule.Count == both && rule.Support == (double)both / n;
            });
    }

    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Lift_is_symmetric_and_confidence_is_a_probability(BasketSet set)
    {
        var model = ProductAffinity.Analyze(set.Baskets, AffinityBasis.Basket, Everything);
        return Pairs(model).All(pair =>
        {
            var forward = model.Association(pair.A, pair.B);
            var backward = model.Association(pair.B, pair.A);
            if (forward is null || backward is null)
            {
                return forward is null && backward is null;
            }
            return Math.Abs(forward.Lift - backward.Lift) <= 1e-12 * forward.Lift
                && forward.Confidence is > 0 and <= 1 && backward.Confidence is > 0 and <= 1
                && Math.Abs((forward.Confidence * model.Support(pair.A)) - forward.Support) <= 1e-12; // P(B|A)·P(A) = P(A, B)
        });
    }

    [Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]
    public bool Top_associations_are_sorted_by_lift_and_limited(BasketSet set)
    {
        var model = ProductAffinity.Analyze(set.Baskets, AffinityBasis.Basket, Everything with { TopK = 2 });
        return model.Products.All(p =>
        {
            var top = model.TopAssociations(p);
            return top.Count <= 2 && top.All(a => a.Antecedent == p) && top.Zip(top.Skip(1)).All(x => x.First.Lift >= x.Second.Lift);
        });
    }

    private static IEnumerable<(string A, string B)> Pairs(ProductAffinityModel<string> model) =>
        from a in model.Products from b in model.Products where a != b select (a, b);
}
