using NodaTime;

namespace Crm.Core.Customers;

// Merging duplicates: the survivor takes over the other record's facts (see Crm.Core.Duplicates.CustomerMergeService)
// and the other record stays behind as a tombstone that redirects to the survivor, so ids held by other systems,
// old links and events still resolve. The state lives in two fields so that documents stored before merging existed
// restore with both unset (null), which reads as "never merged".
public sealed partial class Customer
{
    private CustomerId? _mergedInto;
    private CustomerMergeRecord[]? _mergeHistory;

    /// <summary>The customer this record was merged into (it is a tombstone then), or null.</summary>
    /// <remarks>Follow it (possibly several hops) with <c>CustomerMergeService.ResolveAsync</c>.</remarks>
    public CustomerId? MergedInto => _mergedInto;

    /// <summary>Whether this record was merged into another and only redirects to it.</summary>
    public bool IsMerged => _mergedInto is not null;

    /// <summary>The merges this customer survived, oldest first.</summary>
    public IReadOnlyList<CustomerMergeRecord> MergeHistory => _mergeHistory ?? [];

    /// <summary>Every customer id merged into this one, directly or through earlier merges of merged records.</summary>
    public IEnumerable<CustomerId> MergedCustomerIds => MergeHistory.SelectMany(r => r.MergedCustomerIds);

    /// <summary>
    /// Takes over every fact of <paramref name="merged"/> that lives in the customer aggregate; the caller has chosen
    /// the surviving field values (<paramref name="survivor"/>) and marks <paramref name="merged"/> as a tombstone.
    /// </summary>
    internal void Absorb(Customer merged, SurvivingValues survivor, CustomerMergeRecord record)
    {
        var at = record.MergedAt;

        // Profile fields chosen by the survivorship rules. Kind is fixed at registration and was checked by the caller.
        Name = survivor.Name;
        if (Kind == CustomerKind.Person)
        {
            BirthDate = survivor.BirthDate;
        }
        OwnerId = survivor.OwnerId;
        TeamId = survivor.TeamId;

        // External ids: a system already linked here keeps the survivor's id; the merged record keeps the other one,
        // so imports from that system still reach the survivor through the redirect.
        foreach (var (system, id) in merged._externalIds)
        {
            _externalIds.TryAdd(system, id);
        }

        foreach (var tag in merged._tags)
        {
            _tags.Add(tag);
        }

        foreach (var (name, attribute) in merged._attributes)
        {
            if (!_attributes.TryGetValue(name, out var mine) || survivor.TakeAttribute(mine, attribute))
            {
                _attributes[mine?.Name ?? attribute.Name] = mine is null ? attribute : new CustomAttribute(mine.Name, attribute.Value, attribute.IsPersonalData, attribute.UpdatedAt);
            }
        }

        foreach (var lifeEvent in merged._lifeEvents)
        {
            if (!_lifeEvents.Exists(e => e.Type == lifeEvent.Type && e.Date == lifeEvent.Date))
            {
                _lifeEvents.Add(lifeEvent);
            }
        }

        // Holdings: one open holding per product is an invariant, so a product both records hold open stays open once
        // (the survivor's) and the other holding is kept as closed on the merge date: the fact that it was held survives.
        foreach (var holding in merged._holdings)
        {
            if (holding.IsOpen && _holdings.Exists(h => h.ProductId == holding.ProductId && h.IsOpen))
            {
                var closedOn = at.InUtc().Date;
                _holdings.Add(holding with { Status = HoldingStatus.Closed, ClosedOn = closedOn < holding.OpenedOn ? holding.OpenedOn : closedOn });
            }
            else
            {
                _holdings.Add(holding);
            }
        }

        AbsorbContactPoints(merged, survivor, at);
        AbsorbConsents(merged, at);

        _mergeHistory = [.. MergeHistory, record];
        Touch(at);
        Raise(new CustomerProfileChanged(Id, CustomerProfileChange.Merged, at));
        Raise(new CustomersMerged(Id, merged.Id, at, record.Actor));
    }

    /// <summary>Turns this record into a tombstone that redirects to <paramref name="survivorId"/>.</summary>
    /// <remarks>
    /// Contact points leave with the merge (they now belong to the survivor), so exact matching and log-in look-ups find
    /// one customer only. The rest of the record is kept as it was for the audit trail (erasure treats it like any
    /// customer, and erasing the survivor erases its tombstones as well).
    /// </remarks>
    internal void MarkMergedInto(CustomerId survivorId, Instant at)
    {
        _mergedInto = survivorId;
        _contactPoints.Clear();
        Touch(at);
        Raise(new CustomerProfileChanged(Id, CustomerProfileChange.Merged, at));
    }

    private void AbsorbContactPoints(Customer merged, SurvivingValues survivor, Instant at)
    {
        foreach (var theirs in merged._contactPoints)
        {
            var index = _contactPoints.FindIndex(c => c.IsSameTargetAs(theirs));
            if (index >= 0)
            {
                // The same address on both records: keep one, with the most careful flags (verified by either; opted out
                // or invalid on either means not usable).
                var mine = _contactPoints[index];
                _contactPoints[index] = mine with
                {
                    IsVerified = mine.IsVerified || theirs.IsVerified,
                    IsOptedOut = mine.IsOptedOut || theirs.IsOptedOut,
                    IsInvalid = mine.IsInvalid || theirs.IsInvalid,
                };
                continue;
            }
            var moved = theirs.WithId(NextContactPointId()) with { IsPrimary = false };
            _lastContactPointNumber = moved.Id.Value;
            _contactPoints.Add(moved);
            Raise(new ContactPointAdded(Id, moved.Id, moved.Kind, moved.IsInvalid, at));
        }

        foreach (var kind in new[] { ContactKind.Email, ContactKind.Phone, ContactKind.PostalAddress })
        {
            // The survivorship rule picked whose primary wins; it stays primary only while usable.
            var wanted = survivor.PrimaryFrom(kind) is { } target ? _contactPoints.Find(c => c.IsSameTargetAs(target)) : null;
            if (wanted is not null && wanted.IsUsable && !wanted.IsPrimary)
            {
                SetPrimary(kind, wanted.Id, at);
            }
            var current = PrimaryOf(kind);
            if (current is null || !current.IsUsable)
            {
                var sameKind = _contactPoints.Where(c => c.Kind == kind).ToList();
                var replacement = sameKind.Find(c => c.IsUsable) ?? (current is null ? sameKind.FirstOrDefault() : null);
                if (replacement is not null && replacement != current)
                {
                    SetPrimary(kind, replacement.Id, at);
                }
            }
        }
    }

    // Both histories are kept whole (evidence of what each record was allowed). Where either record's consent at the
    // merge instant is a withdrawal but the combined history would read as granted, a withdrawal is recorded at the
    // merge instant: the most restrictive state wins.
    private void AbsorbConsents(Customer merged, Instant at)
    {
        var before = ConsentsAt(at).ToDictionary(r => (r.Purpose, r.Channel));
        var theirs = merged.ConsentsAt(at);
        _consents.AddRange(merged._consents);
        foreach (var record in theirs.Concat(before.Values))
        {
            if (record.Status == ConsentStatus.Withdrawn && ConsentStatusAt(record.Purpose, record.Channel, at) == ConsentStatus.Granted)
            {
                var withdrawal = new ConsentRecord(record.Purpose, record.Channel, ConsentStatus.Withdrawn, at, MergeConsentSource);
                _consents.Add(withdrawal);
                Raise(new ConsentChanged(Id, record.Purpose, record.Channel, ConsentStatus.Withdrawn, MergeConsentSource, at));
            }
        }
    }

    /// <summary>The source recorded on a withdrawal that a merge adds so that the most restrictive consent wins.</summary>
    public const string MergeConsentSource = "merge";
}

/// <summary>A customer was merged into another: the survivor took over its facts and it now redirects there.</summary>
/// <param name="SurvivorId">The customer that survived.</param>
/// <param name="MergedCustomerId">The customer merged into it (now a tombstone).</param>
/// <param name="OccurredAt">When.</param>
/// <param name="Actor">The user or system that merged (an id).</param>
public sealed record CustomersMerged(CustomerId SurvivorId, CustomerId MergedCustomerId, Instant OccurredAt, string Actor) : IDomainEvent;

/// <summary>One merge a customer survived: which record was merged into it, when, and by whom.</summary>
/// <param name="MergedCustomerId">The record merged into the survivor (now a tombstone redirecting to it).</param>
/// <param name="MergedAt">When.</param>
/// <param name="Actor">The user or system that merged (an id, not a name).</param>
/// <param name="EarlierMergedCustomerIds">Records merged into <paramref name="MergedCustomerId"/> before, which now reach the survivor through it.</param>
/// <remarks>Immutable. Holds ids only: no personal data.</remarks>
public sealed record CustomerMergeRecord(CustomerId MergedCustomerId, Instant MergedAt, string Actor, IReadOnlyList<CustomerId> EarlierMergedCustomerIds)
{
    /// <summary>The merged record and every record merged into it before.</summary>
    public IEnumerable<CustomerId> MergedCustomerIds => EarlierMergedCustomerIds.Prepend(MergedCustomerId);

    /// <summary>For example <c>merged 00042 at 2026-01-01T00:00:00Z by ops</c>.</summary>
    public override string ToString() => $"merged {MergedCustomerId} at {MergedAt} by {Actor}";
}

/// <summary>The field values a merge keeps, chosen by the survivorship rules (see <c>Crm.Core.Duplicates.SurvivorshipRules</c>).</summary>
internal sealed class SurvivingValues
{
    public required CustomerName Name { get; init; }

    public LocalDate? BirthDate { get; init; }

    public string? OwnerId { get; init; }

    public string? TeamId { get; init; }

    /// <summary>The primary contact point (of either record) that should stay primary, per kind.</summary>
    public required Func<ContactKind, ContactPoint?> PrimaryFrom { get; init; }

    /// <summary>Whether the merged record's attribute replaces the survivor's one of the same name.</summary>
    public required Func<CustomAttribute, CustomAttribute, bool> TakeAttribute { get; init; }
}
