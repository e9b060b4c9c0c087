using Crm.Core.Rfm;

namespace Crm.Core.Tests.Rfm;

public class RfmSegmentMapTest
{
    [Fact]
    public void Default_map_has_the_ten_names_and_covers_every_r_f_cell_once()
    {
        var map = RfmSegmentMap.Default;
        Assert.Equal(
            ["Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention", "About to Sleep", "At Risk", "Can't Lose", "Hibernating"],
            map.Segments);
        for (var r = 1; r <= 5; r++)
        {
            for (var f = 1; f <= 5; f++)
            {
                var score = new RfmScore(r, f, 1);
                Assert.Single(map.Rules, rule => rule.Matches(score));
            }
        }
    }

    [Theory]
    [InlineData(5, 5, "Champions")]
    [InlineData(5, 4, "Champions")]
    [InlineData(3, 5, "Loyal")]
    [InlineData(4, 2, "Potential Loyalist")]
    [InlineData(5, 1, "New")]
    [InlineData(4, 1, "Promising")]
    [InlineData(3, 3, "Need Attention")]
    [InlineData(3, 2, "About to Sleep")]
    [InlineData(2, 4, "At Risk")]
    [InlineData(1, 5, "Can't Lose")]
    [InlineData(1, 1, "Hibernating")]
    public void Default_map_cells(int r, int f, string segment)
    {
        for (var m = 1; m <= 5; m++)
        {
            Assert.Equal(segment, RfmSegmentMap.Default.SegmentOf(new RfmScore(r, f, m)));
        }
    }

    [Fact]
    public void Custom_map_first_match_wins_and_falls_back()
    {
        var map = new RfmSegmentMap(3,
        [
            new RfmSegmentRule("Whales", RfmRange.Any(3), RfmRange.Any(3), RfmRange.Only(3)),
            new RfmSegmentRule("Fresh", RfmRange.Only(3), RfmRange.Any(3), RfmRange.Any(3)),
        ], "Others");
        Assert.Equal("Whales", map.SegmentOf(new RfmScore(3, 1, 3)));
        Assert.Equal("Fresh", map.SegmentOf(new RfmScore(3, 1, 2)));
        Assert.Equal("Others", map.SegmentOf(new RfmScore(1, 1, 1)));
        Assert.Equal(["Whales", "Fresh", "Others"], map.Segments);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.SegmentOf(new RfmScore(4, 1, 1)));
    }

    [Fact]
    public void Custom_map_is_validated_on_construction()
    {
        Assert.Throws<ArgumentException>(() => new RfmSegmentMap(3, [new RfmSegmentRule(" ", RfmRange.Any(3), RfmRange.Any(3), RfmRange.Any(3))], "x"));
        Assert.Throws<ArgumentException>(() => new RfmSegmentMap(3, [new RfmSegmentRule("a", new RfmRange(1, 4), RfmRange.Any(3), RfmRange.Any(3))], "x"));
        Assert.Throws<ArgumentException>(() => new RfmSegmentMap(3, [new RfmSegmentRule("a", new RfmRange(3, 2), RfmRange.Any(3), RfmRange.Any(3))], "x"));
        Assert.Throws<ArgumentException>(() => new RfmSegmentMap(3, [], " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RfmSegmentMap(1, [], "x"));
    }
}
