using NodaTime;

namespace Crm.Core.Customers;

/// <summary>The kinds of contact point a customer can have.</summary>
public enum ContactKind
{
    /// <summary>An email address (<see cref="EmailContactPoint"/>).</summary>
    Email = 1,

    /// <summary>A telephone number (<see cref="PhoneContactPoint"/>).</summary>
    Phone = 2,

    /// <summary>A postal address (<see cref="PostalContactPoint"/>).</summary>
    PostalAddress = 3,
}

/// <summary>Identifies a contact point within one customer; assigned by the customer, never reused.</summary>
/// <remarks>
/// A number rather than the address itself, so that it can appear in events, logs and exception messages without
/// revealing personal data. Immutable and thread-safe.
/// </remarks>
public readonly record struct ContactPointId : IComparable<ContactPointId>
{
    /// <summary>Creates an id from its number.</summary>
    /// <param name="value">Greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is zero or negative.</exception>
    public ContactPointId(int value) => Value = Preconditions.CheckPositive(value);

    /// <summary>The number, starting at 1 for a customer's first contact point.</summary>
    public int Value { get; }

    /// <summary>Compares the numbers.</summary>
    public int CompareTo(ContactPointId other) => Value.CompareTo(other.Value);

    /// <summary>The number with a hash, e.g. <c>#3</c>.</summary>
    public override string ToString() => "#" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// One way of reaching a customer, with the flags that say whether and how to use it. The customer keeps exactly one
/// primary contact point per <see cref="ContactKind"/> whenever it has any of that kind.
/// </summary>
/// <remarks>
/// Contact points are immutable snapshots: the owning <see cref="Customer"/> replaces them when a flag changes, so a
/// reference you hold never changes under you. <see cref="ToString"/> shows the id, kind and flags but never the
/// address or number.
/// </remarks>
public abstract record ContactPoint
{
    private protected ContactPoint(ContactPointId id, Instant addedAt)
    {
        Id = id;
        AddedAt = addedAt;
    }

    /// <summary>The id within the customer.</summary>
    public ContactPointId Id { get; private init; }

    /// <summary>The kind of contact point.</summary>
    public abstract ContactKind Kind { get; }

    /// <summary>When it was added to the customer.</summary>
    public Instant AddedAt { get; }

    /// <summary>Whether this is the preferred contact point of its kind.</summary>
    public bool IsPrimary { get; internal init; }

    /// <summary>Whether the customer proved they own it (clicked a link, answered a code).</summary>
    public bool IsVerified { get; internal init; }

    /// <summary>Whether the customer asked not to be contacted here at all (whatever their consents say).</summary>
    public bool IsOptedOut { get; internal init; }

    /// <summary>Whether it is known not to work (bounced, disconnected, unparseable, returned mail).</summary>
    public bool IsInvalid { get; internal init; }

    /// <summary>Whether it may be used to reach the customer: neither invalid nor opted out.</summary>
    public bool IsUsable => !IsInvalid && !IsOptedOut;

    /// <summary>Describes the contact point without personal data, e.g. <c>Email contact point #2 (primary, verified)</c>.</summary>
    public sealed override string ToString()
    {
        var flags = new List<string>(4);
        if (IsPrimary) { flags.Add("primary"); }
        if (IsVerified) { flags.Add("verified"); }
        if (IsOptedOut) { flags.Add("opted out"); }
        if (IsInvalid) { flags.Add("invalid"); }
        return $"{Kind} contact point {Id}" + (flags.Count == 0 ? string.Empty : $" ({string.Join(", ", flags)})");
    }

    /// <summary>Whether <paramref name="other"/> reaches the same mailbox, line or place (duplicate detection).</summary>
    internal abstract bool IsSameTargetAs(ContactPoint other);

    /// <summary>The same contact point under another id (when a merge moves it to another customer).</summary>
    internal ContactPoint WithId(ContactPointId id) => this with { Id = id };
}

/// <summary>An email address of a customer.</summary>
public sealed record EmailContactPoint : ContactPoint
{
    internal EmailContactPoint(ContactPointId id, Instant addedAt, EmailAddress address)
        : base(id, addedAt) => Address = address;

    /// <summary>The normalised address.</summary>
    public EmailAddress Address { get; }

    /// <inheritdoc/>
    public override ContactKind Kind => ContactKind.Email;

    internal override bool IsSameTargetAs(ContactPoint other) => other is EmailContactPoint e && e.Address == Address;
}

/// <summary>A telephone number of a customer; an unparseable number is kept with <see cref="ContactPoint.IsInvalid"/> set.</summary>
public sealed record PhoneContactPoint : ContactPoint
{
    internal PhoneContactPoint(ContactPointId id, Instant addedAt, PhoneNumber number)
        : base(id, addedAt) => Number = number;

    /// <summary>The normalised number.</summary>
    public PhoneNumber Number { get; }

    /// <inheritdoc/>
    public override ContactKind Kind => ContactKind.Phone;

    internal override bool IsSameTargetAs(ContactPoint other) => other is PhoneContactPoint p && p.Number == Number;
}

/// <summary>A postal address of a customer.</summary>
public sealed record PostalContactPoint : ContactPoint
{
    internal PostalContactPoint(ContactPointId id, Instant addedAt, PostalAddress address)
        : base(id, addedAt) => Address = address;

    /// <summary>The address.</summary>
    public PostalAddress Address { get; }

    /// <inheritdoc/>
    public override ContactKind Kind => ContactKind.PostalAddress;

    internal override bool IsSameTargetAs(ContactPoint other) => other is PostalContactPoint p && p.Address.IsSamePlaceAs(Address);
}
