using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using NodaTime;

namespace Crm.Core.Tests.Lifecycle;

public class EngagementEvaluatorTest
{
    private static readonly LocalDate Start = new(2025, 1, 1);
    private static readonly EngagementEvaluator Evaluator = new(EngagementRules.Default, DateTimeZone.Utc);

    private static PurchaseSummary Rhythm(int everyDays, int purchases) =>
        PurchaseSummary.FromPurchaseDates(Enumerable.Range(0, purchases).Select(i => Start.PlusDays(i * everyDays)));

    private static EngagementStatus After(PurchaseSummary summary, int silentDays) =>
        Evaluator.StatusOf(summary, summary.LastPurchase!.Value.PlusDays(silentDays));

    [Fact]
    public void Sixty_days_of_silence_churns_a_weekly_buyer_but_is_normal_for_a_yearly_one()
    {
        Assert.Equal(EngagementStatus.Churned, After(Rhythm(7, 10), 60));
        Assert.Equal(EngagementStatus.Active, After(Rhythm(30, 10), 60));
        Assert.Equal(EngagementStatus.Active, After(Rhythm(365, 4), 60));
    }

    [Theory]
    [InlineData(14, EngagementStatus.Active)]
    [InlineData(15, EngagementStatus.AtRisk)]
    [InlineData(21, EngagementStatus.AtRisk)]
    [InlineData(22, EngagementStatus.Lapsed)]
    [InlineData(28, EngagementStatus.Lapsed)]
    [InlineData(29, EngagementStatus.Churned)]
    public void Weekly_buyer_thresholds_are_two_three_and_four_intervals(int silentDays, EngagementStatus expected) =>
        Assert.Equal(expected, After(Rhythm(7, 8), silentDays));

    [Theory]
    [InlineData(60, EngagementStatus.Active)]
    [InlineData(61, EngagementStatus.AtRisk)]
    [InlineData(91, EngagementStatus.Lapsed)]
    [InlineData(121, EngagementStatus.Churned)]
    public void Monthly_buyer_thresholds(int silentDays, EngagementStatus expected) =>
        Assert.Equal(expected, After(Rhythm(30, 6), silentDays));

    [Theory]
    [InlineData(365, EngagementStatus.Active)]
    [InlineData(366, EngagementStatus.Churned)] // 4 × 365 is later than the 365-day cap
    public void Yearly_buyer_is_churned_after_the_365_day_cap(int silentDays, EngagementStatus expected) =>
        Assert.Equal(expected, After(Rhythm(365, 3), silentDays));

    [Theory]
    [InlineData(90, EngagementStatus.Active)]
    [InlineData(91, EngagementStatus.AtRisk)]
    [InlineData(180, EngagementStatus.AtRisk)]
    [InlineData(181, EngagementStatus.Lapsed)]
    [InlineData(365, EngagementStatus.Lapsed)]
    [InlineData(366, EngagementStatus.Churned)]
    public void Fewer_than_three_purchase_days_use_the_programme_defaults(int silentDays, EngagementStatus expected)
    {
        // Two purchases a week apart: a weekly cadence is not trusted yet, so 30 days of silence is fine.
        Assert.Equal(expected, After(Rhythm(7, 2), silentDays));
    }

    [Fact]
    public void The_typical_interval_is_the_median_gap_between_distinct_purchase_days()
    {
        var days = new[] { 0, 0, 7, 14, 100, 107 }.Select(d => Start.PlusDays(d));
        var summary = PurchaseSummary.FromPurchaseDates(days);
        Assert.Equal(5, summary.PurchaseDays);
        Assert.Equal(7.0, summary.TypicalIntervalDays);
        Assert.Equal(Start.PlusDays(100), summary.PreviousPurchase);
        Assert.Equal(Start.PlusDays(100), summary.ReactivatedOn); // 86 days after a weekly rhythm: churned, then back
    }

    [Fact]
    public void No_purchases_means_no_status() =>
        Assert.Equal(EngagementStatus.None, Evaluator.StatusOf(PurchaseSummary.Empty, Start));

    [Fact]
    public void A_purchase_after_lapsing_reactivates_for_ninety_days_then_active()
    {
        // Weekly buyer, silent for 40 days (lapsed or churned), then buys again.
        var days = Enumerable.Range(0, 6).Select(i => Start.PlusDays(i * 7)).Append(Start.PlusDays(35 + 40)).ToList();
        var summary = PurchaseSummary.FromPurchaseDates(days);
        var last = summary.LastPurchase!.Value;
        Assert.Equal(EngagementStatus.Reactivated, Evaluator.StatusOf(summary, last));
        Assert.Equal(EngagementStatus.Reactivated, Evaluator.StatusOf(summary, last.PlusDays(14)));
    }

    [Fact]
    public void Reactivated_turns_active_after_the_window_when_buying_continues()
    {
        // One-off customer returns after 200 days (lapsed by programme defaults) then buys monthly.
        var days = new List<LocalDate> { Start, Start.PlusDays(200) };
        var reactivated = PurchaseSummary.FromPurchaseDates(days);
        Assert.Equal(EngagementStatus.Reactivated, Evaluator.StatusOf(reactivated, Start.PlusDays(289)));
        Assert.Equal(EngagementStatus.Active, Evaluator.StatusOf(reactivated, Start.PlusDays(290)));
    }

    [Fact]
    public void Reactivation_lasts_ninety_days_from_the_comeback_even_when_buying_continues()
    {
        // Weekly buyer, churned after 60 silent days, then weekly again: Reactivated until day 89 after the comeback.
        var before = Enumerable.Range(0, 6).Select(i => Start.PlusDays(i * 7)).ToList();
        var comeback = Start.PlusDays(35 + 60);
        var after = Enumerable.Range(0, 14).Select(k => comeback.PlusDays(7 * k)).ToList();
        var untilDay84 = PurchaseSummary.FromPurchaseDates(before.Concat(after.Take(13)));
        Assert.Equal(comeback, untilDay84.ReactivatedOn);
        Assert.Equal(EngagementStatus.Reactivated, Evaluator.StatusOf(untilDay84, comeback.PlusDays(89)));
        var all = PurchaseSummary.FromPurchaseDates(before.Concat(after));
        Assert.Null(all.ReactivatedOn); // the comeback is more than 90 days before the last purchase: it no longer counts
        Assert.Equal(EngagementStatus.Active, Evaluator.StatusOf(all, comeback.PlusDays(91)));
    }

    [Fact]
    public void A_purchase_by_an_at_risk_customer_is_not_a_reactivation()
    {
        var summary = PurchaseSummary.FromPurchaseDates([Start, Start.PlusDays(100)]);
        Assert.Equal(EngagementStatus.Active, Evaluator.StatusOf(summary, Start.PlusDays(100)));
    }

    [Fact]
    public void Evaluating_before_the_last_purchase_throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Evaluator.StatusOf(Rhythm(7, 3), Start));
        Assert.Equal("asOf", ex.ParamName);
    }

    [Fact]
    public void Churn_risk_model_replaces_the_cadence_rule()
    {
        var evaluator = new EngagementEvaluator(EngagementRules.Default with { ChurnRiskModel = new FixedModel(0.2) }, DateTimeZone.Utc);
        Assert.Equal(EngagementStatus.Lapsed, evaluator.StatusOf(Rhythm(7, 5), Start.PlusDays(28)));
    }

    [Fact]
    public void Churn_risk_model_out_of_range_is_rejected_and_nothing_changes()
    {
        var evaluator = new EngagementEvaluator(EngagementRules.Default with { ChurnRiskModel = new FixedModel(1.5) }, DateTimeZone.Utc);
        var batch = new[] { new CustomerEngagement(new CustomerId("c1"), Rhythm(7, 3), EngagementStatus.Active) };
        var changes = new List<EngagementStatusChanged>();
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.EvaluateBatch(batch, Instant.FromUtc(2025, 6, 1, 0, 0), changes));
        Assert.Equal(EngagementStatus.Active, batch[0].Status);
        Assert.Empty(changes);
    }

    [Fact]
    public void Batch_updates_in_place_raises_events_and_is_idempotent()
    {
        var batch = new[]
        {
            new CustomerEngagement(new CustomerId("weekly"), Rhythm(7, 10), EngagementStatus.Active),
            new CustomerEngagement(new CustomerId("yearly"), Rhythm(365, 4), EngagementStatus.Active),
            new CustomerEngagement(new CustomerId("prospect"), PurchaseSummary.Empty, EngagementStatus.None),
        };
        var asOf = Rhythm(365, 4).LastPurchase!.Value.PlusDays(60).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var changes = new List<EngagementStatusChanged>();

        Assert.Equal(1, Evaluator.EvaluateBatch(batch, asOf, changes));
        var change = Assert.Single(changes);
        Assert.Equal(new CustomerId("weekly"), change.CustomerId);
        Assert.Equal(EngagementStatus.Active, change.From);
        Assert.Equal(EngagementStatus.Churned, change.To);
        Assert.Equal(asOf, change.OccurredAt);
        Assert.Equal(EngagementStatus.Churned, batch[0].Status);

        changes.Clear();
        Assert.Equal(0, Evaluator.EvaluateBatch(batch, asOf, changes));
        Assert.Empty(changes);
    }

    [Fact]
    public void Batch_with_a_bad_element_changes_nothing()
    {
        var batch = new[]
        {
            new CustomerEngagement(new CustomerId("a"), Rhythm(7, 10), EngagementStatus.Active),
            new CustomerEngagement(default, Rhythm(7, 10), EngagementStatus.Active),
        };
        var changes = new List<EngagementStatusChanged>();
        Assert.Throws<ArgumentException>(() => Evaluator.EvaluateBatch(batch, Instant.FromUtc(2030, 1, 1, 0, 0), changes));
        Assert.Equal(EngagementStatus.Active, batch[0].Status);
        Assert.Empty(changes);
    }

    [Fact]
    public void EvaluateAll_streams_in_batches_and_yields_every_change()
    {
        var customers = Enumerable.Range(0, 10).Select(i =>
            new CustomerEngagement(new CustomerId($"c{i}"), Rhythm(7, 5), i % 2 == 0 ? EngagementStatus.Active : EngagementStatus.Churned));
        var asOf = Instant.FromUtc(2025, 3, 1, 0, 0); // 31 days after the last purchase (29 Jan): churned
        var changes = Evaluator.EvaluateAll(customers, asOf, batchSize: 3).ToList();
        Assert.Equal(["c0", "c2", "c4", "c6", "c8"], changes.Select(c => c.CustomerId.Value));
        Assert.All(changes, c => Assert.Equal(EngagementStatus.Churned, c.To));
    }

    [Fact]
    public async Task EvaluateAllAsync_yields_the_same_changes()
    {
        var customers = Enumerable.Range(0, 7).Select(i =>
            new CustomerEngagement(new CustomerId($"c{i}"), Rhythm(7, 5), EngagementStatus.Active)).ToList();
        var asOf = Instant.FromUtc(2025, 3, 1, 0, 0);
        var changes = new List<EngagementStatusChanged>();
        await foreach (var change in Evaluator.EvaluateAllAsync(customers.ToAsyncEnumerable(), asOf, batchSize: 2))
        {
            changes.Add(change);
        }
        Assert.Equal(Evaluator.EvaluateAll(customers, asOf).ToList(), changes);
    }

    [Fact]
    public void Inconsistent_rules_are_rejected()
    {
        var rules = EngagementRules.Default with { AtRiskMultiplier = 5 };
        Assert.Throws<ArgumentException>(() => new EngagementEvaluator(rules, DateTimeZone.Utc));
        Assert.Throws<ArgumentOutOfRangeException>(() => EngagementRules.Default with { MinimumPurchaseDaysForCadence = 1 });
    }

    private sealed class FixedModel(double p) : IChurnRiskModel
    {
        public double ProbabilityAlive(in PurchaseSummary purchases, LocalDate asOf) => p;
    }
}
