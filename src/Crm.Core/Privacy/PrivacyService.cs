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

namespace Crm.Core.Privacy;

/// <summary>
/// Answers a data subject's requests about one customer across every aggregate and store: an export of everything
/// held (<see cref="ExportAsync"/>, GDPR art. 15 and 20) and erasure (<see cref="EraseAsync"/>, art. 17).
/// </summary>
/// <remarks>
/// <para>Register with <c>services.AddCrmCore().Use…Store().AddPrivacy(key)</c> and resolve per scope: it uses the
/// scope's repositories and unit of work. What is erased, what stays and why: docs/privacy.md.</para>
/// <para>Not thread-safe (one scope, one logical flow at a time).</para>
/// </remarks>
public sealed class PrivacyService
{
    private readonly IRepository<Customer, CustomerId> _customers;
    private readonly IRepository<Interaction, InteractionId> _interactions;
    private readonly IReadRepository<Purchase, TransactionId> _purchases;
    private readonly IRepository<LoyaltyAccount, LoyaltyAccountId> _loyaltyAccounts;
    private readonly IRepository<CustomerLifecycle, CustomerId> _lifecycles;
    private readonly IRepository<Segment, SegmentId> _segments;
    private readonly IRepository<SegmentMember, SegmentMemberId> _segmentMembers;
    private readonly IRepository<ErasureRecord, CustomerId> _erasures;
    private readonly IRepository<ErasedExternalId, ErasedExternalIdKey> _tombstones;
    private readonly ICustomerProfileStore _profiles;
    private readonly ProfileFieldRegistry _profileFields;
    private readonly IUnitOfWork _unitOfWork;
    private readonly IClock _clock;
    private readonly PrivacyOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the service over one scope's stores (dependency injection does this).</summary>
    /// <param name="customers">Customers.</param>
    /// <param name="interactions">Interactions.</param>
    /// <param name="purchases">Purchases (read only: they are kept as accounting facts).</param>
    /// <param name="loyaltyAccounts">Loyalty accounts.</param>
    /// <param name="lifecycles">Customer lifecycles.</param>
    /// <param name="segments">Segments (for names and per-customer overrides).</param>
    /// <param name="segmentMembers">Segment memberships.</param>
    /// <param name="erasures">Erasure records.</param>
    /// <param name="tombstones">Keyed hashes of erased external ids.</param>
    /// <param name="profiles">The segmentation read model.</param>
    /// <param name="profileFields">The profile fields written to exports.</param>
    /// <param name="unitOfWork">The scope's unit of work: an erasure commits through it, all or nothing.</param>
    /// <param name="clock">The time of exports and erasures.</param>
    /// <param name="options">The hash key for erased external ids.</param>
    /// <param name="logger">Receives one message per committed erasure (counts only, event id 7001); null, or no logging registered, for none.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PrivacyService(
        IRepository<Customer, CustomerId> customers,
        IRepository<Interaction, InteractionId> interactions,
        IReadRepository<Purchase, TransactionId> purchases,
        IRepository<LoyaltyAccount, LoyaltyAccountId> loyaltyAccounts,
        IRepository<CustomerLifecycle, CustomerId> lifecycles,
        IRepository<Segment, SegmentId> segments,
        IRepository<SegmentMember, SegmentMemberId> segmentMembers,
        IRepository<ErasureRecord, CustomerId> erasures,
        IRepository<ErasedExternalId, ErasedExternalIdKey> tombstones,
        ICustomerProfileStore profiles,
        ProfileFieldRegistry profileFields,
        IUnitOfWork unitOfWork,
        IClock clock,
        PrivacyOptions options,
        ILogger<PrivacyService>? logger = null)
    {
        _customers = Preconditions.CheckNotNull(customers);
        _interactions = Preconditions.CheckNotNull(interactions);
        _purchases = Preconditions.CheckNotNull(purchases);
        _loyaltyAccounts = Preconditions.CheckNotNull(loyaltyAccounts);
        _lifecycles = Preconditions.CheckNotNull(lifecycles);
        _segments = Preconditions.CheckNotNull(segments);
        _segmentMembers = Preconditions.CheckNotNull(segmentMembers);
        _erasures = Preconditions.CheckNotNull(erasures);
        _tombstones = Preconditions.CheckNotNull(tombstones);
        _profiles = Preconditions.CheckNotNull(profiles);
        _profileFields = Preconditions.CheckNotNull(profileFields);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _clock = Preconditions.CheckNotNull(clock);
        _options = Preconditions.CheckNotNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Collects everything held about the customer into one JSON document: the customer record (name, contact points,
    /// consents with history, external ids, tags, attributes, life events, holdings), interactions, purchases, loyalty
    /// accounts with their ledgers, the lifecycle with its history, segment memberships and overrides, the
    /// segmentation profile, the erasure record if the customer was erased, and every record merged into the customer.
    /// </summary>
    /// <remarks>
    /// A merge said the records are one person, so the export covers the whole merge family whichever id the request
    /// names, like <see cref="EraseAsync"/>: asked for a merged record's id, it exports the survivor that id redirects
    /// to (<see cref="CustomerDataExport.CustomerId"/>), with the requested record among its <c>mergedRecords</c>;
    /// <see cref="CustomerDataExport.RequestedCustomerId"/> keeps the id asked for.
    /// </remarks>
    /// <param name="customerId">The customer, or a record merged into it.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The export; parts the store has nothing of are null or empty (an unknown id gives an export with no customer).</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is the uninitialised default.</exception>
    public async Task<CustomerDataExport> ExportAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        var exportedAt = _clock.GetCurrentInstant();
        var requested = await _customers.GetByIdAsync(customerId, cancellationToken).ConfigureAwait(false);
        var (customer, family) = requested is null
            ? (null, [])
            : await MergeFamilyAsync(requested, cancellationToken).ConfigureAwait(false);
        var id = customer?.Id ?? customerId;
        var interactions = await _interactions.ListAsync(InteractionsOf(id), cancellationToken).ConfigureAwait(false);
        var purchases = await _purchases.ListAsync(Specification.Create<Purchase>(q => q.Where(p => p.CustomerId == id)
            .OrderBy(p => p.OccurredAt).ThenBy(p => p.Id)), cancellationToken).ConfigureAwait(false);
        var accounts = await _loyaltyAccounts.ListAsync(AccountsOf(id), cancellationToken).ConfigureAwait(false);
        var lifecycle = await _lifecycles.GetByIdAsync(id, cancellationToken).ConfigureAwait(false);
        var members = await _segmentMembers.ListAsync(MembershipsOf(id), cancellationToken).ConfigureAwait(false);
        var segments = await _segments.ListAsync(Specification.All<Segment>(), cancellationToken).ConfigureAwait(false);
        var byId = segments.ToDictionary(s => s.Id);
        var overrides = OverridesOf(segments, id);
        var profile = await _profiles.FindAsync(id, cancellationToken).ConfigureAwait(false);
        var erasure = await _erasures.GetByIdAsync(id, cancellationToken).ConfigureAwait(false);
        var merged = new List<MergedRecordSources>();
        foreach (var record in family.Where(c => c.Id != id).OrderBy(c => c.Id))
        {
            var mergedAccounts = await _loyaltyAccounts.ListAsync(AccountsOf(record.Id), cancellationToken).ConfigureAwait(false);
            merged.Add(new MergedRecordSources(record, mergedAccounts.OrderBy(a => a.ProgrammeId).ToList(),
                await _lifecycles.GetByIdAsync(record.Id, cancellationToken).ConfigureAwait(false),
                OverridesOf(segments, record.Id),
                await _erasures.GetByIdAsync(record.Id, cancellationToken).ConfigureAwait(false)));
        }
        var document = CustomerExportWriter.Write(new ExportSources(
            id, customerId, exportedAt, customer, interactions, purchases, accounts.OrderBy(a => a.ProgrammeId).ToList(), lifecycle,
            members.OrderBy(m => m.SegmentId).Select(m => (m, byId.GetValueOrDefault(m.SegmentId))).ToList(),
            overrides, profile, _profileFields, erasure, merged));
        return new CustomerDataExport(id, customerId, exportedAt, document);
    }

    /// <summary>
    /// Erases the customer's personal data in every aggregate and store, in one unit of work, and records the erasure
    /// (when, why, by whom; nothing of the erased data). Calling it again for an erased customer is harmless: it
    /// re-checks every store and keeps the first record.
    /// </summary>
    /// <remarks>
    /// <para>Removed or replaced: name (a placeholder of the same kind), birth date, contact points, external ids (kept
    /// only as keyed hashes, see <see cref="IErasureRegistry"/>), tags, personal custom attributes, life events, consent
    /// sources, interaction subjects and outcomes, loyalty adjustment and tier override reasons, lifecycle transition
    /// reasons, segment memberships and overrides, and the segmentation profile. Kept under the (pseudonymous) id:
    /// purchases, points, holdings, non-personal attributes, consent grants and withdrawals, stage history.</para>
    /// <para>Merged records belong to the person too: erasing a customer also erases every record merged into it
    /// (the tombstones, see <see cref="Customer.MergedCustomerIds"/>) and everything they still own, and erasing a
    /// merged record's id erases the survivor it redirects to and that survivor's whole merge family. Each erased
    /// customer record gets its own <see cref="ErasureRecord"/>; the result carries the one of
    /// <paramref name="customerId"/>.</para>
    /// <para>The segmentation profile is a projection outside the unit of work: it is removed just before the commit,
    /// so a failed commit leaves at most a missing projection (rebuilt by the next projection run), never personal data
    /// after a successful one. Database stores keep deleted bytes in free pages until purged: see docs/privacy.md
    /// (<c>CrmDatabase.PurgeDeletedDataAsync</c> for the EF Core adapter).</para>
    /// </remarks>
    /// <param name="customerId">The customer.</param>
    /// <param name="reason">Why, e.g. <c>art17-request</c> or a ticket reference: 1-200 characters, no personal data.</param>
    /// <param name="actor">Who: the staff or system id carrying it out.</param>
    /// <param name="cancellationToken">Cancels the erasure before it commits.</param>
    /// <returns>The erasure record and whether the customer had been erased before.</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default, or <paramref name="reason"/> or <paramref name="actor"/> is blank, too long or contains control characters.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> or <paramref name="actor"/> is null.</exception>
    /// <exception cref="AggregateNotFoundException">There is no such customer and no erasure record for the id.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone changed one of the customer's aggregates meanwhile; nothing was written: call again.</exception>
    public async Task<ErasureResult> EraseAsync(CustomerId customerId, string reason, string actor, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        var cleanedReason = Text.Clean(reason, nameof(reason), ErasureRecord.MaxReasonLength);
        var cleanedActor = Identifier.Validate(actor, nameof(actor), "actor");
        var now = _clock.GetCurrentInstant();

        var customer = await _customers.GetByIdAsync(customerId, cancellationToken).ConfigureAwait(false);
        var record = await _erasures.GetByIdAsync(customerId, cancellationToken).ConfigureAwait(false);
        if (customer is null && record is null)
        {
            throw new AggregateNotFoundException(nameof(Customer), customerId.Value,
                "there is nothing to erase under this id. Check the id; an erased customer keeps their record and can be erased again harmlessly.");
        }

        // The erasure registers changes to many aggregates before its one commit: a failure on the way (a cancellation,
        // a store error, a conflict at the commit) must not leave part of it registered for the scope's next commit.
        IReadOnlyList<CustomerId> ids;
        HashSet<ErasedExternalIdKey> hashed;
        bool alreadyErased;
        try
        {
            // A merge said the records are one person, and the merged ones stay behind as tombstones that still hold their
            // name, birth date, external ids of conflicting systems, drained loyalty accounts and lifecycles. Erasing the
            // person reaches every record of the merge family, whichever id the request names.
            var family = customer is null ? [] : (await MergeFamilyAsync(customer, cancellationToken).ConfigureAwait(false)).Family;
            ids = family.Select(c => c.Id).Append(customerId).Distinct().ToList();
            hashed = new HashSet<ErasedExternalIdKey>();
            var linkedCounts = new Dictionary<CustomerId, int>();
            foreach (var member in family)
            {
                var linked = member.ErasePersonalData(now);
                linkedCounts[member.Id] = linked.Count;
                foreach (var (system, id) in linked)
                {
                    var key = _options.HashExternalId(member.TenantId, system, id);
                    if (hashed.Add(key) && await _tombstones.GetByIdAsync(key, cancellationToken).ConfigureAwait(false) is null)
                    {
                        await _tombstones.AddAsync(ErasedExternalId.Create(key, system, now, member.TenantId), cancellationToken).ConfigureAwait(false);
                    }
                }
                await _customers.UpdateAsync(member, cancellationToken).ConfigureAwait(false);
            }

            foreach (var id in ids)
            {
                await EraseRelatedAsync(id, cancellationToken).ConfigureAwait(false);
            }
            foreach (var segment in await _segments.ListAsync(Specification.All<Segment>(), cancellationToken).ConfigureAwait(false))
            {
                var changed = false;
                foreach (var id in ids)
                {
                    changed |= segment.Forget(id);
                }
                if (changed)
                {
                    await _segments.UpdateAsync(segment, cancellationToken).ConfigureAwait(false);
                }
            }

            alreadyErased = record is not null;
            if (record is null)
            {
                record = ErasureRecord.Create(customerId, now, cleanedReason, cleanedActor, linkedCounts.GetValueOrDefault(customerId), customer?.TenantId);
                await _erasures.AddAsync(record, cancellationToken).ConfigureAwait(false);
            }
            // Every erased customer record has its own erasure record, so an export under any of the ids says what happened.
            foreach (var member in family.Where(m => m.Id != customerId))
            {
                if (await _erasures.GetByIdAsync(member.Id, cancellationToken).ConfigureAwait(false) is null)
                {
                    await _erasures.AddAsync(ErasureRecord.Create(member.Id, now, cleanedReason, cleanedActor, linkedCounts[member.Id], member.TenantId), cancellationToken)
                        .ConfigureAwait(false);
                }
            }

            foreach (var id in ids)
            {
                await _profiles.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
            }
            await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _unitOfWork.Discard();
            throw;
        }
        CrmLog.CustomerErased(_logger, ids.Count, hashed.Count, alreadyErased);
        return new ErasureResult(record, alreadyErased);
    }

    // The customer's interactions, loyalty accounts, lifecycle and segment memberships.
    private async Task EraseRelatedAsync(CustomerId customerId, CancellationToken cancellationToken)
    {
        foreach (var interaction in await _interactions.ListAsync(InteractionsOf(customerId), cancellationToken).ConfigureAwait(false))
        {
            if (interaction.Subject is not null || interaction.Outcome is not null)
            {
                interaction.ErasePersonalText();
                await _interactions.UpdateAsync(interaction, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var account in await _loyaltyAccounts.ListAsync(AccountsOf(customerId), cancellationToken).ConfigureAwait(false))
        {
            account.ErasePersonalText();
            await _loyaltyAccounts.UpdateAsync(account, cancellationToken).ConfigureAwait(false);
        }
        if (await _lifecycles.GetByIdAsync(customerId, cancellationToken).ConfigureAwait(false) is { } lifecycle)
        {
            lifecycle.ErasePersonalText();
            await _lifecycles.UpdateAsync(lifecycle, cancellationToken).ConfigureAwait(false);
        }
        // Memberships are profiling results (art. 4(4)); no accounting needs them, so they go rather than stay pseudonymous.
        foreach (var member in await _segmentMembers.ListAsync(MembershipsOf(customerId), cancellationToken).ConfigureAwait(false))
        {
            await _segmentMembers.RemoveAsync(member, cancellationToken).ConfigureAwait(false);
        }
    }

    // The survivor the customer's merges lead to (the customer itself when never merged) and the family: the survivor,
    // every record on the way and every record merged into the survivor, directly or through earlier merges. A broken
    // or cyclic redirect stops the walk at the last record found, which then stands for the survivor. There is no hop
    // limit: nothing bounds how many merges chain up, and stopping short would leave the real survivor unerased.
    private async Task<(Customer Survivor, List<Customer> Family)> MergeFamilyAsync(Customer customer, CancellationToken cancellationToken)
    {
        var family = new Dictionary<CustomerId, Customer> { [customer.Id] = customer };
        var survivor = customer;
        while (survivor.MergedInto is { } next && !family.ContainsKey(next))
        {
            if (await _customers.GetByIdAsync(next, cancellationToken).ConfigureAwait(false) is not { } target)
            {
                break;
            }
            family[target.Id] = target;
            survivor = target;
        }
        foreach (var id in survivor.MergedCustomerIds)
        {
            if (!family.ContainsKey(id) && await _customers.GetByIdAsync(id, cancellationToken).ConfigureAwait(false) is { } merged)
            {
                family[id] = merged;
            }
        }
        return (survivor, family.Values.ToList());
    }

    // Segments that name the customer explicitly. A merge moves overrides to the survivor, but a host may still name a
    // merged record's id afterwards (from a system that knows the old id).
    private static List<(Segment, bool)> OverridesOf(IEnumerable<Segment> segments, CustomerId id) => segments
        .Where(s => s.Includes.Contains(id) || s.Excludes.Contains(id))
        .OrderBy(s => s.Id)
        .Select(s => (s, s.Includes.Contains(id)))
        .ToList();

    private static Specification<Interaction> InteractionsOf(CustomerId customerId) =>
        Specification.Create<Interaction>(q => q.Where(i => i.CustomerId == customerId).OrderBy(i => i.OccurredAt).ThenBy(i => i.Id));

    private static Specification<LoyaltyAccount> AccountsOf(CustomerId customerId) =>
        Specification.Create<LoyaltyAccount>(q => q.Where(a => a.Id.CustomerId == customerId));

    private static Specification<SegmentMember> MembershipsOf(CustomerId customerId) =>
        Specification.Create<SegmentMember>(q => q.Where(m => m.Id.CustomerId == customerId));
}
