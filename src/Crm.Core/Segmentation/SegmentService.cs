using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Diagnostics;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using System.Diagnostics;

namespace Crm.Core.Segmentation;

/// <summary>Progress of <see cref="SegmentService.RefreshAllAsync(IProgress{SegmentRefreshProgress}, CancellationToken)"/>, reported after each segment.</summary>
/// <param name="Completed">Segments refreshed so far.</param>
/// <param name="Total">Segments to refresh in all.</param>
/// <param name="Latest">The result of the segment just refreshed.</param>
public readonly record struct SegmentRefreshProgress(int Completed, int Total, SegmentRefreshResult Latest);

/// <summary>The outcome of applying (or previewing) a segment refresh.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Entered">Customers who entered, sorted (ordinal).</param>
/// <param name="Left">Customers who left, sorted (ordinal).</param>
/// <param name="MemberCount">Members after the refresh.</param>
/// <param name="Applied">False for a preview: nothing was changed.</param>
public sealed record SegmentRefreshResult(SegmentId SegmentId, IReadOnlyList<CustomerId> Entered, IReadOnlyList<CustomerId> Left, long MemberCount, bool Applied)
{
    /// <summary>Counts only (customer ids may be personal data for some hosts).</summary>
    public override string ToString() => $"{SegmentId}: +{Entered.Count} -{Left.Count} = {MemberCount}{(Applied ? string.Empty : " (preview)")}";
}

/// <summary>One membership change from an incremental re-evaluation.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Entered">True when the customer entered, false when they left.</param>
public sealed record MembershipChange(SegmentId SegmentId, CustomerId CustomerId, bool Entered);

/// <summary>
/// Defines segments and keeps their memberships exact: refresh applies only the difference between the old and
/// the new member set in one unit of work (so members are never missing mid-refresh, and
/// <see cref="SegmentEntered"/>/<see cref="SegmentLeft"/> are raised exactly for the customers that changed);
/// one customer can be re-evaluated on its own. Consent is applied wherever customers are returned: a segment's
/// <see cref="Segment.Purpose"/> (marketing by email unless stated) admits only customers whose consent for it is in
/// force at the evaluation instant (per <see cref="CustomerProfile.ConsentPeriods"/>, run by the profile store with the
/// rule, so in SQL for a database), and <see cref="GetAudienceAsync(SegmentId, PurposeOfUse, CancellationToken)"/>
/// checks again at the instant of activation.
/// </summary>
/// <remarks>
/// <para>Rules are evaluated as of today's date in <see cref="CrmCoreOptions.DefaultTimeZone"/>, read from the
/// injected <see cref="IClock"/>. Time-based rules ("bought in the last 30 days") change with the date alone: hosts
/// schedule <see cref="RefreshAllAsync(CancellationToken)"/> (e.g. daily); the library assumes no scheduler.</para>
/// <para>A full refresh streams matching ids from the profile store in batches (memory grows with the number of
/// members, not of profiles) and commits the difference once. Two refreshes of one segment at the same time: the
/// second commit fails with <see cref="ConcurrencyConflictException"/> (the segment's version moved); retry it.</para>
/// <para>Scoped: one instance per unit of work, not thread-safe.</para>
/// </remarks>
public sealed class SegmentService
{
    private readonly ILogger _logger;
    private readonly int _batchSize = 10_000;
    private readonly IRepository<Segment, SegmentId> _segments;
    private readonly IRepository<SegmentMember, SegmentMemberId> _members;
    private readonly IUnitOfWork _unitOfWork;
    private readonly ICustomerProfileStore _profiles;
    private readonly IClock _clock;
    private readonly DateTimeZone _zone;
    private readonly ProfileFieldRegistry _fields;

    /// <summary>Creates the service over the store's repositories and unit of work.</summary>
    /// <param name="segments">The segment definitions.</param>
    /// <param name="members">The materialised memberships.</param>
    /// <param name="unitOfWork">Commits a refresh's membership changes atomically.</param>
    /// <param name="profiles">The customer profiles rules are evaluated against.</param>
    /// <param name="clock">The evaluation instant.</param>
    /// <param name="options">The default time zone for date conditions.</param>
    /// <param name="fields">The profile fields rules may name.</param>
    /// <param name="logger">Receives one message per refreshed segment (ids and counts only); null, or no logging registered, for none.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public SegmentService(
        IRepository<Segment, SegmentId> segments,
        IRepository<SegmentMember, SegmentMemberId> members,
        IUnitOfWork unitOfWork,
        ICustomerProfileStore profiles,
        IClock clock,
        CrmCoreOptions options,
        ProfileFieldRegistry fields,
        ILogger<SegmentService>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _segments = Preconditions.CheckNotNull(segments);
        _members = Preconditions.CheckNotNull(members);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _profiles = Preconditions.CheckNotNull(profiles);
        _clock = Preconditions.CheckNotNull(clock);
        _zone = Preconditions.CheckNotNull(options).DefaultTimeZone;
        _fields = Preconditions.CheckNotNull(fields);
    }

    // Ids per consent query: small enough for any database's parameter limits, large enough to keep round trips few.
    private const int ConsentChunkSize = 500;

    /// <summary>How many ids a refresh reads from the profile store at a time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = Preconditions.CheckPositive(value);
    }


    /// <summary>
    /// Defines a dynamic <b>marketing</b> segment (<see cref="PurposeOfUse.Default"/>: members need marketing consent by
    /// email in force) after validating its rule (fields, operators, references and cycles).
    /// </summary>
    /// <param name="id">The key.</param>
    /// <param name="name">The display name.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new segment; it has no members until the first refresh.</returns>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    /// <exception cref="DuplicateAggregateException">A segment with this key exists.</exception>
    public Task<Segment> DefineDynamicAsync(SegmentId id, string name, RuleNode rule, CancellationToken cancellationToken = default) =>
        DefineDynamicAsync(id, name, rule, PurposeOfUse.Default, cancellationToken);

    /// <summary>Defines a dynamic segment for <paramref name="purpose"/> after validating its rule (fields, operators, references and cycles).</summary>
    /// <param name="id">The key.</param>
    /// <param name="name">The display name.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="purpose">
    /// What members are selected for: a consent-based purpose (e.g. <c>PurposeOfUse.Marketing(ContactChannel.Sms)</c>)
    /// admits only customers with that consent in force; an explicit non-marketing one admits every match.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new segment; it has no members until the first refresh.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    /// <exception cref="DuplicateAggregateException">A segment with this key exists.</exception>
    public async Task<Segment> DefineDynamicAsync(SegmentId id, string name, RuleNode rule, PurposeOfUse purpose, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purpose);
        var segment = Segment.CreateDynamic(id, name, rule, purpose);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        catalog[id.Value] = segment;
        Validator(catalog).ThrowIfInvalid(rule);
        await _segments.AddAsync(segment, cancellationToken).ConfigureAwait(false);
        await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        return segment;
    }

    /// <summary>Defines an empty static <b>marketing</b> list (<see cref="PurposeOfUse.Default"/>: members need marketing consent by email in force).</summary>
    /// <exception cref="DuplicateAggregateException">A segment with this key exists.</exception>
    public Task<Segment> DefineStaticListAsync(SegmentId id, string name, CancellationToken cancellationToken = default) =>
        DefineStaticListAsync(id, name, PurposeOfUse.Default, cancellationToken);

    /// <summary>Defines an empty static list for <paramref name="purpose"/> (a consent-based purpose keeps listed customers without that consent out).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    /// <exception cref="DuplicateAggregateException">A segment with this key exists.</exception>
    public async Task<Segment> DefineStaticListAsync(SegmentId id, string name, PurposeOfUse purpose, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purpose);
        var segment = Segment.CreateStaticList(id, name, purpose);
        await _segments.AddAsync(segment, cancellationToken).ConfigureAwait(false);
        await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        return segment;
    }

    /// <summary>Replaces a dynamic segment's rule after validating it (a reference back to this segment is a cycle). Members change at the next refresh.</summary>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    /// <exception cref="SegmentKindException">It is a static list.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    public async Task ChangeRuleAsync(SegmentId id, RuleNode rule, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotNull(rule);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var segment = catalog.TryGetValue(id.Value, out var s) ? s : throw new SegmentNotFoundException(id);
        segment.ChangeRule(rule);
        Validator(catalog).ThrowIfInvalid(rule);
        await _segments.UpdateAsync(segment, cancellationToken).ConfigureAwait(false);
        await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes what a segment's members are selected for; members change at the next refresh.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    public async Task ChangePurposeAsync(SegmentId id, PurposeOfUse purpose, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotNull(purpose);
        var segment = await _segments.GetByIdAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new SegmentNotFoundException(id);
        segment.ChangePurpose(purpose);
        await _segments.UpdateAsync(segment, cancellationToken).ConfigureAwait(false);
        await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Dynamic: keeps the customer in regardless of the rule. Static list: adds them. The membership changes at once;
    /// for a consent-based segment only while the customer's consent for its purpose is in force.
    /// </summary>
    /// <returns>The membership change, or null when the customer was already a member.</returns>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    public Task<MembershipChange?> IncludeAsync(SegmentId id, CustomerId customerId, CancellationToken cancellationToken = default) =>
        OverrideAsync(id, customerId, (segment, c) => segment.Include(c), cancellationToken);

    /// <summary>Dynamic: keeps the customer out regardless of the rule. Static list: removes them. The membership changes at once.</summary>
    /// <returns>The membership change, or null when the customer was not a member.</returns>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    public Task<MembershipChange?> ExcludeAsync(SegmentId id, CustomerId customerId, CancellationToken cancellationToken = default) =>
        OverrideAsync(id, customerId, (segment, c) => segment.Exclude(c), cancellationToken);

    /// <summary>Dynamic: removes an include/exclude override, so the rule decides again (at once).</summary>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    /// <exception cref="SegmentKindException">It is a static list.</exception>
    public Task<MembershipChange?> ClearOverrideAsync(SegmentId id, CustomerId customerId, CancellationToken cancellationToken = default) =>
        OverrideAsync(id, customerId, (segment, c) => segment.ClearOverride(c), cancellationToken);

    /// <summary>
    /// Recomputes a segment's members and applies only the difference, atomically, raising
    /// <see cref="SegmentEntered"/>/<see cref="SegmentLeft"/> for exactly the customers that changed.
    /// Refreshing again without data changes changes nothing and raises nothing.
    /// </summary>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    /// <exception cref="ConcurrencyConflictException">The segment changed or was refreshed meanwhile; retry.</exception>
    public async Task<SegmentRefreshResult> RefreshAsync(SegmentId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var segment = catalog.TryGetValue(id.Value, out var s) ? s : throw new SegmentNotFoundException(id);
        return await RefreshAsync(segment, catalog, apply: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refreshes every segment, each in its own unit of work (one segment's failure leaves the others applied).</summary>
    /// <returns>One result per segment, ordered by key.</returns>
    public Task<IReadOnlyList<SegmentRefreshResult>> RefreshAllAsync(CancellationToken cancellationToken = default) =>
        RefreshAllAsync(progress: null, cancellationToken);

    /// <summary>
    /// Refreshes every segment, each in its own unit of work (one segment's failure leaves the others applied), and
    /// reports to <paramref name="progress"/> after each segment.
    /// </summary>
    /// <param name="progress">Receives the count done, the total and the latest result after each segment; null for none.</param>
    /// <param name="cancellationToken">Cancels between and within segments; segments already refreshed stay applied.</param>
    /// <returns>One result per segment, ordered by key.</returns>
    public async Task<IReadOnlyList<SegmentRefreshResult>> RefreshAllAsync(IProgress<SegmentRefreshProgress>? progress, CancellationToken cancellationToken = default)
    {
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.SegmentRefreshAllSpan);
        activity?.SetTag("crm.segment.count", catalog.Count);
        try
        {
            var results = new List<SegmentRefreshResult>(catalog.Count);
            foreach (var segment in catalog.Values.OrderBy(x => x.Id))
            {
                var result = await RefreshAsync(segment, catalog, apply: true, cancellationToken).ConfigureAwait(false);
                results.Add(result);
                progress?.Report(new SegmentRefreshProgress(results.Count, catalog.Count, result));
            }
            return results;
        }
        catch (Exception e)
        {
            CrmDiagnostics.RecordFailure(activity, e);
            throw;
        }
    }

    /// <summary>What a refresh would do now, without changing anything: member count and who would enter/leave.</summary>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    public async Task<SegmentRefreshResult> PreviewAsync(SegmentId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var segment = catalog.TryGetValue(id.Value, out var s) ? s : throw new SegmentNotFoundException(id);
        return await RefreshAsync(segment, catalog, apply: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// How many profiles a marketing segment with this rule would hold now (before overrides), without defining one:
    /// rule matches whose marketing consent by email is in force (<see cref="PurposeOfUse.Default"/>).
    /// </summary>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    public Task<long> PreviewAsync(RuleNode rule, CancellationToken cancellationToken = default) =>
        PreviewAsync(rule, PurposeOfUse.Default, cancellationToken);

    /// <summary>How many profiles a segment with this rule and purpose would hold now (before overrides), without defining one.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> or <paramref name="purpose"/> is null.</exception>
    /// <exception cref="SegmentDefinitionException">The rule is invalid.</exception>
    public async Task<long> PreviewAsync(RuleNode rule, PurposeOfUse purpose, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(rule);
        Preconditions.CheckNotNull(purpose);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var criterion = Compiler(catalog).Compiler.Compile(rule, Today(now)).And(ConsentCriteria.PermittedFor(purpose, now));
        return await _profiles.CountAsync(criterion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Re-evaluates one customer against every segment (after their data changed) and applies the changes in one
    /// unit of work; no other customer is read.
    /// </summary>
    /// <returns>The changes, ordered by segment.</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public async Task<IReadOnlyList<MembershipChange>> ReevaluateCustomerAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var profile = await _profiles.FindAsync(customerId, cancellationToken).ConfigureAwait(false);
        var compiler = Compiler(catalog);
        var now = _clock.GetCurrentInstant();
        var today = Today(now);
        // Every segment is decided before anything is registered: a rule that no longer compiles changes nothing.
        var decisions = new List<(Segment Segment, bool Member)>();
        foreach (var segment in catalog.Values.OrderBy(x => x.Id))
        {
            var matches = compiler.RuleOf(segment) is { } rule && profile is not null && compiler.Compiler.Compile(rule, today).IsSatisfiedBy(profile);
            decisions.Add((segment, segment.Decide(customerId, matches) && ConsentCriteria.Permits(segment.Purpose, profile, now)));
        }
        var changes = new List<MembershipChange>();
        try
        {
            foreach (var (segment, member) in decisions)
            {
                if (await ApplyOneAsync(segment, customerId, member, cancellationToken).ConfigureAwait(false) is { } change)
                {
                    changes.Add(change);
                }
            }
            await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _unitOfWork.Discard(); // nothing half-registered stays behind for the scope's next commit
            throw;
        }
        return changes;
    }

    /// <summary>Explains, for one customer, which conditions of a dynamic segment's rule matched, with the actual values.</summary>
    /// <exception cref="SegmentNotFoundException">No such segment, or the customer has no profile.</exception>
    /// <exception cref="SegmentKindException">It is a static list (it has no rule).</exception>
    public async Task<RuleExplanation> ExplainAsync(SegmentId id, CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var segment = catalog.TryGetValue(id.Value, out var s) ? s : throw new SegmentNotFoundException(id);
        if (segment.Rule is null)
        {
            throw new SegmentKindException(id, segment.Kind, "explain a rule");
        }
        var profile = await _profiles.FindAsync(customerId, cancellationToken).ConfigureAwait(false)
            ?? throw new ProfileNotFoundException(customerId);
        var compiler = Compiler(catalog);
        return compiler.Compiler.Explain(compiler.RuleOf(segment)!, profile, Today(_clock.GetCurrentInstant()));
    }

    /// <summary>
    /// The members as of the last refresh, sorted (ordinal). Consent was checked at that refresh; to contact members,
    /// use <see cref="GetAudienceAsync(SegmentId, CancellationToken)"/>, which checks it again at this instant.
    /// </summary>
    public async Task<IReadOnlyList<CustomerId>> GetMembersAsync(SegmentId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        var members = await _members.ListAsync(new MembersOf(id), cancellationToken).ConfigureAwait(false);
        return members.Select(m => m.CustomerId).Order().ToList();
    }

    /// <summary>The segments a customer is currently a member of, sorted by key.</summary>
    public async Task<IReadOnlyList<SegmentId>> GetSegmentsOfAsync(CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(customerId);
        var members = await _members.ListAsync(new SegmentsOf(customerId), cancellationToken).ConfigureAwait(false);
        return members.Select(m => m.SegmentId).Order().ToList();
    }

    /// <summary>
    /// The members to contact now for the segment's own <see cref="Segment.Purpose"/>: for a consent-based purpose
    /// only those whose consent is still in force at this instant (a withdrawal since the last refresh counts at once).
    /// </summary>
    /// <returns>The audience, sorted (ordinal).</returns>
    /// <exception cref="SegmentNotFoundException">No such segment.</exception>
    public async Task<IReadOnlyList<CustomerId>> GetAudienceAsync(SegmentId id, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        var segment = await _segments.GetByIdAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new SegmentNotFoundException(id);
        return await GetAudienceAsync(id, segment.Purpose, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The members to contact now for <paramref name="purpose"/>: for a consent-based purpose only those whose consent
    /// for its purpose and channel is in force at this instant (per their profile; no profile, no consent); for an
    /// explicit non-marketing purpose, all members.
    /// </summary>
    /// <returns>The audience, sorted (ordinal).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    public async Task<IReadOnlyList<CustomerId>> GetAudienceAsync(SegmentId id, PurposeOfUse purpose, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotNull(purpose);
        var members = await GetMembersAsync(id, cancellationToken).ConfigureAwait(false);
        var permitted = await PermittedAsync(members, ConsentCriteria.PermittedFor(purpose, _clock.GetCurrentInstant()), cancellationToken).ConfigureAwait(false);
        return permitted.Order().ToList();
    }

    /// <summary>
    /// The customers of <paramref name="ids"/> whose profile satisfies <paramref name="consent"/>, asked of the profile
    /// store in chunks (one query per chunk in a database, not one per customer).
    /// </summary>
    private async Task<List<CustomerId>> PermittedAsync(IReadOnlyCollection<CustomerId> ids, Criterion<CustomerProfile> consent, CancellationToken cancellationToken)
    {
        if (consent.IsTrue)
        {
            return [.. ids];
        }
        var permitted = new List<CustomerId>();
        foreach (var chunk in ids.Chunk(ConsentChunkSize))
        {
            var criterion = Criterion<CustomerProfile>.Where(p => chunk.Contains(p.CustomerId)).And(consent);
            await foreach (var batch in _profiles.StreamMatchingAsync(criterion, ConsentChunkSize, cancellationToken).ConfigureAwait(false))
            {
                permitted.AddRange(batch);
            }
        }
        return permitted;
    }

    private async Task<SegmentRefreshResult> RefreshAsync(Segment segment, Dictionary<string, Segment> catalog, bool apply, CancellationToken cancellationToken)
    {
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.SegmentRefreshSpan);
        if (activity is not null)
        {
            // Segment ids are the host's names for audiences, not personal data; customer ids never go on tags.
            activity.SetTag("crm.segment.id", segment.Id.Value);
            activity.SetTag("crm.segment.applied", apply);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await RefreshCoreAsync(segment, catalog, apply, cancellationToken).ConfigureAwait(false);
            if (apply)
            {
                CrmLog.SegmentRefreshed(_logger, segment.Id.Value, result.Entered.Count, result.Left.Count, result.MemberCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                CrmLog.SegmentPreviewed(_logger, segment.Id.Value, result.Entered.Count, result.Left.Count, result.MemberCount);
            }
            if (activity is not null)
            {
                activity.SetTag("crm.segment.entered", result.Entered.Count);
                activity.SetTag("crm.segment.left", result.Left.Count);
                activity.SetTag("crm.segment.member_count", result.MemberCount);
            }
            if (apply)
            {
                if (result.Entered.Count > 0 && CrmDiagnostics.SegmentEntered.Enabled)
                {
                    CrmDiagnostics.SegmentEntered.Add(result.Entered.Count, new KeyValuePair<string, object?>("crm.segment.id", segment.Id.Value));
                }
                if (result.Left.Count > 0 && CrmDiagnostics.SegmentLeft.Enabled)
                {
                    CrmDiagnostics.SegmentLeft.Add(result.Left.Count, new KeyValuePair<string, object?>("crm.segment.id", segment.Id.Value));
                }
            }
            return result;
        }
        catch (Exception e)
        {
            CrmDiagnostics.RecordFailure(activity, e);
            throw;
        }
    }

    private async Task<SegmentRefreshResult> RefreshCoreAsync(Segment segment, Dictionary<string, Segment> catalog, bool apply, CancellationToken cancellationToken)
    {
        var current = new Dictionary<CustomerId, SegmentMember>();
        await foreach (var member in _members.StreamAsync(new MembersOf(segment.Id), cancellationToken).ConfigureAwait(false))
        {
            current[member.CustomerId] = member;
        }
        // One instant for the whole evaluation: the rule's day and the consent check agree.
        var evaluatedAt = _clock.GetCurrentInstant();
        var consent = ConsentCriteria.PermittedFor(segment.Purpose, evaluatedAt);
        var desired = new HashSet<CustomerId>();
        if (segment.Rule is not null)
        {
            var compiler = Compiler(catalog);
            // Consent runs with the rule in the profile store (SQL for a database): non-consenting profiles never leave it.
            var criterion = compiler.Compiler.Compile(compiler.RuleOf(segment)!, Today(evaluatedAt)).And(consent);
            await foreach (var batch in _profiles.StreamMatchingAsync(criterion, BatchSize, cancellationToken).ConfigureAwait(false))
            {
                desired.UnionWith(batch);
            }
        }
        // Includes (and static list members) get no way around consent either.
        var included = segment.Includes.Where(c => !desired.Contains(c)).ToList();
        desired.UnionWith(await PermittedAsync(included, consent, cancellationToken).ConfigureAwait(false));
        desired.ExceptWith(segment.Excludes);
        var entered = desired.Where(c => !current.ContainsKey(c)).Order().ToList();
        var left = current.Keys.Where(c => !desired.Contains(c)).Order().ToList();
        if (apply)
        {
            var now = evaluatedAt;
            try
            {
                foreach (var customer in entered)
                {
                    await _members.AddAsync(SegmentMember.Enter(segment.Id, customer, now), cancellationToken).ConfigureAwait(false);
                }
                foreach (var customer in left)
                {
                    var member = current[customer];
                    member.Leave(now);
                    await _members.RemoveAsync(member, cancellationToken).ConfigureAwait(false);
                }
                // Updating the segment makes two concurrent refreshes of it conflict instead of both applying a diff.
                segment.RecordRefresh(now);
                await _segments.UpdateAsync(segment, cancellationToken).ConfigureAwait(false);
                await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _unitOfWork.Discard(); // a refresh applies its whole diff or nothing; retry it in the same scope or a new one
                throw;
            }
        }
        return new SegmentRefreshResult(segment.Id, entered, left, desired.Count, apply);
    }

    private async Task<MembershipChange?> OverrideAsync(SegmentId id, CustomerId customerId, Func<Segment, CustomerId, bool> change, CancellationToken cancellationToken)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotDefault(customerId);
        var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
        var segment = catalog.TryGetValue(id.Value, out var s) ? s : throw new SegmentNotFoundException(id);
        change(segment, customerId);
        var now = _clock.GetCurrentInstant();
        var matches = false;
        var profile = await _profiles.FindAsync(customerId, cancellationToken).ConfigureAwait(false);
        if (segment.Rule is not null && profile is not null)
        {
            var compiler = Compiler(catalog);
            matches = compiler.Compiler.Compile(compiler.RuleOf(segment)!, Today(now)).IsSatisfiedBy(profile);
        }
        var member = segment.Decide(customerId, matches) && ConsentCriteria.Permits(segment.Purpose, profile, now);
        try
        {
            var result = await ApplyOneAsync(segment, customerId, member, cancellationToken).ConfigureAwait(false);
            await _segments.UpdateAsync(segment, cancellationToken).ConfigureAwait(false);
            await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch
        {
            _unitOfWork.Discard(); // the override and the membership change go together or not at all
            throw;
        }
    }

    private async Task<MembershipChange?> ApplyOneAsync(Segment segment, CustomerId customerId, bool shouldBeMember, CancellationToken cancellationToken)
    {
        var existing = await _members.GetByIdAsync(new SegmentMemberId(segment.Id, customerId), cancellationToken).ConfigureAwait(false);
        if (shouldBeMember == existing is not null)
        {
            return null;
        }
        var now = _clock.GetCurrentInstant();
        if (existing is null)
        {
            await _members.AddAsync(SegmentMember.Enter(segment.Id, customerId, now), cancellationToken).ConfigureAwait(false);
            return new MembershipChange(segment.Id, customerId, Entered: true);
        }
        existing.Leave(now);
        await _members.RemoveAsync(existing, cancellationToken).ConfigureAwait(false);
        return new MembershipChange(segment.Id, customerId, Entered: false);
    }

    private LocalDate Today(Instant now) => now.InZone(_zone).Date;

    private async Task<Dictionary<string, Segment>> CatalogAsync(CancellationToken cancellationToken)
    {
        var all = await _segments.ListAsync(new AllSegments(), cancellationToken).ConfigureAwait(false);
        return all.ToDictionary(s => s.Id.Value, StringComparer.Ordinal);
    }

    /// <summary>The shared, cached compiler for the catalog's rules (compiled criteria survive across calls and scopes).</summary>
    private CatalogCompiler Compiler(Dictionary<string, Segment> catalog) => CatalogCompiler.For(_fields, catalog);

    /// <summary>
    /// A throw-away compiler for validating a new or changed rule: the rule is not stored yet and may be invalid
    /// (even unserialisable), so it must not become a cached catalog version.
    /// </summary>
    private RuleCompiler Validator(Dictionary<string, Segment> catalog) => new(_fields, new CatalogResolver(catalog));

    private sealed class CatalogResolver(Dictionary<string, Segment> catalog) : ISegmentRuleResolver
    {
        public RuleNode? FindRule(string segmentKey) => catalog.TryGetValue(segmentKey, out var s) ? s.Rule : null;
    }

    private sealed class AllSegments : Specification<Segment>;

    private sealed class MembersOf : Specification<SegmentMember>
    {
        public MembersOf(SegmentId id) => Query.Where(m => m.Id.SegmentId == id);
    }

    private sealed class SegmentsOf : Specification<SegmentMember>
    {
        public SegmentsOf(CustomerId id) => Query.Where(m => m.Id.CustomerId == id);
    }
}

/// <summary>Thrown when an operation needs a customer's profile and there is none; project the customer first.</summary>
public sealed class ProfileNotFoundException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public ProfileNotFoundException(CustomerId customerId)
        : base($"Customer '{customerId}' has no profile yet. Build and store their profile (ICustomerProfileStore.UpsertAsync) first.") => CustomerId = customerId;

    /// <summary>The customer.</summary>
    public CustomerId CustomerId { get; }
}
