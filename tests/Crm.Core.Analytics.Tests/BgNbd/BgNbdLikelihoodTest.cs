using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;

namespace Crm.Core.Analytics.Tests.BgNbd;

/// <summary>The collapsed, grouped, time-indexed likelihood must equal the plain per-customer sum of FHL eq. 6.</summary>
public class BgNbdLikelihoodTest
{
    private static readonly (double R, double Alpha, double A, double B) At = (0.3, 5.0, 0.6, 2.0);

    [Fact]
    public void LogLikelihood_DiscreteTimes_EqualsPerCustomerSum()
    {
        // Day-granular times: the rows collapse and the times go through the value table.
        var random = new Random(1);
        var rows = Enumerable.Range(0, 5000).Select(_ =>
        {
            var age = random.Next(1, 60) / 7.0;
            var x = random.Next(0, 4);
            return new RecencyFrequency(x, x == 0 ? 0 : Math.Floor(random.NextDouble() * age * 7) / 7, age);
        }).ToArray();
        AssertMatchesDirectSum(rows);
        Assert.True(BgNbdLikelihood.Create(rows).DistinctRows < 2500, "day-granular rows should collapse");
    }

    [Fact]
    public void LogLikelihood_ContinuousTimes_EqualsPerCustomerSum()
    {
        var random = new Random(2);
        var rows = Enumerable.Range(0, 80_000).Select(_ =>
        {
            var age = 1 + (50 * random.NextDouble());
            var x = random.Next(0, 6);
            return new RecencyFrequency(x, x == 0 ? 0 : age * random.NextDouble(), age);
        }).ToArray();
        AssertMatchesDirectSum(rows);
        Assert.Equal(rows.Length, BgNbdLikelihood.Create(rows).DistinctRows);
    }

    [Fact]
    public void Subsample_KeepsEveryKthDistinctRowWithItsWeight()
    {
        var rows = Enumerable.Range(0, 1000).Select(i => new RecencyFrequency(i % 3, i % 3 == 0 ? 0 : 1, 2 + (i % 50))).ToArray();
        var full = BgNbdLikelihood.Create(rows);
        var sample = full.Subsample(10);
        Assert.InRange(sample.DistinctRows, 10, 20);
        Assert.True(sample.TotalWeight > 0 && sample.TotalWeight < full.TotalWeight);
    }

    private static void AssertMatchesDirectSum(RecencyFrequency[] rows)
    {
        var (r, alpha, a, b) = At;
        var gradient = new double[4];
        var collapsed = BgNbdLikelihood.Create(rows).LogLikelihood(r, alpha, a, b, gradient);
        var direct = rows.Sum(row => Direct(row, r, alpha, a, b));
        BgNbdModelTest.AssertRelative(direct, collapsed, 1e-11);
        // Order of rows must not matter (beyond rounding): reversed input gives the same value.
        BgNbdModelTest.AssertRelative(collapsed, BgNbdLikelihood.Create(rows.Reverse().ToArray()).LogLikelihood(r, alpha, a, b, []), 1e-12);
    }

    // FHL 2005 eq. 6, term by term, for one customer.
    private static double Direct(RecencyFrequency row, double r, double alpha, double a, double b)
    {
        var x = row.Frequency;
        var a1 = MathNet.Numerics.SpecialFunctions.GammaLn(r + x) - MathNet.Numerics.SpecialFunctions.GammaLn(r) + (r * Math.Log(alpha));
        var a2 = MathNet.Numerics.SpecialFunctions.BetaLn(a, b + x) - MathNet.Numerics.SpecialFunctions.BetaLn(a, b);
        var a3 = -(r + x) * Math.Log(alpha + row.Age);
        if (x == 0)
        {
            return a1 + a2 + a3;
        }
        var a4 = Math.Log(a / (b + x - 1)) - ((r + x) * Math.Log(alpha + row.Recency));
        var max = Math.Max(a3, a4);
        return a1 + a2 + max + Math.Log(Math.Exp(a3 - max) + Math.Exp(a4 - max));
    }
}
