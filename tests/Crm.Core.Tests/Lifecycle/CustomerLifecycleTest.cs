using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Segmentation;
using NodaTime;
using static Crm.Core.Lifecycle.LifecycleModel;

namespace Crm.Core.Tests.Lifecycle;

public class CustomerLifecycleTest
{
    private static readonly CustomerId Ada = new("c-1");
    private static readonly Instant T0 = Instant.FromUtc(2025, 1, 1, 9, 0);

    private static CustomerLifecycle Started() => CustomerLifecycle.Start(Ada, B2C, T0, "import");

    [Fact]
    public void Start_puts_the_customer_in_the_first_stage_with_a_start_entry()
    {
        var lifecycle = Started();
        Assert.Equal(B2CStages.Prospect, lifecycle.CurrentStage.Id);
        Assert.Equal(B2CStages.Prospect, lifecycle.HighestStage.Id);
        var start = Assert.Single(lifecycle.History);
        Assert.Equal(StageTransitionKind.Start, start.Kind);
        Assert.Null(start.From);
        Assert.Equal(T0, lifecycle.EnteredAt(B2CStages.Prospect));
        Assert.Null(lifecycle.EnteredAt(B2CStages.Loyal));
        var changed = Assert.IsType<LifecycleStageChanged>(Assert.Single(lifecycle.DomainEvents));
        Assert.Equal(start, changed.Transition);
    }

    [Fact]
    public void Advance_moves_up_skipping_stages_and_records_who_and_why()
    {
        var lifecycle = Started();
        var t = lifecycle.Advance(B2CStages.FirstTimeCustomer, T0.Plus(Duration.FromHours(1)), "agent-7", "bought in branch");
        Assert.Equal(new StageTransition(B2CStages.Prospect, B2CStages.FirstTimeCustomer, T0.Plus(Duration.FromHours(1)), StageTransitionKind.Advance, "bought in branch", "agent-7", null), t);
        Assert.Equal(B2CStages.FirstTimeCustomer, lifecycle.CurrentStage.Id);
        Assert.Equal(2, lifecycle.CurrentRank);
        Assert.Equal(T0.Plus(Duration.FromHours(1)), lifecycle.EnteredAt(B2CStages.FirstTimeCustomer));
    }

    [Fact]
    public void Advance_to_a_lower_stage_throws_and_changes_nothing()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.RepeatCustomer, T0, "agent");
        var ex = Assert.Throws<IllegalLifecycleTransitionException>(() => lifecycle.Advance(B2CStages.Lead, T0, "agent"));
        Assert.Contains("Regress", ex.Message);
        Assert.Equal(B2CStages.RepeatCustomer, lifecycle.CurrentStage.Id);
        Assert.Equal(2, lifecycle.History.Count);
    }

    [Fact]
    public void Advance_to_the_current_stage_is_not_a_silent_no_op()
    {
        var lifecycle = Started();
        Assert.Throws<IllegalLifecycleTransitionException>(() => lifecycle.Advance(B2CStages.Prospect, T0, "agent"));
    }

    [Fact]
    public void Regress_moves_down_with_a_reason_and_keeps_the_highest_stage()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.Loyal, T0, "agent");
        var t = lifecycle.Regress(B2CStages.FirstTimeCustomer, "contract cancelled", T0.Plus(Duration.FromDays(1)), "agent");
        Assert.Equal(StageTransitionKind.Regress, t.Kind);
        Assert.Equal("contract cancelled", t.Reason);
        Assert.Equal(B2CStages.FirstTimeCustomer, lifecycle.CurrentStage.Id);
        Assert.Equal(B2CStages.Loyal, lifecycle.HighestStage.Id);
        var changed = Assert.IsType<LifecycleStageChanged>(lifecycle.DomainEvents[^1]);
        Assert.Equal(B2CStages.Loyal, changed.HighestStage);
    }

    [Fact]
    public void Regress_needs_a_reason_and_a_lower_stage()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.RepeatCustomer, T0, "agent");
        Assert.Throws<ArgumentException>(() => lifecycle.Regress(B2CStages.Lead, " ", T0, "agent"));
        Assert.Throws<IllegalLifecycleTransitionException>(() => lifecycle.Regress(B2CStages.Loyal, "why not", T0, "agent"));
        Assert.Throws<IllegalLifecycleTransitionException>(() => lifecycle.Regress(B2CStages.RepeatCustomer, "why not", T0, "agent"));
        Assert.Equal(2, lifecycle.History.Count);
    }

    [Fact]
    public void Unknown_stage_throws_a_domain_exception_naming_the_model()
    {
        var lifecycle = Started();
        var ex = Assert.Throws<UnknownLifecycleStageException>(() => lifecycle.Advance("vip", T0, "agent"));
        Assert.Equal("b2c", ex.ModelName);
        Assert.Equal("vip", ex.StageId);
    }

    [Fact]
    public void Changes_dated_before_the_previous_change_are_rejected()
    {
        var lifecycle = Started();
        var ex = Assert.Throws<ArgumentException>(() => lifecycle.Advance(B2CStages.Lead, T0.PlusTicks(-1), "agent"));
        Assert.Equal("at", ex.ParamName);
    }

    [Fact]
    public void First_purchase_rule_makes_a_prospect_a_first_time_customer_and_records_the_rule()
    {
        var lifecycle = Started();
        var fired = lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(Purchases: 1), T0);
        var firing = Assert.Single(fired);
        Assert.Equal("first-purchase", firing.RuleId);
        Assert.Equal(B2CStages.FirstTimeCustomer, lifecycle.CurrentStage.Id);
        Assert.Equal("first-purchase", lifecycle.History[^1].RuleId);
        Assert.Null(lifecycle.History[^1].Actor);
    }

    [Fact]
    public void Rules_fire_in_order_and_reapplying_the_same_facts_is_idempotent()
    {
        var lifecycle = Started();
        var facts = new LifecycleFacts(Purchases: 12, ProductsHeld: 1, ProductCategoriesHeld: 1, ServiceInteractions: 1);
        var fired = lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, facts, T0);
        Assert.Equal(["first-purchase", "repeat-purchase", "loyal-by-purchases", "service-interaction"], fired.Select(f => f.RuleId));
        Assert.Equal(B2CStages.Loyal, lifecycle.CurrentStage.Id);
        Assert.True(lifecycle.HasTouchpoint(LifecycleTouchpoint.ServiceAndSupport));
        var events = lifecycle.DomainEvents.Count;

        Assert.Empty(lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, facts, T0.Plus(Duration.FromDays(1))));
        Assert.Equal(events, lifecycle.DomainEvents.Count);
        Assert.Equal(4, lifecycle.History.Count);
    }

    [Fact]
    public void Holding_three_categories_makes_a_customer_loyal()
    {
        var lifecycle = Started();
        lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(Purchases: 2, ProductsHeld: 3, ProductCategoriesHeld: 3), T0);
        Assert.Equal(B2CStages.Loyal, lifecycle.CurrentStage.Id);
        Assert.Equal("loyal-by-categories", lifecycle.History[^1].RuleId);
    }

    [Fact]
    public void A_service_interaction_opens_the_service_and_support_touchpoint_once()
    {
        var lifecycle = Started();
        var fired = lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(0, ServiceInteractions: 1), T0);
        var touchpoint = Assert.Single(fired).Touchpoint!;
        Assert.Equal(new LifecycleTouchpoint(LifecycleTouchpoint.ServiceAndSupport, T0, "service-interaction"), touchpoint);
        Assert.Equal(B2CStages.Prospect, lifecycle.CurrentStage.Id);
        Assert.Empty(lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(0, ServiceInteractions: 3), T0));
        Assert.IsType<LifecycleTouchpointOpened>(lifecycle.DomainEvents[^1]);
    }

    [Fact]
    public void Rules_do_not_undo_a_regression_that_stays_above_their_target()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.Loyal, T0, "agent");
        lifecycle.Regress(B2CStages.RepeatCustomer, "complaint", T0, "agent");
        Assert.Empty(lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(Purchases: 2), T0));
        Assert.Equal(B2CStages.RepeatCustomer, lifecycle.CurrentStage.Id);
    }

    [Fact]
    public void Rules_for_another_model_are_rejected()
    {
        var lifecycle = Started();
        Assert.Throws<ArgumentException>(() => lifecycle.ApplyRules(TransitionRuleSet.DefaultB2B, new LifecycleFacts(1), T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(-1), T0));
    }

    [Fact]
    public void Rules_apply_to_a_lifecycle_holding_another_instance_of_the_same_ladder()
    {
        // What a lifecycle loaded from a database holds: the model rebuilt from its document, equal but not the same object.
        var copy = LifecycleModel.Create("b2c", B2C.Stages.Select(s => new LifecycleStage(s.Id, s.DisplayName)).ToArray());
        var lifecycle = CustomerLifecycle.Start(Ada, copy, T0, "crm");

        Assert.Equal("first-purchase", Assert.Single(lifecycle.ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(1), T0)).RuleId);
        var renamed = LifecycleModel.Create("b2c-shop", B2C.Stages.Select(s => new LifecycleStage(s.Id, s.DisplayName)).ToArray());
        var reordered = LifecycleModel.Create("b2c", B2C.Stages.Reverse().Select(s => new LifecycleStage(s.Id, s.DisplayName)).ToArray());
        Assert.Throws<ArgumentException>(() => CustomerLifecycle.Start(Ada, renamed, T0, "crm").ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(1), T0));
        Assert.Throws<ArgumentException>(() => CustomerLifecycle.Start(Ada, reordered, T0, "crm").ApplyRules(TransitionRuleSet.DefaultB2C, new LifecycleFacts(1), T0));
    }

    [Fact]
    public void Custom_models_and_rules_are_validated()
    {
        Assert.Throws<ArgumentException>(() => Create("x", new LifecycleStage("a", "A")));
        Assert.Throws<ArgumentException>(() => Create("x", new LifecycleStage("a", "A"), new LifecycleStage("a", "B")));
        Assert.Throws<ArgumentException>(() => new LifecycleStage("has space", "A"));
        var model = Create("subs", new LifecycleStage("trial", "Trial"), new LifecycleStage("paying", "Paying"));
        Assert.Throws<UnknownLifecycleStageException>(() => TransitionRuleSet.Create(model,
            TransitionRule.Advance("r", "loyal", new FactThreshold(LifecycleFact.Purchases, 1))));
        Assert.Throws<ArgumentException>(() => TransitionRuleSet.Create(model,
            TransitionRule.Advance("r", "paying", new FactThreshold(LifecycleFact.Purchases, 1)),
            TransitionRule.Advance("r", "paying", new FactThreshold(LifecycleFact.Purchases, 2))));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FactThreshold(LifecycleFact.Purchases, 0));
    }

    [Fact]
    public void B2B_ladder_has_the_seven_stages_in_order()
    {
        Assert.Equal(["subscriber", "lead", "marketing-qualified", "sales-qualified", "opportunity", "customer", "evangelist"], B2B.Stages.Select(s => s.Id));
        var lifecycle = CustomerLifecycle.Start(Ada, B2B, T0, "crm");
        lifecycle.ApplyRules(TransitionRuleSet.DefaultB2B, new LifecycleFacts(1), T0);
        Assert.Equal(B2BStages.Customer, lifecycle.CurrentStage.Id);
    }

    [Fact]
    public void Replay_of_the_history_rebuilds_the_state()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.Loyal, T0.Plus(Duration.FromDays(1)), "agent");
        lifecycle.Regress(B2CStages.Lead, "fraud check", T0.Plus(Duration.FromDays(2)), "risk");
        var replayed = CustomerLifecycle.Replay(Ada, B2C, lifecycle.History);
        Assert.Equal(lifecycle.CurrentStage, replayed.CurrentStage);
        Assert.Equal(lifecycle.HighestStage, replayed.HighestStage);
        Assert.Equal(lifecycle.StageEntries, replayed.StageEntries);
        Assert.Empty(replayed.DomainEvents);
    }

    [Fact]
    public void Replay_rejects_a_history_that_contradicts_itself()
    {
        var bad = new[]
        {
            new StageTransition(null, "prospect", T0, StageTransitionKind.Start, null, "x", null),
            new StageTransition("lead", "loyal", T0, StageTransitionKind.Advance, null, "x", null),
        };
        Assert.Throws<ArgumentException>(() => CustomerLifecycle.Replay(Ada, B2C, bad));
        var wrongWay = new[]
        {
            new StageTransition(null, "loyal", T0, StageTransitionKind.Start, null, "x", null),
            new StageTransition("loyal", "lead", T0, StageTransitionKind.Advance, null, "x", null),
        };
        Assert.Throws<ArgumentException>(() => CustomerLifecycle.Replay(Ada, B2C, wrongWay));
    }

    [Fact]
    public void Evaluate_derives_engagement_from_recorded_purchases_and_raises_an_event_once()
    {
        var lifecycle = Started();
        var evaluator = new EngagementEvaluator(EngagementRules.Default, DateTimeZone.Utc);
        var day = new LocalDate(2025, 1, 1);
        for (var i = 0; i < 8; i++)
        {
            Assert.True(lifecycle.RecordPurchase(day.PlusDays(7 * i)));
        }
        Assert.False(lifecycle.RecordPurchase(day));
        lifecycle.ClearDomainEvents();
        var asOf = day.PlusDays(49 + 60).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();

        Assert.Equal(EngagementStatus.Churned, lifecycle.Evaluate(evaluator, asOf));
        var changed = Assert.IsType<EngagementStatusChanged>(Assert.Single(lifecycle.DomainEvents));
        Assert.Equal(EngagementStatus.None, changed.From);
        Assert.Equal(EngagementStatus.Churned, lifecycle.Evaluate(evaluator, asOf));
        Assert.Single(lifecycle.DomainEvents);
    }

    [Fact]
    public void ProjectTo_adds_stage_and_status_to_the_profile_where_criteria_can_use_them()
    {
        var lifecycle = Started();
        lifecycle.Advance(B2CStages.RepeatCustomer, T0, "agent");
        var profile = new CustomerProfile(Ada);
        lifecycle.ProjectTo(profile);
        Assert.Equal("repeat-customer", profile.LifecycleStage);
        Assert.Equal(3, profile.LifecycleStageRank);
        Assert.True(ProfileFieldRegistry.Default.TryGet("lifecycle.stage", out var field));
        Assert.Equal("repeat-customer", field.GetValue(profile));
        Assert.True(Criterion<CustomerProfile>.Where(p => p.LifecycleStageRank >= 2).IsSatisfiedBy(profile));
    }

    [Fact]
    public void Snapshot_copies_are_independent()
    {
        var lifecycle = Started();
        var copy = (CustomerLifecycle)lifecycle.Snapshot();
        lifecycle.Advance(B2CStages.Lead, T0, "agent");
        lifecycle.RecordPurchase(new LocalDate(2025, 1, 2));
        Assert.Equal(B2CStages.Prospect, copy.CurrentStage.Id);
        Assert.Single(copy.History);
        Assert.True(copy.Purchases.IsEmpty);
        Assert.Empty(copy.DomainEvents);
    }
}

public class LifecycleFactsTest
{
    [Fact]
    public void From_counts_purchases_open_products_categories_and_service_interactions_of_the_customer()
    {
        var at = Instant.FromUtc(2025, 1, 1, 0, 0);
        var id = new CustomerId("c-1");
        var customer = Customer.Register(id, CustomerName.Person("Ada", "Lovelace"), at);
        customer.OpenProduct(new Crm.Core.Customers.ProductId("cur-1"), "current-account", new LocalDate(2025, 1, 1), at);
        customer.OpenProduct(new Crm.Core.Customers.ProductId("sav-1"), "savings", new LocalDate(2025, 1, 1), at);
        customer.OpenProduct(new Crm.Core.Customers.ProductId("sav-2"), "savings", new LocalDate(2025, 1, 1), at);
        var eur = Money.Of(10, "EUR");
        var purchases = new[]
        {
            Crm.Core.Purchases.Purchase.Create(new Crm.Core.Purchases.TransactionId("t1"), id, at, Channel.Web, eur),
            Crm.Core.Purchases.Purchase.Create(new Crm.Core.Purchases.TransactionId("t2"), id, at, Channel.Web, eur),
            Crm.Core.Purchases.Purchase.Create(new Crm.Core.Purchases.TransactionId("t3"), new CustomerId("other"), at, Channel.Web, eur),
        };
        var interactions = new[]
        {
            Interaction.Record(new InteractionId("i1"), id, Channel.Phone, InteractionDirection.Inbound, InteractionType.Complaint, at),
            Interaction.Record(new InteractionId("i2"), id, Channel.Web, InteractionDirection.Inbound, InteractionType.Order, at),
        };

        Assert.Equal(new LifecycleFacts(2, 3, 2, 1), LifecycleFacts.From(customer, purchases, interactions));
    }
}
