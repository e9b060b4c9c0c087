using System.Collections.ObjectModel;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Customers;

/// <summary>
/// The one record of a customer that every channel shares: who they are (name, kind, birth date, external ids in
/// other systems), how to reach them (<see cref="ContactPoints"/>), what they allowed (<see cref="ConsentHistory"/>),
/// how the business organises them (owner, team, tags, custom attributes), what happened in their life
/// (<see cref="LifeEvents"/>) and which products they hold (<see cref="ProductHoldings"/>).
/// </summary>
/// <remarks>
/// <para>Changes go through intention-revealing methods that validate every argument before touching state (bad input
/// never half-applies), raise domain events and move <see cref="UpdatedAt"/> forward. The time of each change is
/// passed in explicitly (take it from an injected <see cref="IClock"/>), never read from a static clock.</para>
/// <para>The interaction timeline is not part of this aggregate: it grows without bound, so each interaction is its
/// own aggregate (<see cref="Interaction"/>) keyed by customer.</para>
/// <para>Not thread-safe: load one copy per unit of work. <see cref="ToString"/> shows the id and kind only.</para>
/// </remarks>
public sealed partial class Customer : AggregateRoot<CustomerId>
{
    private const int MaxTagLength = 64;

    private readonly Dictionary<string, string> _externalIds;
    private readonly HashSet<string> _tags;

    private Customer(CustomerId id, CustomerName name, Instant createdAt, TenantId? tenantId)
        : base(id, tenantId)
    {
        Name = name;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
        _externalIds = new Dictionary<string, string>(StringComparer.Ordinal);
        _tags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        _contactPoints = [];
        _consents = [];
        _attributes = new Dictionary<string, CustomAttribute>(StringComparer.OrdinalIgnoreCase);
        _lifeEvents = [];
        _holdings = [];
    }

    // The deep copy behind snapshots: every collection is copied; its elements are immutable records or strings.
    private Customer(Customer source)
        : base(source.Id, source.TenantId)
    {
        Name = source.Name;
        BirthDate = source.BirthDate;
        OwnerId = source.OwnerId;
        TeamId = source.TeamId;
        CreatedAt = source.CreatedAt;
        UpdatedAt = source.UpdatedAt;
        _externalIds = new Dictionary<string, string>(source._externalIds, StringComparer.Ordinal);
        _tags = new HashSet<string>(source._tags, StringComparer.OrdinalIgnoreCase);
        _contactPoints = [.. source._contactPoints];
        _lastContactPointNumber = source._lastContactPointNumber;
        _consents = [.. source._consents];
        _attributes = new Dictionary<string, CustomAttribute>(source._attributes, StringComparer.OrdinalIgnoreCase);
        _lifeEvents = [.. source._lifeEvents];
        _holdings = [.. source._holdings];
        IsErased = source.IsErased;
        _mergedInto = source._mergedInto;
        _mergeHistory = source._mergeHistory; // replaced, never changed in place: shared safely
    }

    /// <summary>Whether the customer is a person or an organisation (fixed at registration).</summary>
    public CustomerKind Kind => Name.Kind;

    /// <summary>The customer's name.</summary>
    public CustomerName Name { get; private set; }

    /// <summary>A person's birth date, or null when unknown or for an organisation.</summary>
    public LocalDate? BirthDate { get; private set; }

    /// <summary>The user who owns the relationship (account manager), or null.</summary>
    public string? OwnerId { get; private set; }

    /// <summary>The team that owns the relationship, or null.</summary>
    public string? TeamId { get; private set; }

    /// <summary>When the customer was registered.</summary>
    public Instant CreatedAt { get; }

    /// <summary>The latest instant passed to a change of this customer.</summary>
    public Instant UpdatedAt { get; private set; }

    /// <summary>The customer's ids in other systems, keyed by source system code (e.g. <c>billing</c> → <c>C-00042</c>).</summary>
    public IReadOnlyDictionary<string, string> ExternalIds => new ReadOnlyDictionary<string, string>(_externalIds);

    /// <summary>The tags, compared ignoring case; each keeps the spelling it was first added with.</summary>
    public IReadOnlySet<string> Tags => new ReadOnlySet<string>(_tags);

    /// <summary>Registers a new customer.</summary>
    /// <param name="id">The customer's id.</param>
    /// <param name="name">The name; its kind (person or organisation) becomes the customer's kind.</param>
    /// <param name="registeredAt">When the customer was registered.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <returns>The customer, with a <see cref="CustomerRegistered"/> event.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="tenantId"/> is the uninitialised default.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static Customer Register(CustomerId id, CustomerName name, Instant registeredAt, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(id);
        Preconditions.CheckNotNull(name);
        var customer = new Customer(id, name, registeredAt, tenantId);
        customer.Raise(new CustomerRegistered(id, name.Kind, registeredAt));
        return customer;
    }

    /// <summary>Changes the name (marriage, a new trading name, a typo fixed).</summary>
    /// <param name="name">The new name, of the customer's kind.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="CustomerKindMismatchException"><paramref name="name"/> is of the other kind.</exception>
    public void Rename(CustomerName name, Instant at)
    {
        Preconditions.CheckNotNull(name);
        if (name.Kind != Kind)
        {
            throw new CustomerKindMismatchException(Id, Kind, name.Kind, "use a name of another kind");
        }
        Name = name;
        Changed(CustomerProfileChange.Name, at);
    }

    /// <summary>Sets or clears a person's birth date.</summary>
    /// <param name="birthDate">The date, or null to clear it; not after the (UTC) date of <paramref name="at"/> plus one day.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="birthDate"/> is in the future or before 1850.</exception>
    /// <exception cref="CustomerKindMismatchException">The customer is an organisation.</exception>
    public void SetBirthDate(LocalDate? birthDate, Instant at)
    {
        if (birthDate is { } date)
        {
            // One day of slack: "today" east of UTC is already tomorrow in UTC terms.
            Preconditions.CheckArgumentRange(nameof(birthDate), date, new LocalDate(1850, 1, 1), at.InUtc().Date.PlusDays(1));
        }
        if (Kind != CustomerKind.Person)
        {
            throw new CustomerKindMismatchException(Id, Kind, CustomerKind.Person, "set a birth date");
        }
        BirthDate = birthDate;
        Changed(CustomerProfileChange.BirthDate, at);
    }

    /// <summary>Assigns (or clears, with nulls) the owning user and team.</summary>
    /// <param name="ownerId">The owning user's id in the host, or null.</param>
    /// <param name="teamId">The owning team's id in the host, or null.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentException">An id is given but empty, has surrounding white space or control characters, or is longer than 200 characters.</exception>
    public void AssignOwnership(string? ownerId, string? teamId, Instant at)
    {
        var owner = ownerId is null ? null : Identifier.Validate(ownerId, nameof(ownerId), "owner id");
        var team = teamId is null ? null : Identifier.Validate(teamId, nameof(teamId), "team id");
        OwnerId = owner;
        TeamId = team;
        Changed(CustomerProfileChange.Ownership, at);
    }

    /// <summary>Links the customer's id in another system (billing, web shop, call-centre CRM).</summary>
    /// <param name="sourceSystem">The source system's code, normalised like <see cref="ConsentPurpose"/> codes (e.g. <c>billing</c>).</param>
    /// <param name="externalId">The id in that system, echoed verbatim.</param>
    /// <param name="at">When.</param>
    /// <returns>True when linked; false when exactly this id was already linked.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is not a valid code or id.</exception>
    /// <exception cref="ExternalIdConflictException">The system is already linked to a different id.</exception>
    public bool LinkExternalId(string sourceSystem, string externalId, Instant at)
    {
        var system = Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code");
        var id = Identifier.Validate(externalId, nameof(externalId), "external id");
        if (_externalIds.TryGetValue(system, out var existing))
        {
            return existing == id ? false : throw new ExternalIdConflictException(Id, system);
        }
        _externalIds.Add(system, id);
        Changed(CustomerProfileChange.ExternalId, at);
        return true;
    }

    /// <summary>Removes the link to a source system.</summary>
    /// <param name="sourceSystem">The source system's code.</param>
    /// <param name="at">When.</param>
    /// <returns>True when a link was removed; false when there was none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sourceSystem"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sourceSystem"/> is not a valid code.</exception>
    public bool UnlinkExternalId(string sourceSystem, Instant at)
    {
        var system = Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code");
        if (!_externalIds.Remove(system))
        {
            return false;
        }
        Changed(CustomerProfileChange.ExternalId, at);
        return true;
    }

    /// <summary>Adds a tag (case-insensitive: <c>VIP</c> and <c>vip</c> are one tag).</summary>
    /// <param name="tag">The tag; trimmed, inner white space collapsed, 1-64 characters, no control characters.</param>
    /// <param name="at">When.</param>
    /// <returns>True when added; false when the customer already had it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tag"/> breaks the rules above.</exception>
    public bool AddTag(string tag, Instant at)
    {
        if (!_tags.Add(Text.Clean(tag, nameof(tag), MaxTagLength)))
        {
            return false;
        }
        Changed(CustomerProfileChange.Tags, at);
        return true;
    }

    /// <summary>Removes a tag (case-insensitive).</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="at">When.</param>
    /// <returns>True when removed; false when the customer did not have it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is blank or otherwise not a valid tag.</exception>
    public bool RemoveTag(string tag, Instant at)
    {
        if (!_tags.Remove(Text.Clean(tag, nameof(tag), MaxTagLength)))
        {
            return false;
        }
        Changed(CustomerProfileChange.Tags, at);
        return true;
    }

    /// <summary>Whether the customer has the tag (case-insensitive).</summary>
    /// <param name="tag">The tag.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is blank or otherwise not a valid tag.</exception>
    public bool HasTag(string tag) => _tags.Contains(Text.Clean(tag, nameof(tag), MaxTagLength));

    /// <summary>The id and kind, e.g. <c>Customer 00042 (Person)</c>; never the name or contact details.</summary>
    public override string ToString() => $"Customer {Id} ({Kind})";

    /// <inheritdoc/>
    protected override AggregateRoot<CustomerId> CreateCopy() => new Customer(this);

    private void Changed(CustomerProfileChange change, Instant at)
    {
        Touch(at);
        Raise(new CustomerProfileChanged(Id, change, at));
    }

    private void Touch(Instant at)
    {
        if (at > UpdatedAt)
        {
            UpdatedAt = at;
        }
    }
}
