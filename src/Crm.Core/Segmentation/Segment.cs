using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>Identifies a segment; a stable key such as <c>champions</c> that rules use to reference it.</summary>
/// <remarks>Equality and ordering are ordinal. <c>default(SegmentId)</c> is rejected by every API.</remarks>
public readonly record struct SegmentId : IComparable<SegmentId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">Not empty, no surrounding white space or control characters, at most 200 characters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks one of the rules above.</exception>
    public SegmentId(string value) => _value = Identifier.Validate(value, nameof(value), nameof(SegmentId));

    /// <summary>The key, as given.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Ordinal comparison.</summary>
    public int CompareTo(SegmentId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Ordinal equality.</summary>
    public bool Equals(SegmentId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The key.</summary>
    public override string ToString() => Value;
}

/// <summary>How a segment's members are decided.</summary>
public enum SegmentKind
{
    /// <summary>By a rule over customer profiles, plus manual include/exclude overrides.</summary>
    Dynamic = 0,

    /// <summary>By hand: a static list of customers.</summary>
    StaticList = 1,
}

/// <summary>
/// A segment: a named group of customers, either dynamic (a rule, re-evaluated on refresh, with manual
/// include/exclude overrides) or a static list. Memberships themselves are <see cref="SegmentMember"/> aggregates,
/// changed only by <see cref="SegmentService"/>, so a refresh can apply just the difference.
/// </summary>
/// <remarks>Not thread-safe: load one per unit of work. Override sets hold identifiers only (no personal data).</remarks>
public sealed class Segment : AggregateRoot<SegmentId>
{
    private readonly HashSet<CustomerId> _includes;
    private readonly HashSet<CustomerId> _excludes;

    // Null only in segments stored before purposes existed: they read as the default, marketing.
    private PurposeOfUse? _purpose;

    private Segment(SegmentId id, string name, SegmentKind kind, RuleNode? rule, HashSet<CustomerId> includes, HashSet<CustomerId> excludes, Instant? lastRefreshedAt,
        PurposeOfUse purpose)
        : base(id)
    {
        _purpose = purpose;
        Name = name;
        Kind = kind;
        Rule = rule;
        _includes = includes;
        _excludes = excludes;
        LastRefreshedAt = lastRefreshedAt;
    }

    /// <summary>The display name.</summary>
    public string Name { get; private set; }

    /// <summary>Dynamic or static list.</summary>
    public SegmentKind Kind { get; }

    /// <summary>The rule of a dynamic segment; null for a static list.</summary>
    public RuleNode? Rule { get; private set; }

    /// <summary>Dynamic: customers kept in whatever the rule says. Static list: the list's members.</summary>
    public IReadOnlyCollection<CustomerId> Includes => _includes;

    /// <summary>Dynamic: customers kept out whatever the rule says. Always empty for a static list.</summary>
    public IReadOnlyCollection<CustomerId> Excludes => _excludes;

    /// <summary>When the last full refresh was applied.</summary>
    public Instant? LastRefreshedAt { get; private set; }

    /// <summary>
    /// What the segment's members are selected for. For a consent-based purpose (marketing, the default:
    /// <see cref="PurposeOfUse.Default"/>) only customers whose consent for its purpose and channel is in force at the
    /// evaluation instant are members, whatever the rule or the overrides say; an explicit non-marketing purpose keeps
    /// its basis, justification and actor here as the record.
    /// </summary>
    public PurposeOfUse Purpose => _purpose ?? PurposeOfUse.Default;

    /// <summary>Creates a dynamic segment. Validate the rule first (the service does, with segment references).</summary>
    /// <param name="id">The key.</param>
    /// <param name="name">The display name.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="purpose">What members are selected for; null for <see cref="PurposeOfUse.Default"/> (marketing by email).</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default or <paramref name="name"/> blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> or <paramref name="name"/> is null.</exception>
    public static Segment CreateDynamic(SegmentId id, string name, RuleNode rule, PurposeOfUse? purpose = null) =>
        new(Preconditions.CheckNotDefault(id), Preconditions.CheckNotBlank(name), SegmentKind.Dynamic, Preconditions.CheckNotNull(rule), [], [], null,
            purpose ?? PurposeOfUse.Default);

    /// <summary>Creates an empty static list.</summary>
    /// <param name="id">The key.</param>
    /// <param name="name">The display name.</param>
    /// <param name="purpose">What members are selected for; null for <see cref="PurposeOfUse.Default"/> (marketing by email).</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default or <paramref name="name"/> blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static Segment CreateStaticList(SegmentId id, string name, PurposeOfUse? purpose = null) =>
        new(Preconditions.CheckNotDefault(id), Preconditions.CheckNotBlank(name), SegmentKind.StaticList, null, [], [], null, purpose ?? PurposeOfUse.Default);

    /// <summary>Changes what the members are selected for; members change at the next refresh.</summary>
    /// <param name="purpose">The new purpose.</param>
    /// <exception cref="ArgumentNullException"><paramref name="purpose"/> is null.</exception>
    public void ChangePurpose(PurposeOfUse purpose) => _purpose = Preconditions.CheckNotNull(purpose);

    /// <summary>Renames the segment.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank.</exception>
    public void Rename(string name) => Name = Preconditions.CheckNotBlank(name);

    /// <summary>Replaces the rule of a dynamic segment; members change at the next refresh.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    /// <exception cref="SegmentKindException">This is a static list.</exception>
    public void ChangeRule(RuleNode rule)
    {
        Preconditions.CheckNotNull(rule);
        RequireKind(SegmentKind.Dynamic, "change its rule");
        Rule = rule;
    }

    /// <summary>Dynamic: keeps the customer in regardless of the rule. Static list: adds the customer to the list.</summary>
    /// <returns>Whether anything changed.</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public bool Include(CustomerId customerId)
    {
        Preconditions.CheckNotDefault(customerId);
        var removed = _excludes.Remove(customerId);
        return _includes.Add(customerId) | removed;
    }

    /// <summary>Dynamic: keeps the customer out regardless of the rule. Static list: removes the customer from the list.</summary>
    /// <returns>Whether anything changed.</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    public bool Exclude(CustomerId customerId)
    {
        Preconditions.CheckNotDefault(customerId);
        var removed = _includes.Remove(customerId);
        return Kind == SegmentKind.StaticList ? removed : _excludes.Add(customerId) | removed;
    }

    /// <summary>Dynamic: removes any include/exclude override so the rule decides again.</summary>
    /// <returns>Whether an override was removed.</returns>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is default.</exception>
    /// <exception cref="SegmentKindException">This is a static list (use <see cref="Exclude"/> to take someone off it).</exception>
    public bool ClearOverride(CustomerId customerId)
    {
        Preconditions.CheckNotDefault(customerId);
        RequireKind(SegmentKind.Dynamic, "clear an override");
        return _includes.Remove(customerId) | _excludes.Remove(customerId);
    }

    /// <summary>Removes the customer from the includes and excludes of any kind of segment (erasure); true when something was removed.</summary>
    internal bool Forget(CustomerId customerId) => _includes.Remove(customerId) | _excludes.Remove(customerId);

    /// <summary>
    /// Whether the customer belongs, given whether the rule matches them (ignored for static lists):
    /// excludes win over includes win over the rule. Consent comes on top: <see cref="SegmentService"/> admits a
    /// customer this admits only while <see cref="Purpose"/> permits them at the evaluation instant.
    /// </summary>
    public bool Decide(CustomerId customerId, bool ruleMatches) =>
        Kind == SegmentKind.StaticList
            ? _includes.Contains(customerId)
            : !_excludes.Contains(customerId) && (ruleMatches || _includes.Contains(customerId));

    internal void RecordRefresh(Instant at) => LastRefreshedAt = at;

    /// <inheritdoc/>
    protected override AggregateRoot<SegmentId> CreateCopy() => new Segment(Id, Name, Kind, Rule, [.. _includes], [.. _excludes], LastRefreshedAt, Purpose);

    private void RequireKind(SegmentKind kind, string action)
    {
        if (Kind != kind)
        {
            throw new SegmentKindException(Id, Kind, action);
        }
    }
}

/// <summary>Thrown when an operation does not fit the segment's kind (e.g. changing the rule of a static list).</summary>
public sealed class SegmentKindException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public SegmentKindException(SegmentId segmentId, SegmentKind kind, string action)
        : base($"Segment '{segmentId}' is a {(kind == SegmentKind.Dynamic ? "dynamic segment" : "static list")}, so you cannot {action}. Create a segment of the other kind instead.")
    {
        SegmentId = segmentId;
        Kind = kind;
    }

    /// <summary>The segment.</summary>
    public SegmentId SegmentId { get; }

    /// <summary>Its kind.</summary>
    public SegmentKind Kind { get; }
}

/// <summary>Thrown when a segment that an operation names does not exist.</summary>
public sealed class SegmentNotFoundException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public SegmentNotFoundException(SegmentId segmentId)
        : base($"There is no segment '{segmentId}'. Define it first, or check the key.") => SegmentId = segmentId;

    /// <summary>The missing segment.</summary>
    public SegmentId SegmentId { get; }
}

/// <summary>Identifies one membership: a customer in a segment.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="CustomerId">The customer.</param>
public readonly record struct SegmentMemberId(SegmentId SegmentId, CustomerId CustomerId)
{
    /// <summary>"segment/customer".</summary>
    public override string ToString() => $"{SegmentId}/{CustomerId}";
}

/// <summary>
/// One customer's membership of one segment. Created on entering (raising <see cref="SegmentEntered"/>) and removed
/// on leaving (raising <see cref="SegmentLeft"/>), so the membership table changes by exactly the difference.
/// </summary>
public sealed class SegmentMember : AggregateRoot<SegmentMemberId>
{
    private SegmentMember(SegmentMemberId id, Instant since)
        : base(id)
    {
        Since = since;
    }

    /// <summary>The segment.</summary>
    public SegmentId SegmentId => Id.SegmentId;

    /// <summary>The customer.</summary>
    public CustomerId CustomerId => Id.CustomerId;

    /// <summary>When the customer entered.</summary>
    public Instant Since { get; }

    /// <summary>The customer enters the segment.</summary>
    internal static SegmentMember Enter(SegmentId segmentId, CustomerId customerId, Instant at)
    {
        var member = new SegmentMember(new SegmentMemberId(segmentId, customerId), at);
        member.Raise(new SegmentEntered(segmentId, customerId, at));
        return member;
    }

    /// <summary>The membership of <paramref name="customerId"/>, entered at <paramref name="since"/>, taken over in a merge (no event: the merge raises its own).</summary>
    internal static SegmentMember Moved(SegmentId segmentId, CustomerId customerId, Instant since) =>
        new(new SegmentMemberId(segmentId, customerId), since);

    /// <summary>The customer leaves; the caller removes the aggregate in the same unit of work.</summary>
    internal void Leave(Instant at) => Raise(new SegmentLeft(SegmentId, CustomerId, at));

    /// <inheritdoc/>
    protected override AggregateRoot<SegmentMemberId> CreateCopy() => new SegmentMember(Id, Since);
}

/// <summary>A customer entered a segment.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OccurredAt">When the change was applied.</param>
public sealed record SegmentEntered(SegmentId SegmentId, CustomerId CustomerId, Instant OccurredAt) : IDomainEvent;

/// <summary>A customer left a segment.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OccurredAt">When the change was applied.</param>
public sealed record SegmentLeft(SegmentId SegmentId, CustomerId CustomerId, Instant OccurredAt) : IDomainEvent;
