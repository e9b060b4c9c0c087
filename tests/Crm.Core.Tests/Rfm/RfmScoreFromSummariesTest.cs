using Crm.Core.Customers;
using Crm.Core.Rfm;
using Crm.Core.Testing;
using FsCheck.Xunit;
using NodaTime;
using static Crm.Core.Tests.Rfm.RfmTestData;

namespace Crm.Core.Tests.Rfm;

/// <summary><see cref="RfmCalculator.Score"/>: scoring metrics aggregated elsewhere (e.g. by a database GROUP BY).</summary>
public class RfmScoreFromSummariesTest
{
    [Property(Arbitrary = new[] { typeof(RfmArbitraries) })]
    public void Scoring_the_summaries_of_a_computation_reproduces_it(RfmRowSet set)
    {
        var options = new RfmOptions(set.AsOf) { WindowDays = 60 };
        var computed = Compute(set, options);
        var summaries = computed.Select(c => new RfmCustomerSummary(c.Customer, set.AsOf.PlusDays(-c.RecencyDays), c.Frequency, c.Monetary)).Reverse();

        var scored = RfmCalculator.Score(summaries, Currency.EUR, options);

        Assert.Equal(Describe(computed, id => id.Value), Describe(scored, id => id.Value));
    }

    [Fact]
    public void Monetary_values_near_decimals_range_are_scored_exactly()
    {
        var options = new RfmOptions(AsOf) { WindowDays = 30 };

        var scored = RfmCalculator.Score([new RfmCustomerSummary(C("rich"), AsOf.PlusDays(-1), 1, 1e27m), new RfmCustomerSummary(C("poor"), AsOf.PlusDays(-1), 1, 10m)],
            Currency.EUR, options);

        Assert.Equal(C("rich"), Assert.Single(scored.Top(50m)).Customer);
    }

    [Fact]
    public void Bad_summaries_are_refused_naming_the_customer()
    {
        var options = new RfmOptions(AsOf) { WindowDays = 30 };
        RfmCustomerSummary Row(string id, int daysBack = 1, int frequency = 1) => new(C(id), AsOf.PlusDays(-daysBack), frequency, 10m);

        Assert.Contains("'a' appears more than once", Assert.Throws<ArgumentException>("summaries", () => RfmCalculator.Score([Row("a"), Row("a")], Currency.EUR, options)).Message, StringComparison.Ordinal);
        Assert.Contains("'b' has frequency 0", Assert.Throws<ArgumentException>("summaries", () => RfmCalculator.Score([Row("b", frequency: 0)], Currency.EUR, options)).Message, StringComparison.Ordinal);
        Assert.Contains("'c' last bought", Assert.Throws<ArgumentException>("summaries", () => RfmCalculator.Score([Row("c", daysBack: 30)], Currency.EUR, options)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("summaries", () => RfmCalculator.Score([Row("d", daysBack: -1)], Currency.EUR, options));
        Assert.Throws<ArgumentException>("summaries", () => RfmCalculator.Score([default], Currency.EUR, options));
        Assert.Throws<ArgumentException>("currency", () => RfmCalculator.Score([Row("e")], null, options));
        Assert.Throws<ArgumentNullException>("summaries", () => RfmCalculator.Score(null!, Currency.EUR, options));
        Assert.Throws<ArgumentNullException>("options", () => RfmCalculator.Score([], Currency.EUR, null!));
    }

    [Fact]
    public void No_summaries_give_an_empty_result()
    {
        var result = RfmCalculator.Score([], null, new RfmOptions(AsOf));
        Assert.Empty(result);
        Assert.Null(result.Currency);
    }
}
