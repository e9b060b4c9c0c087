using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.ChurnRisk;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Lifecycle;
using NodaTime;

namespace Crm.Core.Analytics.Tests.ChurnRisk;

public class BgNbdChurnRiskModelTest
{
    private static readonly BgNbdParameters Cdnow = new(0.2426, 4.4136, 0.7929, 2.4259);

    [Fact]
    public void ProbabilityAlive_ConvertsDaysToTheModelsWeeks()
    {
        // CDNOW customer 1: first purchase 1997-01-01, purchases on 3 days, last on 1997-08-02; as of 1997-09-30.
        var history = PurchaseSummary.FromPurchaseDates([new LocalDate(1997, 1, 1), new LocalDate(1997, 1, 18), new LocalDate(1997, 8, 2)]);
        IChurnRiskModel adapter = new BgNbdChurnRiskModel(new BgNbdModel(Cdnow, PeriodUnit.Week));
        var expected = new BgNbdModel(Cdnow, PeriodUnit.Week).ProbabilityAlive(new RecencyFrequency(2, 213 / 7.0, 272 / 7.0));
        Assert.Equal(expected, adapter.ProbabilityAlive(history, new LocalDate(1997, 9, 30)), 12);
        Assert.Equal(0.7266, adapter.ProbabilityAlive(history, new LocalDate(1997, 9, 30)), 3);
    }

    [Fact]
    public void ProbabilityAlive_SameInDaysAndWeeksModels()
    {
        var history = PurchaseSummary.FromPurchaseDates([new LocalDate(2024, 1, 1), new LocalDate(2024, 2, 1)]);
        var weeks = new BgNbdChurnRiskModel(new BgNbdModel(Cdnow, PeriodUnit.Week));
        // α is a rate in 1/periods: the same population in days has α·7.
        var days = new BgNbdChurnRiskModel(new BgNbdModel(new BgNbdParameters(Cdnow.R, Cdnow.Alpha * 7, Cdnow.A, Cdnow.B), PeriodUnit.Day));
        var asOf = new LocalDate(2024, 6, 1);
        Assert.Equal(weeks.ProbabilityAlive(history, asOf), days.ProbabilityAlive(history, asOf), 12);
    }

    [Fact]
    public void ProbabilityAlive_PurchasesAfterAsOf_Throws()
    {
        var history = PurchaseSummary.FromPurchaseDates([new LocalDate(2024, 1, 1), new LocalDate(2024, 3, 1)]);
        var adapter = new BgNbdChurnRiskModel(new BgNbdModel(Cdnow, PeriodUnit.Week));
        Assert.Equal("asOf", Assert.Throws<ArgumentException>(() => adapter.ProbabilityAlive(history, new LocalDate(2024, 2, 1))).ParamName);
    }

    [Fact]
    public void Adapter_PlugsIntoEngagementRules()
    {
        var adapter = new BgNbdChurnRiskModel(new BgNbdModel(Cdnow, PeriodUnit.Week));
        var rules = EngagementRules.Default with { ChurnRiskModel = adapter };
        Assert.Same(adapter, rules.ChurnRiskModel);
    }
}
