using Crm.Core.Segmentation;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Segmentation;

public class TreatmentPlanTest
{
    private static readonly SegmentId Gold = new("gold"), Silver = new("silver"), Churn = new("churn-risk");

    private static readonly TreatmentPlan Plan = new(
        [
            new TreatmentRule(Silver, new Treatment("serviceLevel", "silver"), 10),
            new TreatmentRule(Gold, new Treatment("serviceLevel", "gold"), 20),
            new TreatmentRule(Churn, new Treatment("serviceLevel", "retention-desk"), 20),
            new TreatmentRule(Gold, new Treatment("offer", "lounge"), 1),
            new TreatmentRule(Churn, new Treatment("offer", "win-back-10"), 5),
        ],
        additiveDimensions: ["offer"]);

    [Fact]
    public void Highest_priority_wins_and_ties_go_to_the_first_key()
    {
        var treatments = Plan.Resolve([Silver, Gold, Churn]);
        var service = treatments.Single(t => t.Treatment.Dimension == "serviceLevel");
        // gold and churn-risk tie at 20: "churn-risk" sorts first (ordinal).
        Assert.Equal("retention-desk", service.Treatment.Value);
        Assert.Equal([Gold, Silver], service.Overridden);
        Assert.Equal(["win-back-10", "lounge"], treatments.Where(t => t.Treatment.Dimension == "offer").Select(t => t.Treatment.Value));
        Assert.Empty(Plan.Resolve([new SegmentId("other")]));
    }

    [Property]
    public bool Resolution_does_not_depend_on_membership_order(bool a, bool b, bool c, int seed)
    {
        var memberships = new[] { (a, Gold), (b, Silver), (c, Churn) }.Where(x => x.Item1).Select(x => x.Item2).ToList();
        var shuffled = memberships.OrderBy(_ => new Random(seed).Next()).ToList();
        return Plan.Resolve(memberships).Select(t => (t.Treatment, t.SegmentId)).SequenceEqual(Plan.Resolve(shuffled).Select(t => (t.Treatment, t.SegmentId)));
    }

    [Fact]
    public void Two_treatments_of_one_dimension_for_one_segment_are_rejected()
    {
        Assert.Throws<ArgumentException>("rules", () => new TreatmentPlan([new TreatmentRule(Gold, new Treatment("offer", "a"), 1), new TreatmentRule(Gold, new Treatment("offer", "b"), 2)]));
        Assert.Throws<ArgumentNullException>("rules", () => new TreatmentPlan(null!));
        Assert.Throws<ArgumentNullException>("memberships", () => Plan.Resolve(null!));
    }
}
