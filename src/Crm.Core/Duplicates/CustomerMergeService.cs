using Crm.Core.Customers;
using Crm.Core.Diagnostics;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace Crm.Core.Duplicates;

/// <summary>How a merge chooses field values and who is recorded as having merged.</summary>
/// <remarks>Immutable (change it with <c>with</c>) and thread-safe.</remarks>
public sealed record CustomerMergeOptions
{
    /// <summary>Default survivorship (keep the survivor's values) by actor <c>system</c>.</summary>
    public static CustomerMergeOptions Default { get; } = new();

    private readonly string _actor = "system";
    private readonly SurvivorshipRules _survivorship = SurvivorshipRules.Default;

    /// <summary>The survivorship rule of each field.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRules Survivorship { get => _survivorship; init => _survivorship = Preconditions.CheckNotNull(value, nameof(Survivorship)); }

    /// <summary>The user or system merging, recorded in the merge history (an id, not a name); 1-200 characters.</summary>
    /// <exception cref="ArgumentException">The value is blank, too long or contains control characters.</exception>
    public string Actor { get => _actor; init => _actor = Text.Clean(value, nameof(Actor), 200); }
}

/// <summary>What a merge did, or (for a dry run) would do.</summary>
/// <param name="Survivor">The surviving customer with everything it took over (not saved after a dry run).</param>
/// <param name="Merged">The merged customer as a tombstone redirecting to the survivor (not saved after a dry run).</param>
/// <param name="InteractionsMoved">Interactions moved to the survivor.</param>
/// <param name="PurchasesMoved">Purchases and refunds moved to the survivor.</param>
/// <param name="SegmentMembershipsMoved">Segment memberships moved (those the survivor already had are dropped, not counted).</param>
/// <param name="LoyaltyAccountsMerged">Loyalty accounts whose points moved to the survivor.</param>
/// <param name="LifecycleMerged">Whether a lifecycle of the merged customer was taken over.</param>
/// <param name="IsDryRun">Whether nothing was saved.</param>
public sealed record CustomerMergeResult(Customer Survivor, Customer Merged, int InteractionsMoved, int PurchasesMoved, int SegmentMembershipsMoved,
    int LoyaltyAccountsMerged, bool LifecycleMerged, bool IsDryRun)
{
    /// <summary>Ids and counts only, e.g. <c>00042 ← 00043: 3 interactions, 2 purchases, ...</c>.</summary>
    public override string ToString() =>
        $"{Survivor.Id} ← {Merged.Id}{(IsDryRun ? " (dry run)" : string.Empty)}: {InteractionsMoved} interactions, {PurchasesMoved} purchases, "
        + $"{SegmentMembershipsMoved} segment memberships, {LoyaltyAccountsMerged} loyalty accounts, lifecycle {(LifecycleMerged ? "merged" : "unchanged")}";
}

/// <summary>Thrown when two customers cannot be merged (the same customer, different kinds or tenants, one already merged or erased).</summary>
public sealed class CustomersNotMergeableException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="survivorId">The intended survivor.</param>
    /// <param name="mergedId">The customer to merge into it.</param>
    /// <param name="reason">Why, and what to do (ids only).</param>
    public CustomersNotMergeableException(CustomerId survivorId, CustomerId mergedId, string reason)
        : base(survivorId, $"Customer '{mergedId}' cannot be merged into customer '{survivorId}': {reason}") => MergedCustomerId = mergedId;

    /// <summary>The customer that was to be merged.</summary>
    public CustomerId MergedCustomerId { get; }
}

/// <summary>
/// Merges a duplicate customer into a survivor: a dry run shows the result, and <see cref="MergeAsync"/> moves every
/// fact to the survivor in one unit of work — contact points, consents, external ids, tags, attributes, life events,
/// holdings, interactions, purchases, the loyalty ledger, segment memberships and the lifecycle — records the merge
/// in the survivor's <see cref="Customer.MergeHistory"/>, leaves the merged record as a tombstone that redirects to
/// the survivor, and raises <see cref="CustomersMerged"/>.
/// </summary>
/// <remarks>
/// <para>
/// All or nothing: the changes commit together, so any failure (a <see cref="ConcurrencyConflictException"/> because
/// someone changed one of the records meanwhile, a refused loyalty move) leaves both customers and everything they own
/// as they were; the scope's unit of work is discarded and can be reused. Retry a conflict with a fresh scope.
/// </para>
/// <para>
/// Consents: both histories are kept; where either record had withdrawn consent at the merge instant, the survivor
/// ends up withdrawn (the most restrictive state wins). Loyalty: the merged account's lots move with their earned-at
/// and expiry and balances are conserved (see <see cref="LoyaltyAccount"/>'s merge entries); its idempotency keys keep
/// de-duplicating on the survivor. Lifecycle: the higher current stage wins; the merged lifecycle stays under its id.
/// </para>
/// <para>
/// The segmentation read model (<see cref="ICustomerProfileStore"/>) is a separate store: the merged customer's profile
/// is removed from it once the merge committed; re-project the survivor's profile (its facts changed). Resolve the service from dependency injection (registered by
/// <c>AddCrmCore()</c>). Each merge commits the scope's unit of work. Not thread-safe: one per scope.
/// </para>
/// </remarks>
public sealed class CustomerMergeService
{
    private readonly IRepository<Customer, CustomerId> _customers;
    private readonly IRepository<Interaction, InteractionId> _interactions;
    private readonly IRepository<Purchase, TransactionId> _purchases;
    private readonly IRepository<CustomerLifecycle, CustomerId> _lifecycles;
    private readonly IRepository<LoyaltyAccount, LoyaltyAccountId> _loyaltyAccounts;
    private readonly IRepository<SegmentMember, SegmentMemberId> _segmentMembers;
    private readonly IRepository<Segment, SegmentId> _segments;
    private readonly ICustomerProfileStore _profiles;
    private readonly IUnitOfWork _unitOfWork;
    private readonly IClock _clock;
    private readonly ILogger _logger;

    /// <summary>Creates the service over a store.</summary>
    /// <remarks>
    /// <paramref name="logger"/> receives one message per committed merge (counts only, event id 7002); null, or no
    /// logging registered, for none.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public CustomerMergeService(IRepository<Customer, CustomerId> customers, IRepository<Interaction, InteractionId> interactions,
        IRepository<Purchase, TransactionId> purchases, IRepository<CustomerLifecycle, CustomerId> lifecycles,
        IRepository<LoyaltyAccount, LoyaltyAccountId> loyaltyAccounts, IRepository<SegmentMember, SegmentMemberId> segmentMembers,
        IRepository<Segment, SegmentId> segments, ICustomerProfileStore profiles, IUnitOfWork unitOfWork, IClock clock,
        ILogger<CustomerMergeService>? logger = null)
    {
        _customers = Preconditions.CheckNotNull(customers);
        _interactions = Preconditions.CheckNotNull(interactions);
        _purchases = Preconditions.CheckNotNull(purchases);
        _lifecycles = Preconditions.CheckNotNull(lifecycles);
        _loyaltyAccounts = Preconditions.CheckNotNull(loyaltyAccounts);
        _segmentMembers = Preconditions.CheckNotNull(segmentMembers);
        _segments = Preconditions.CheckNotNull(segments);
        _profiles = Preconditions.CheckNotNull(profiles);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _clock = Preconditions.CheckNotNull(clock);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Shows what <see cref="MergeAsync"/> would do, without saving or registering anything.</summary>
    /// <inheritdoc cref="MergeAsync"/>
    public async Task<CustomerMergeResult> PreviewAsync(CustomerId survivorId, CustomerId mergedId, CustomerMergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(survivorId, mergedId, options ?? CustomerMergeOptions.Default, cancellationToken).ConfigureAwait(false);
        return plan.Result(isDryRun: true);
    }

    /// <summary>Merges <paramref name="mergedId"/> into <paramref name="survivorId"/> and commits.</summary>
    /// <param name="survivorId">The customer that survives.</param>
    /// <param name="mergedId">The duplicate, left as a tombstone redirecting to the survivor.</param>
    /// <param name="options">Survivorship rules and actor; <see cref="CustomerMergeOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the merge before it commits.</param>
    /// <returns>What was merged.</returns>
    /// <exception cref="ArgumentException">An id is the uninitialised default.</exception>
    /// <exception cref="AggregateNotFoundException">A customer is not in the store.</exception>
    /// <exception cref="CustomersNotMergeableException">The ids are equal, the kinds or tenants differ, one was already merged, or one was erased.</exception>
    /// <exception cref="LoyaltyMergeRefusedException">The merged customer's loyalty account owes points.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone changed one of the records meanwhile; nothing was saved.</exception>
    public async Task<CustomerMergeResult> MergeAsync(CustomerId survivorId, CustomerId mergedId, CustomerMergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        Plan plan;
        try
        {
            plan = await PlanAsync(survivorId, mergedId, options ?? CustomerMergeOptions.Default, cancellationToken).ConfigureAwait(false);
            foreach (var register in plan.Registrations)
            {
                await register(cancellationToken).ConfigureAwait(false);
            }
            await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _unitOfWork.Discard(); // nothing half-registered stays behind for the scope's next commit
            throw;
        }
        // The read model is a separate store: the tombstone leaves it after the merge committed, so that segments stop
        // counting the merged record (the survivor's profile is re-projected by the host's projection job).
        await _profiles.RemoveAsync(mergedId, CancellationToken.None).ConfigureAwait(false);
        var result = plan.Result(isDryRun: false);
        CrmLog.CustomersMerged(_logger, result.InteractionsMoved, result.PurchasesMoved, result.SegmentMembershipsMoved, result.LoyaltyAccountsMerged, result.LifecycleMerged);
        return result;
    }

    /// <summary>The customer an id stands for now: the customer itself, or the survivor its merges redirect to.</summary>
    /// <param name="customerId">Any customer id, merged or not.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>
    /// The current customer, or null when there is none (never stored, or a redirect leads nowhere). Chains of any
    /// length are followed: merging a survivor into another customer adds a hop each time.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is the uninitialised default.</exception>
    public async Task<Customer?> ResolveAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        var customer = await _customers.GetByIdAsync(customerId, cancellationToken).ConfigureAwait(false);
        return await MergeRedirects.FollowAsync(_customers, customer, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Plan> PlanAsync(CustomerId survivorId, CustomerId mergedId, CustomerMergeOptions options, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotDefault(survivorId);
        Preconditions.CheckNotDefault(mergedId);
        Preconditions.CheckNotNull(options);
        if (survivorId == mergedId)
        {
            throw new CustomersNotMergeableException(survivorId, mergedId, "a customer cannot be merged into itself.");
        }
        var survivor = await Load(survivorId, cancellationToken).ConfigureAwait(false);
        var merged = await Load(mergedId, cancellationToken).ConfigureAwait(false);
        if (survivor.MergedInto is { } survivorTarget)
        {
            throw new CustomersNotMergeableException(survivorId, mergedId, $"the survivor was itself merged into customer '{survivorTarget}'; merge into that customer instead.");
        }
        if (merged.MergedInto is { } mergedTarget)
        {
            throw new CustomersNotMergeableException(survivorId, mergedId, $"it was already merged into customer '{mergedTarget}'.");
        }
        if (survivor.IsErased || merged.IsErased)
        {
            // Merging would re-attach an erased record's remaining facts to a person (or a person's data to an erased id).
            throw new CustomersNotMergeableException(survivorId, mergedId, $"customer '{(survivor.IsErased ? survivorId : mergedId)}' was erased; an erased customer is never merged.");
        }
        if (survivor.Kind != merged.Kind)
        {
            throw new CustomersNotMergeableException(survivorId, mergedId, $"it is of kind {merged.Kind} and the survivor of kind {survivor.Kind}; only customers of one kind can be merged.");
        }
        if (survivor.TenantId != merged.TenantId)
        {
            throw new CustomersNotMergeableException(survivorId, mergedId, "they belong to different tenants.");
        }

        var now = _clock.GetCurrentInstant();
        var at = Max(now, Max(survivor.UpdatedAt, merged.UpdatedAt));
        var plan = new Plan(survivor, merged);
        var values = options.Survivorship.Resolve(survivor, merged);
        survivor.Absorb(merged, values, new CustomerMergeRecord(mergedId, at, options.Actor, merged.MergedCustomerIds.ToList()));
        merged.MarkMergedInto(survivorId, at);
        plan.Add(ct => _customers.UpdateAsync(survivor, ct));
        plan.Add(ct => _customers.UpdateAsync(merged, ct));

        foreach (var interaction in await _interactions.ListAsync(new InteractionsOf(mergedId), cancellationToken).ConfigureAwait(false))
        {
            var moved = interaction.MovedTo(survivorId);
            plan.Add(ct => _interactions.RemoveAsync(interaction, ct));
            plan.Add(ct => _interactions.AddAsync(moved, ct));
            plan.InteractionsMoved++;
        }
        foreach (var purchase in await _purchases.ListAsync(new PurchasesOf(mergedId), cancellationToken).ConfigureAwait(false))
        {
            var moved = purchase.MovedTo(survivorId);
            plan.Add(ct => _purchases.RemoveAsync(purchase, ct));
            plan.Add(ct => _purchases.AddAsync(moved, ct));
            plan.PurchasesMoved++;
        }

        if (await _lifecycles.GetByIdAsync(mergedId, cancellationToken).ConfigureAwait(false) is { } mergedLifecycle)
        {
            plan.LifecycleMerged = true;
            if (await _lifecycles.GetByIdAsync(survivorId, cancellationToken).ConfigureAwait(false) is { } survivorLifecycle)
            {
                survivorLifecycle.Absorb(mergedLifecycle, at, options.Actor, mergedId);
                plan.Add(ct => _lifecycles.UpdateAsync(survivorLifecycle, ct));
            }
            else
            {
                var copy = mergedLifecycle.CopyFor(survivorId);
                plan.Add(ct => _lifecycles.AddAsync(copy, ct));
            }
        }

        foreach (var account in await _loyaltyAccounts.ListAsync(new AccountsOf(mergedId), cancellationToken).ConfigureAwait(false))
        {
            var survivorAccountId = new LoyaltyAccountId(account.ProgrammeId, survivorId);
            if (await _loyaltyAccounts.GetByIdAsync(survivorAccountId, cancellationToken).ConfigureAwait(false) is { } survivorAccount)
            {
                survivorAccount.Absorb(account, at);
                plan.Add(ct => _loyaltyAccounts.UpdateAsync(survivorAccount, ct));
            }
            else
            {
                var copy = account.CopyFor(survivorId);
                account.DrainInto(copy.Id, at);
                plan.Add(ct => _loyaltyAccounts.AddAsync(copy, ct));
            }
            plan.Add(ct => _loyaltyAccounts.UpdateAsync(account, ct));
            plan.LoyaltyAccountsMerged++;
        }

        var survivorSegments = (await _segmentMembers.ListAsync(new MembershipsOf(survivorId), cancellationToken).ConfigureAwait(false))
            .Select(m => m.SegmentId).ToHashSet();
        foreach (var membership in await _segmentMembers.ListAsync(new MembershipsOf(mergedId), cancellationToken).ConfigureAwait(false))
        {
            plan.Add(ct => _segmentMembers.RemoveAsync(membership, ct));
            if (survivorSegments.Add(membership.SegmentId))
            {
                var moved = SegmentMember.Moved(membership.SegmentId, survivorId, membership.Since);
                plan.Add(ct => _segmentMembers.AddAsync(moved, ct));
                plan.SegmentMembershipsMoved++;
            }
        }
        await foreach (var segment in _segments.StreamAsync(new AllSegments(), cancellationToken).ConfigureAwait(false))
        {
            if (MoveOverrides(segment, mergedId, survivorId))
            {
                plan.Add(ct => _segments.UpdateAsync(segment, ct));
            }
        }
        return plan;
    }

    // A segment's manual overrides follow the customer; an exclusion on either record wins over an inclusion.
    private static bool MoveOverrides(Segment segment, CustomerId mergedId, CustomerId survivorId)
    {
        var included = segment.Includes.Contains(mergedId);
        var excluded = segment.Excludes.Contains(mergedId);
        if (!included && !excluded)
        {
            return false;
        }
        if (segment.Kind == SegmentKind.Dynamic)
        {
            segment.ClearOverride(mergedId);
        }
        else
        {
            segment.Exclude(mergedId);
        }
        if (excluded)
        {
            segment.Exclude(survivorId);
        }
        else if (!segment.Excludes.Contains(survivorId))
        {
            segment.Include(survivorId);
        }
        return true;
    }

    private async Task<Customer> Load(CustomerId id, CancellationToken cancellationToken) =>
        await _customers.GetByIdAsync(id, cancellationToken).ConfigureAwait(false)
        ?? throw new AggregateNotFoundException(nameof(Customer), id.Value, "register the customer first, or check the id.");

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private sealed class Plan(Customer survivor, Customer merged)
    {
        public List<Func<CancellationToken, Task>> Registrations { get; } = [];

        public int InteractionsMoved { get; set; }

        public int PurchasesMoved { get; set; }

        public int SegmentMembershipsMoved { get; set; }

        public int LoyaltyAccountsMerged { get; set; }

        public bool LifecycleMerged { get; set; }

        public void Add(Func<CancellationToken, Task> registration) => Registrations.Add(registration);

        public CustomerMergeResult Result(bool isDryRun) =>
            new(survivor, merged, InteractionsMoved, PurchasesMoved, SegmentMembershipsMoved, LoyaltyAccountsMerged, LifecycleMerged, isDryRun);
    }

    private sealed class InteractionsOf : Specification<Interaction>
    {
        public InteractionsOf(CustomerId id) => Query.Where(i => i.CustomerId == id).OrderBy(i => i.Id);
    }

    private sealed class PurchasesOf : Specification<Purchase>
    {
        public PurchasesOf(CustomerId id) => Query.Where(p => p.CustomerId == id).OrderBy(p => p.Id);
    }

    private sealed class AccountsOf : Specification<LoyaltyAccount>
    {
        public AccountsOf(CustomerId id) => Query.Where(a => a.CustomerId == id);
    }

    private sealed class MembershipsOf : Specification<SegmentMember>
    {
        public MembershipsOf(CustomerId id) => Query.Where(m => m.Id.CustomerId == id);
    }

    private sealed class AllSegments : Specification<Segment>;
}
