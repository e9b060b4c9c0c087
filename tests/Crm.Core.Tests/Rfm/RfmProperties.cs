using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;
using static Crm.Core.Tests.Rfm.RfmTestData;

namespace Crm.Core.Tests.Rfm;

public class RfmProperties
{
    private static readonly RfmScoring[] Strategies =
        [RfmScoring.TieAwareQuantiles, RfmScoring.EqualCount, RfmScoring.FixedThresholds([3, 10, 30, 60], [2, 3, 5, 8], [10m, 50m, 100m, 200m])];

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Scores_are_in_1_to_k(RfmRowSet set, PositiveInt binsSeed)
    {
        var k = 2 + (binsSeed.Get % 8);
        foreach (var scoring in Strategies.Take(2))
        {
            var result = Compute(set, new RfmOptions(set.AsOf) { Bins = k, Scoring = scoring });
            if (!result.All(c => c.Score.R is >= 1 and var r && r <= k && c.Score.F >= 1 && c.Score.F <= k && c.Score.M >= 1 && c.Score.M <= k))
            {
                return false;
            }
        }
        var fixedResult = Compute(set, new RfmOptions(set.AsOf) { Scoring = Strategies[2] });
        return fixedResult.All(c => c.Score.R is >= 1 and <= 5 && c.Score.F is >= 1 and <= 5 && c.Score.M is >= 1 and <= 5);
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Equal_values_get_equal_scores(RfmRowSet set)
    {
        foreach (var scoring in new[] { Strategies[0], Strategies[2] })
        {
            var c = Compute(set, new RfmOptions(set.AsOf) { Scoring = scoring }).ToArray();
            foreach (var a in c)
            {
                foreach (var b in c)
                {
                    if ((a.RecencyDays == b.RecencyDays && a.Score.R != b.Score.R)
                        || (a.Frequency == b.Frequency && a.Score.F != b.Score.F)
                        || (a.Monetary == b.Monetary && a.Score.M != b.Score.M))
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Scores_are_monotone(RfmRowSet set)
    {
        foreach (var scoring in Strategies)
        {
            var c = Compute(set, new RfmOptions(set.AsOf) { Scoring = scoring }).ToArray();
            foreach (var a in c)
            {
                foreach (var b in c)
                {
                    if ((a.Frequency > b.Frequency && a.Score.F < b.Score.F)
                        || (a.Monetary > b.Monetary && a.Score.M < b.Score.M)
                        || (a.RecencyDays < b.RecencyDays && a.Score.R < b.Score.R))
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Permuting_rows_changes_nothing(RfmRowSet set, int seed)
    {
        var shuffled = set.Rows.ToArray();
        new Random(seed).Shuffle(shuffled);
        return Strategies.All(scoring =>
        {
            var options = new RfmOptions(set.AsOf) { Scoring = scoring };
            return Describe(Compute(set.Rows, options), c => c.Value) == Describe(Compute(shuffled, options), c => c.Value);
        });
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Splitting_an_order_into_lines_changes_nothing(RfmRowSet set, int seed)
    {
        // Give every row its own order id, then split each order into two lines with the same id and date.
        var random = new Random(seed);
        var whole = set.Rows.Select((r, i) => r with { Transaction = new TransactionId($"X{i}") }).ToArray();
        var split = whole.SelectMany(r =>
        {
            var part = Math.Round(r.Amount * (decimal)random.NextDouble(), 2);
            return new[] { r with { Amount = part }, r with { Amount = r.Amount - part } };
        }).ToArray();
        var options = new RfmOptions(set.AsOf);
        return Describe(Compute(whole, options), c => c.Value) == Describe(Compute(split, options), c => c.Value);
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Every_customer_gets_exactly_one_default_segment(RfmRowSet set)
    {
        var result = Compute(set);
        var names = RfmSegmentMap.Default.Segments;
        var report = result.SegmentReport();
        return result.All(c => c.Segment is not null && names.Contains(c.Segment)
                               && RfmSegmentMap.Default.Rules.Count(rule => rule.Matches(c.Score)) == 1)
               && report.Sum(s => s.Count) == result.Count;
    }

    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public bool Bulk_form_agrees_with_the_row_form(RfmRowSet set)
    {
        // Customer ids are "000".."011": numeric keys keep their order, so equal-count ties break the same way.
        var rows = set.Rows.Select((r, i) => r with { Transaction = new TransactionId($"X{i}") }).ToArray();
        var keys = rows.Select(r => long.Parse(r.Customer.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var dates = rows.Select(r => r.Date).ToArray();
        var amounts = rows.Select(r => r.Amount).ToArray();
        return Strategies.All(scoring =>
        {
            var options = new RfmOptions(set.AsOf) { Scoring = scoring };
            var expected = Describe(Compute(rows, options), c => c.Value);
            var bulk = RfmCalculator.Compute(keys, dates, amounts, Currency.EUR, options);
            return expected == Describe(bulk, k => k.ToString("000", System.Globalization.CultureInfo.InvariantCulture));
        });
    }
}
