using System.Collections.ObjectModel;
using Crm.Core.Customers;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Lifecycle;

/// <summary>
/// One customer's life with the company: the current lifecycle stage, the highest stage reached, when each stage
/// was entered, the full transition history, opened touchpoints, the purchase days and the engagement status.
/// </summary>
/// <remarks>
/// <para>
/// Stages only move up (<see cref="Advance"/>, or automatically through <see cref="ApplyRules"/>); moving down
/// needs <see cref="Regress"/> with a reason. A move the wrong way throws
/// <see cref="IllegalLifecycleTransitionException"/>, never silently does nothing. Every change is appended to
/// <see cref="History"/>, from which <see cref="Replay"/> rebuilds the state, and raises
/// <see cref="LifecycleStageChanged"/>.
/// </para>
/// <para>
/// The engagement status is recomputed by <see cref="Evaluate"/> from <see cref="Purchases"/>; it is separate
/// from the stage (a loyal customer can be at risk). Changes raise <see cref="EngagementStatusChanged"/>.
/// </para>
/// <para>Not thread-safe (an aggregate: load one per unit of work). The id is the customer's id.</para>
/// </remarks>
public sealed partial class CustomerLifecycle : AggregateRoot<CustomerId>
{
    private readonly List<StageTransition> _history;
    private readonly Dictionary<string, Instant> _entries;
    private readonly List<LifecycleTouchpoint> _touchpoints;
    private readonly List<LocalDate> _purchaseDays; // sorted, distinct
    private PurchaseSummary? _summary;

    private CustomerLifecycle(CustomerId id, LifecycleModel model, TenantId? tenantId, List<StageTransition> history,
        Dictionary<string, Instant> entries, List<LifecycleTouchpoint> touchpoints, List<LocalDate> purchaseDays)
        : base(id, tenantId)
    {
        Model = model;
        _history = history;
        _entries = entries;
        _touchpoints = touchpoints;
        _purchaseDays = purchaseDays;
    }

    /// <summary>The stage ladder this customer climbs.</summary>
    public LifecycleModel Model { get; }

    /// <summary>The customer.</summary>
    public CustomerId CustomerId => Id;

    /// <summary>The current stage.</summary>
    public LifecycleStage CurrentStage => Model.Stages[CurrentRank];

    /// <summary>The highest stage ever reached; never goes down, not even on <see cref="Regress"/>.</summary>
    public LifecycleStage HighestStage => Model.Stages[HighestRank];

    /// <summary>The current stage's position on the ladder (0 = lowest).</summary>
    public int CurrentRank { get; private set; }

    /// <summary>The highest stage's position on the ladder.</summary>
    public int HighestRank { get; private set; }

    /// <summary>Every stage change, oldest first, starting with the <see cref="StageTransitionKind.Start"/> entry.</summary>
    public IReadOnlyList<StageTransition> History => _history.AsReadOnly();

    /// <summary>When each stage was last entered, by stage id; stages never entered are absent.</summary>
    public IReadOnlyDictionary<string, Instant> StageEntries => new ReadOnlyDictionary<string, Instant>(_entries);

    /// <summary>The touchpoints opened so far, in the order they opened.</summary>
    public IReadOnlyList<LifecycleTouchpoint> Touchpoints => _touchpoints.AsReadOnly();

    /// <summary>The current engagement status, as of <see cref="EvaluatedOn"/>.</summary>
    public EngagementStatus EngagementStatus { get; private set; }

    /// <summary>The day of the last <see cref="Evaluate"/>, or null when never evaluated.</summary>
    public LocalDate? EvaluatedOn { get; private set; }

    /// <summary>
    /// The purchase days recorded with <see cref="RecordPurchase"/>, summarised for engagement evaluation (its
    /// <see cref="PurchaseSummary.ReactivatedOn"/> judged by the default rules; <see cref="Evaluate"/> uses the evaluator's).
    /// </summary>
    public PurchaseSummary Purchases => _summary ??= PurchaseSummary.FromPurchaseDates(_purchaseDays);

    /// <summary>Starts a customer's lifecycle.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="model">The ladder, e.g. <see cref="LifecycleModel.B2C"/>.</param>
    /// <param name="at">When the lifecycle starts (usually when the customer record was created).</param>
    /// <param name="actor">The user or system starting it (not personal data: an id or a system name).</param>
    /// <param name="stageId">The starting stage; the model's first stage when null.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="actor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default or <paramref name="actor"/> is blank.</exception>
    /// <exception cref="UnknownLifecycleStageException"><paramref name="stageId"/> is not in the model.</exception>
    public static CustomerLifecycle Start(CustomerId customerId, LifecycleModel model, Instant at, string actor, string? stageId = null, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckNotNull(model);
        Preconditions.CheckNotBlank(actor);
        var rank = stageId is null ? 0 : model.RankOf(stageId);
        var lifecycle = new CustomerLifecycle(customerId, model, tenantId, [], new Dictionary<string, Instant>(StringComparer.Ordinal), [], []);
        lifecycle.Apply(new StageTransition(null, model.Stages[rank].Id, at, StageTransitionKind.Start, null, actor.Trim(), null));
        return lifecycle;
    }

    /// <summary>
    /// Rebuilds a lifecycle from its history (how a store materialises it, and how tests check that the history
    /// tells the whole story). Touchpoints, purchase days and the engagement status are restored as given.
    /// </summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="model">The ladder the history refers to.</param>
    /// <param name="history">The history, oldest first, starting with a <see cref="StageTransitionKind.Start"/> entry.</param>
    /// <param name="touchpoints">Opened touchpoints, if any.</param>
    /// <param name="purchaseDays">Recorded purchase days, if any.</param>
    /// <param name="engagementStatus">The last evaluated status.</param>
    /// <param name="evaluatedOn">The day it was evaluated, if ever.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The history is empty, does not start with a start entry, is out of order, or an entry contradicts the one before.</exception>
    /// <exception cref="UnknownLifecycleStageException">The history names a stage the model does not have.</exception>
    public static CustomerLifecycle Replay(CustomerId customerId, LifecycleModel model, IEnumerable<StageTransition> history,
        IEnumerable<LifecycleTouchpoint>? touchpoints = null, IEnumerable<LocalDate>? purchaseDays = null,
        EngagementStatus engagementStatus = EngagementStatus.None, LocalDate? evaluatedOn = null, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckNotNull(model);
        Preconditions.CheckNotNull(history);
        var entries = history.ToList();
        Preconditions.CheckArgument(entries.Count > 0 && entries[0] is { Kind: StageTransitionKind.Start }, nameof(history),
            "A lifecycle history starts with a Start entry.");
        var lifecycle = new CustomerLifecycle(customerId, model, tenantId, [], new Dictionary<string, Instant>(StringComparer.Ordinal),
            (touchpoints ?? []).ToList(), (purchaseDays ?? []).Distinct().Order().ToList());
        for (var i = 0; i < entries.Count; i++)
        {
            var t = entries[i];
            Preconditions.CheckArgument(t is not null, nameof(history), "The history must not contain null.");
            if (i > 0)
            {
                Preconditions.CheckArgument(t.Kind != StageTransitionKind.Start, nameof(history), $"Entry {i}: only the first entry may be a Start.");
                Preconditions.CheckArgument(t.From == lifecycle.CurrentStage.Id, nameof(history), $"Entry {i} starts from '{t.From}' but the stage was '{lifecycle.CurrentStage.Id}'.");
                var up = model.RankOf(t.To) > lifecycle.CurrentRank;
                Preconditions.CheckArgument(up == (t.Kind == StageTransitionKind.Advance), nameof(history), $"Entry {i} is a {t.Kind} but goes the other way.");
                Preconditions.CheckArgument(t.At >= lifecycle._history[^1].At, nameof(history), $"Entry {i} is earlier than the entry before it.");
            }
            lifecycle.Apply(t, raise: false);
        }
        lifecycle.EngagementStatus = Preconditions.CheckDefined(engagementStatus);
        lifecycle.EvaluatedOn = evaluatedOn;
        return lifecycle;
    }

    /// <summary>Moves the customer up to <paramref name="stageId"/> (skipping stages in between is allowed).</summary>
    /// <param name="stageId">A stage above the current one.</param>
    /// <param name="at">When; not earlier than the last history entry.</param>
    /// <param name="actor">The user or system making the change.</param>
    /// <param name="reason">Why, optionally.</param>
    /// <returns>The history entry recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stageId"/> or <paramref name="actor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is blank or <paramref name="at"/> is before the last change.</exception>
    /// <exception cref="UnknownLifecycleStageException">The model has no such stage.</exception>
    /// <exception cref="IllegalLifecycleTransitionException">The stage is the current one or below it: use <see cref="Regress"/> to go down.</exception>
    public StageTransition Advance(string stageId, Instant at, string actor, string? reason = null)
    {
        Preconditions.CheckNotBlank(actor);
        var rank = Model.RankOf(stageId);
        CheckChronological(at);
        if (rank <= CurrentRank)
        {
            throw new IllegalLifecycleTransitionException(CurrentStage.Id, stageId, rank == CurrentRank
                ? "the customer is already in that stage."
                : "stages only move forward; call Regress with a reason to move a customer back.");
        }
        return Apply(new StageTransition(CurrentStage.Id, stageId, at, StageTransitionKind.Advance, Normalize(reason), actor.Trim(), null));
    }

    /// <summary>Moves the customer down to <paramref name="stageId"/>; the highest stage reached is kept.</summary>
    /// <param name="stageId">A stage below the current one.</param>
    /// <param name="reason">Why (required: a regression must be explained), e.g. "contract cancelled".</param>
    /// <param name="at">When; not earlier than the last history entry.</param>
    /// <param name="actor">The user or system making the change.</param>
    /// <returns>The history entry recorded.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="reason"/> or <paramref name="actor"/> is blank, or <paramref name="at"/> is before the last change.</exception>
    /// <exception cref="UnknownLifecycleStageException">The model has no such stage.</exception>
    /// <exception cref="IllegalLifecycleTransitionException">The stage is the current one or above it: use <see cref="Advance"/> to go up.</exception>
    public StageTransition Regress(string stageId, string reason, Instant at, string actor)
    {
        Preconditions.CheckNotBlank(reason);
        Preconditions.CheckNotBlank(actor);
        var rank = Model.RankOf(stageId);
        CheckChronological(at);
        if (rank >= CurrentRank)
        {
            throw new IllegalLifecycleTransitionException(CurrentStage.Id, stageId, rank == CurrentRank
                ? "the customer is already in that stage."
                : "Regress moves a customer back; call Advance to move them forward.");
        }
        return Apply(new StageTransition(CurrentStage.Id, stageId, at, StageTransitionKind.Regress, reason.Trim(), actor.Trim(), null));
    }

    /// <summary>
    /// Applies automatic transition rules to the customer's facts, in the rules' order. A stage rule fires when its
    /// conditions hold and its target is above the current stage; a touchpoint rule fires when its conditions hold
    /// and the touchpoint is not open yet. Re-applying the same facts therefore changes nothing (idempotent).
    /// </summary>
    /// <param name="rules">The rules; must be for this lifecycle's model (the same ladder: name and stage ids, as a lifecycle loaded from a store holds it).</param>
    /// <param name="facts">The customer's facts now.</param>
    /// <param name="at">When; not earlier than the last history entry if a stage changes.</param>
    /// <returns>What fired, in order; empty when nothing did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">The rules are for another model, a fact is negative, or <paramref name="at"/> is before the last change.</exception>
    public IReadOnlyList<RuleFiring> ApplyRules(TransitionRuleSet rules, LifecycleFacts facts, Instant at)
    {
        Preconditions.CheckNotNull(rules);
        Preconditions.CheckArgument(rules.Model.IsSameLadderAs(Model), nameof(rules),
            $"The rules are for lifecycle model '{rules.Model.Name}' but this customer follows '{Model.Name}'.");
        facts.Validate();
        CheckChronological(at);
        var fired = new List<RuleFiring>();
        foreach (var rule in rules.Rules)
        {
            if (!rule.IsMetBy(facts))
            {
                continue;
            }
            if (rule.AdvanceTo is { } target)
            {
                if (Model.RankOf(target) > CurrentRank)
                {
                    var transition = Apply(new StageTransition(CurrentStage.Id, target, at, StageTransitionKind.Advance, rule.ToString(), null, rule.Id));
                    fired.Add(new RuleFiring(rule.Id, transition, null));
                }
            }
            else if (rule.OpenTouchpoint is { } name && !HasTouchpoint(name))
            {
                var touchpoint = new LifecycleTouchpoint(name, at, rule.Id);
                _touchpoints.Add(touchpoint);
                Raise(new LifecycleTouchpointOpened(Id, touchpoint));
                fired.Add(new RuleFiring(rule.Id, null, touchpoint));
            }
        }
        return fired;
    }

    /// <summary>Whether the touchpoint has opened.</summary>
    public bool HasTouchpoint(string name) => _touchpoints.Exists(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>When the stage was last entered, or null if never.</summary>
    /// <exception cref="UnknownLifecycleStageException">The model has no such stage.</exception>
    public Instant? EnteredAt(string stageId)
    {
        Model.RankOf(stageId);
        return _entries.TryGetValue(stageId, out var at) ? at : null;
    }

    /// <summary>Records a purchase day (the day in the business's zone); a day already recorded is kept once.</summary>
    /// <param name="day">The purchase day.</param>
    /// <returns>Whether the day was new.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="day"/> is before 0001-01-01.</exception>
    public bool RecordPurchase(LocalDate day)
    {
        PurchaseSummary.CheckSupported(day, nameof(day));
        var index = _purchaseDays.BinarySearch(day);
        if (index >= 0)
        {
            return false;
        }
        _purchaseDays.Insert(~index, day);
        _summary = null;
        return true;
    }

    /// <summary>
    /// Re-computes the engagement status as of <paramref name="asOf"/> and raises <see cref="EngagementStatusChanged"/>
    /// when it changed. Idempotent: the same purchases and day give the same status and no second event.
    /// </summary>
    /// <param name="evaluator">The rules and zone.</param>
    /// <param name="asOf">The evaluation instant; its day must not be before the last recorded purchase.</param>
    /// <returns>The status.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="evaluator"/> is null.</exception>
    /// <exception cref="ArgumentException">The evaluation day is before the last recorded purchase.</exception>
    public EngagementStatus Evaluate(EngagementEvaluator evaluator, Instant asOf)
    {
        Preconditions.CheckNotNull(evaluator);
        var day = asOf.InZone(evaluator.Zone).Date;
        var purchases = ReferenceEquals(evaluator.Rules, EngagementRules.Default) ? Purchases : PurchaseSummary.FromPurchaseDates(_purchaseDays, evaluator.Rules);
        var status = evaluator.StatusOf(purchases, day);
        if (status != EngagementStatus)
        {
            Raise(new EngagementStatusChanged(Id, EngagementStatus, status, day, asOf));
            EngagementStatus = status;
        }
        EvaluatedOn = day;
        return status;
    }

    /// <summary>Copies the stage and status into the segmentation read model, so rules and offers can use them.</summary>
    /// <param name="profile">The customer's profile.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    /// <exception cref="ArgumentException">The profile is another customer's.</exception>
    public void ProjectTo(Segmentation.CustomerProfile profile)
    {
        Preconditions.CheckNotNull(profile);
        Preconditions.CheckArgument(profile.CustomerId.IsDefault || profile.CustomerId == Id, nameof(profile), "The profile belongs to another customer.");
        profile.LifecycleModel = Model.Name;
        profile.LifecycleStage = CurrentStage.Id;
        profile.LifecycleStageRank = CurrentRank;
        profile.HighestLifecycleStage = HighestStage.Id;
        profile.EngagementStatus = EngagementStatus;
    }

    /// <inheritdoc/>
    protected override AggregateRoot<CustomerId> CreateCopy()
    {
        var copy = new CustomerLifecycle(Id, Model, TenantId, [.. _history], new Dictionary<string, Instant>(_entries, StringComparer.Ordinal),
            [.. _touchpoints], [.. _purchaseDays]) // entries and touchpoints are immutable records: the lists are what must be copied
        {
            CurrentRank = CurrentRank,
            HighestRank = HighestRank,
            EngagementStatus = EngagementStatus,
            EvaluatedOn = EvaluatedOn,
        };
        return copy;
    }

    private StageTransition Apply(StageTransition transition, bool raise = true)
    {
        var rank = Model.RankOf(transition.To);
        CurrentRank = rank;
        HighestRank = Math.Max(HighestRank, rank);
        _entries[transition.To] = transition.At;
        _history.Add(transition);
        if (raise)
        {
            Raise(new LifecycleStageChanged(Id, transition, HighestStage.Id));
        }
        return transition;
    }

    private void CheckChronological(Instant at) =>
        Preconditions.CheckArgument(at >= _history[^1].At, nameof(at),
            "A lifecycle change cannot be dated before the previous change; record changes in the order they happened.");

    private static string? Normalize(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
}
