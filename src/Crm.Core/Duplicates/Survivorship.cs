using Crm.Core.Customers;

namespace Crm.Core.Duplicates;

/// <summary>Which of the two records of a merge a field's value comes from.</summary>
public enum MergeSide
{
    /// <summary>The record that survives the merge (the "primary").</summary>
    Survivor = 1,

    /// <summary>The record merged into it (left as a tombstone).</summary>
    Merged = 2,
}

/// <summary>The customer fields whose surviving value a <see cref="SurvivorshipRule"/> chooses.</summary>
/// <remarks>
/// Everything else is combined, not chosen: contact points, external ids (the survivor's wins per source system), tags,
/// life events, holdings and consent histories of both records are kept.
/// </remarks>
public enum MergeField
{
    /// <summary>The name.</summary>
    Name = 1,

    /// <summary>A person's birth date.</summary>
    BirthDate = 2,

    /// <summary>The owning user and team (chosen together).</summary>
    Ownership = 3,

    /// <summary>Which record's primary email, phone and postal address stay primary (both records' contact points are kept).</summary>
    PrimaryContactPoints = 4,

    /// <summary>A custom attribute both records have (decided per attribute; attributes only one record has are kept).</summary>
    Attributes = 5,
}

/// <summary>How the surviving value of one field is chosen when two customers are merged.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="KeepPrimary"/>: the survivor's value; the merged record's only when the survivor has none.</item>
/// <item><see cref="Newest"/>: the value of the record changed last (<see cref="Customer.UpdatedAt"/>; for attributes
/// the attribute's own <see cref="CustomAttribute.UpdatedAt"/>); ties keep the survivor's.</item>
/// <item><see cref="MostComplete"/>: the more complete value (a name with more parts, a set birth date, owner and team
/// both set, a verified and usable primary contact point); ties keep the survivor's.</item>
/// <item><see cref="Choose"/>: a callback decides, given the field and both records.</item>
/// </list>
/// A record without a value never wins over one with a value, whatever the rule. Immutable and thread-safe (if the callback is).
/// </remarks>
public sealed class SurvivorshipRule
{
    private readonly Func<MergeField, Customer, Customer, MergeSide>? _chooser;

    private SurvivorshipRule(string name, Func<MergeField, Customer, Customer, MergeSide>? chooser)
    {
        Name = name;
        _chooser = chooser;
    }

    /// <summary>The survivor's value, unless it has none.</summary>
    public static SurvivorshipRule KeepPrimary { get; } = new(nameof(KeepPrimary), null);

    /// <summary>The value of the record changed last.</summary>
    public static SurvivorshipRule Newest { get; } = new(nameof(Newest), null);

    /// <summary>The more complete value.</summary>
    public static SurvivorshipRule MostComplete { get; } = new(nameof(MostComplete), null);

    /// <summary>The rule's name, e.g. <c>KeepPrimary</c> or <c>Callback</c>.</summary>
    public string Name { get; }

    /// <summary>A rule decided by <paramref name="chooser"/>, called with the field, the survivor and the merged record.</summary>
    /// <param name="chooser">Returns the side whose value survives; it must not change the customers.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chooser"/> is null.</exception>
    public static SurvivorshipRule Choose(Func<MergeField, Customer, Customer, MergeSide> chooser) =>
        new("Callback", Preconditions.CheckNotNull(chooser));

    /// <summary>The rule's name.</summary>
    public override string ToString() => Name;

    internal MergeSide Pick(MergeField field, Customer survivor, Customer merged, bool survivorHas, bool mergedHas,
        Func<Customer, int> completeness, Func<Customer, NodaTime.Instant> changedAt)
    {
        if (!mergedHas)
        {
            return MergeSide.Survivor;
        }
        if (!survivorHas)
        {
            return MergeSide.Merged;
        }
        if (_chooser is not null)
        {
            var side = _chooser(field, survivor, merged);
            return side == MergeSide.Merged ? MergeSide.Merged : MergeSide.Survivor;
        }
        if (ReferenceEquals(this, Newest))
        {
            return changedAt(merged) > changedAt(survivor) ? MergeSide.Merged : MergeSide.Survivor;
        }
        if (ReferenceEquals(this, MostComplete))
        {
            return completeness(merged) > completeness(survivor) ? MergeSide.Merged : MergeSide.Survivor;
        }
        return MergeSide.Survivor;
    }
}

/// <summary>The survivorship rule of every <see cref="MergeField"/>.</summary>
/// <remarks>Immutable (change it with <c>with</c>) and thread-safe.</remarks>
public sealed record SurvivorshipRules
{
    /// <summary>Every field keeps the survivor's value (filled from the merged record where the survivor has none).</summary>
    public static SurvivorshipRules Default { get; } = new();

    private readonly SurvivorshipRule _name = SurvivorshipRule.KeepPrimary;
    private readonly SurvivorshipRule _birthDate = SurvivorshipRule.KeepPrimary;
    private readonly SurvivorshipRule _ownership = SurvivorshipRule.KeepPrimary;
    private readonly SurvivorshipRule _primaryContactPoints = SurvivorshipRule.KeepPrimary;
    private readonly SurvivorshipRule _attributes = SurvivorshipRule.KeepPrimary;

    /// <summary>The rule for the name.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRule Name { get => _name; init => _name = Preconditions.CheckNotNull(value, nameof(Name)); }

    /// <summary>The rule for a person's birth date.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRule BirthDate { get => _birthDate; init => _birthDate = Preconditions.CheckNotNull(value, nameof(BirthDate)); }

    /// <summary>The rule for the owning user and team.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRule Ownership { get => _ownership; init => _ownership = Preconditions.CheckNotNull(value, nameof(Ownership)); }

    /// <summary>The rule for which record's primary contact points stay primary.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRule PrimaryContactPoints { get => _primaryContactPoints; init => _primaryContactPoints = Preconditions.CheckNotNull(value, nameof(PrimaryContactPoints)); }

    /// <summary>The rule for a custom attribute both records have.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SurvivorshipRule Attributes { get => _attributes; init => _attributes = Preconditions.CheckNotNull(value, nameof(Attributes)); }

    /// <summary>A set with every field under <paramref name="rule"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    public static SurvivorshipRules All(SurvivorshipRule rule)
    {
        Preconditions.CheckNotNull(rule);
        return new SurvivorshipRules { Name = rule, BirthDate = rule, Ownership = rule, PrimaryContactPoints = rule, Attributes = rule };
    }

    /// <summary>Applies the rules to two records.</summary>
    internal SurvivingValues Resolve(Customer survivor, Customer merged)
    {
        static NodaTime.Instant Updated(Customer c) => c.UpdatedAt;
        var name = Name.Pick(MergeField.Name, survivor, merged, true, true, c => NameParts(c.Name), Updated);
        var birth = BirthDate.Pick(MergeField.BirthDate, survivor, merged, survivor.BirthDate is not null, merged.BirthDate is not null, c => c.BirthDate is null ? 0 : 1, Updated);
        var ownership = Ownership.Pick(MergeField.Ownership, survivor, merged, survivor.OwnerId is not null || survivor.TeamId is not null,
            merged.OwnerId is not null || merged.TeamId is not null, c => (c.OwnerId is null ? 0 : 1) + (c.TeamId is null ? 0 : 1), Updated);
        var primaries = new Dictionary<ContactKind, ContactPoint?>();
        foreach (var kind in new[] { ContactKind.Email, ContactKind.Phone, ContactKind.PostalAddress })
        {
            var mine = Primary(survivor, kind);
            var theirs = Primary(merged, kind);
            var side = PrimaryContactPoints.Pick(MergeField.PrimaryContactPoints, survivor, merged, mine is not null, theirs is not null,
                c => Primary(c, kind) is { } p ? (p.IsVerified ? 2 : 0) + (p.IsUsable ? 1 : 0) : 0,
                c => Primary(c, kind)?.AddedAt ?? NodaTime.Instant.MinValue);
            primaries[kind] = side == MergeSide.Merged ? theirs : mine;
        }
        return new SurvivingValues
        {
            Name = (name == MergeSide.Merged ? merged : survivor).Name,
            BirthDate = (birth == MergeSide.Merged ? merged : survivor).BirthDate,
            OwnerId = (ownership == MergeSide.Merged ? merged : survivor).OwnerId,
            TeamId = (ownership == MergeSide.Merged ? merged : survivor).TeamId,
            PrimaryFrom = kind => primaries[kind],
            TakeAttribute = (mine, theirs) => Attributes.Pick(MergeField.Attributes, survivor, merged, true, true,
                c => 0, c => ReferenceEquals(c, merged) ? theirs.UpdatedAt : mine.UpdatedAt) == MergeSide.Merged,
        };
    }

    private static ContactPoint? Primary(Customer customer, ContactKind kind) =>
        customer.ContactPoints.FirstOrDefault(c => c.Kind == kind && c.IsPrimary);

    private static int NameParts(CustomerName name) =>
        new[] { name.GivenName, name.FamilyName, name.LegalName }.Count(p => !string.IsNullOrWhiteSpace(p)) * 1000
        + name.DisplayName.Length;
}
