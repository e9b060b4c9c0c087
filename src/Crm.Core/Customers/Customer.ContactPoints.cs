using NodaTime;

namespace Crm.Core.Customers;

// Contact points: several emails, phones and postal addresses with exactly one primary per kind whenever the
// customer has any of that kind. The primary is the preferred way to reach the customer, so whenever it stops
// being usable (invalid, opted out, removed) the role moves to the first usable contact point of that kind.
public sealed partial class Customer
{
    private readonly List<ContactPoint> _contactPoints;
    private int _lastContactPointNumber;

    /// <summary>All contact points, in the order they were added.</summary>
    public IReadOnlyList<ContactPoint> ContactPoints => _contactPoints.AsReadOnly();

    /// <summary>The email addresses, in the order they were added.</summary>
    public IEnumerable<EmailContactPoint> Emails => _contactPoints.OfType<EmailContactPoint>();

    /// <summary>The phone numbers, in the order they were added.</summary>
    public IEnumerable<PhoneContactPoint> Phones => _contactPoints.OfType<PhoneContactPoint>();

    /// <summary>The postal addresses, in the order they were added.</summary>
    public IEnumerable<PostalContactPoint> PostalAddresses => _contactPoints.OfType<PostalContactPoint>();

    /// <summary>The primary email, or null when the customer has none.</summary>
    public EmailContactPoint? PrimaryEmail => Emails.FirstOrDefault(c => c.IsPrimary);

    /// <summary>The primary phone, or null when the customer has none.</summary>
    public PhoneContactPoint? PrimaryPhone => Phones.FirstOrDefault(c => c.IsPrimary);

    /// <summary>The primary postal address, or null when the customer has none.</summary>
    public PostalContactPoint? PrimaryPostalAddress => PostalAddresses.FirstOrDefault(c => c.IsPrimary);

    /// <summary>Adds an email address.</summary>
    /// <param name="address">The address as typed; trimmed, lower-cased and validated (see <see cref="EmailAddress"/>).</param>
    /// <param name="at">When.</param>
    /// <param name="makePrimary">Whether it becomes the primary email; the first email is always primary.</param>
    /// <returns>The new contact point.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not a valid email address.</exception>
    /// <exception cref="DuplicateContactPointException">The customer already has this address.</exception>
    public EmailContactPoint AddEmail(string address, Instant at, bool makePrimary = false) =>
        AddEmail(new EmailAddress(address, nameof(address)), at, makePrimary);

    /// <inheritdoc cref="AddEmail(string, Instant, bool)"/>
    /// <exception cref="ArgumentException"><paramref name="address"/> is the uninitialised default.</exception>
    public EmailContactPoint AddEmail(EmailAddress address, Instant at, bool makePrimary = false)
    {
        Preconditions.CheckArgument(!address.IsDefault, nameof(address), "An email address is required; create one with new EmailAddress(text).");
        return (EmailContactPoint)AddContactPoint(new EmailContactPoint(NextContactPointId(), at, address), at, makePrimary);
    }

    /// <summary>
    /// Adds a phone number, normalised to E.164 given <paramref name="defaultRegion"/>. A number that cannot be
    /// understood is still added, flagged invalid, so that nothing the customer gave is lost.
    /// </summary>
    /// <param name="number">The number as typed.</param>
    /// <param name="defaultRegion">The region assumed for national numbers, e.g. <c>GB</c>.</param>
    /// <param name="at">When.</param>
    /// <param name="makePrimary">Whether it becomes the primary phone; the first phone is always primary.</param>
    /// <returns>The new contact point; check <see cref="ContactPoint.IsInvalid"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="number"/> is blank or too long, or <paramref name="defaultRegion"/> is not a supported region.</exception>
    /// <exception cref="DuplicateContactPointException">The customer already has this number.</exception>
    /// <exception cref="ContactPointNotUsableException"><paramref name="makePrimary"/> is true but the number is invalid.</exception>
    public PhoneContactPoint AddPhone(string number, string defaultRegion, Instant at, bool makePrimary = false) =>
        AddPhone(PhoneNumber.Parse(number, defaultRegion), at, makePrimary);

    /// <summary>Adds an already normalised phone number; an invalid one is added flagged invalid.</summary>
    /// <param name="number">The number.</param>
    /// <param name="at">When.</param>
    /// <param name="makePrimary">Whether it becomes the primary phone; the first phone is always primary.</param>
    /// <returns>The new contact point.</returns>
    /// <exception cref="ArgumentException"><paramref name="number"/> is the uninitialised default.</exception>
    /// <exception cref="DuplicateContactPointException">The customer already has this number.</exception>
    /// <exception cref="ContactPointNotUsableException"><paramref name="makePrimary"/> is true but the number is invalid.</exception>
    public PhoneContactPoint AddPhone(PhoneNumber number, Instant at, bool makePrimary = false)
    {
        Preconditions.CheckArgument(!number.IsDefault, nameof(number), "A phone number is required; create one with PhoneNumber.Parse(text, region).");
        var contactPoint = new PhoneContactPoint(NextContactPointId(), at, number) { IsInvalid = !number.IsValid };
        return (PhoneContactPoint)AddContactPoint(contactPoint, at, makePrimary);
    }

    /// <summary>Adds a postal address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="at">When.</param>
    /// <param name="makePrimary">Whether it becomes the primary address; the first address is always primary.</param>
    /// <returns>The new contact point.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
    /// <exception cref="DuplicateContactPointException">The customer already has this address (ignoring case).</exception>
    public PostalContactPoint AddPostalAddress(PostalAddress address, Instant at, bool makePrimary = false)
    {
        Preconditions.CheckNotNull(address);
        return (PostalContactPoint)AddContactPoint(new PostalContactPoint(NextContactPointId(), at, address), at, makePrimary);
    }

    /// <summary>The contact point with <paramref name="id"/>.</summary>
    /// <param name="id">The id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    public ContactPoint GetContactPoint(ContactPointId id) => _contactPoints[IndexOf(id)];

    /// <summary>Makes a contact point the primary of its kind; the previous primary stays, as a secondary.</summary>
    /// <param name="id">The contact point.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    /// <exception cref="ContactPointNotUsableException">It is invalid or opted out.</exception>
    public void MakePrimary(ContactPointId id, Instant at)
    {
        var contactPoint = _contactPoints[IndexOf(id)];
        if (contactPoint.IsPrimary)
        {
            return;
        }
        if (!contactPoint.IsUsable)
        {
            throw new ContactPointNotUsableException(Id, id,
                "an invalid or opted-out contact point cannot be primary. Mark it valid or opt it back in first, or choose another.");
        }
        SetPrimary(contactPoint.Kind, id, at);
        Touch(at);
    }

    /// <summary>Records that the customer proved they own the contact point.</summary>
    /// <param name="id">The contact point.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    /// <exception cref="ContactPointNotUsableException">It is a phone number that could not be understood.</exception>
    public void MarkVerified(ContactPointId id, Instant at) =>
        Update(id, at, ContactPointChange.Verified, c => c.IsVerified, c => c with { IsVerified = true }, requireParseable: true);

    /// <summary>Records that the customer does not want to be contacted through this contact point at all.</summary>
    /// <param name="id">The contact point.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    public void OptOut(ContactPointId id, Instant at) =>
        Update(id, at, ContactPointChange.OptedOut, c => c.IsOptedOut, c => c with { IsOptedOut = true });

    /// <summary>Records that the customer accepts this contact point again.</summary>
    /// <inheritdoc cref="OptOut"/>
    public void OptIn(ContactPointId id, Instant at) =>
        Update(id, at, ContactPointChange.OptedIn, c => !c.IsOptedOut, c => c with { IsOptedOut = false });

    /// <summary>Records that the contact point does not work (bounce, disconnected line, returned mail).</summary>
    /// <inheritdoc cref="OptOut"/>
    public void MarkInvalid(ContactPointId id, Instant at) =>
        Update(id, at, ContactPointChange.MarkedInvalid, c => c.IsInvalid, c => c with { IsInvalid = true });

    /// <summary>Records that the contact point works again.</summary>
    /// <param name="id">The contact point.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    /// <exception cref="ContactPointNotUsableException">It is a phone number that could not be understood: remove it and add the corrected number.</exception>
    public void MarkValid(ContactPointId id, Instant at) =>
        Update(id, at, ContactPointChange.MarkedValid, c => !c.IsInvalid, c => c with { IsInvalid = false }, requireParseable: true);

    /// <summary>Removes a contact point; if it was primary, the first usable one of its kind becomes primary.</summary>
    /// <param name="id">The contact point.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ContactPointNotFoundException">The customer has no such contact point.</exception>
    public void RemoveContactPoint(ContactPointId id, Instant at)
    {
        var index = IndexOf(id);
        var removed = _contactPoints[index];
        _contactPoints.RemoveAt(index);
        Raise(new ContactPointChanged(Id, id, removed.Kind, ContactPointChange.Removed, at));
        if (removed.IsPrimary)
        {
            PromoteReplacement(removed.Kind, at);
        }
        Touch(at);
    }

    private ContactPoint AddContactPoint(ContactPoint candidate, Instant at, bool makePrimary)
    {
        var existing = _contactPoints.Find(c => c.IsSameTargetAs(candidate));
        if (existing is not null)
        {
            throw new DuplicateContactPointException(Id, existing.Id, candidate.Kind);
        }
        if (makePrimary && !candidate.IsUsable)
        {
            throw new ContactPointNotUsableException(Id, candidate.Id,
                "an invalid number cannot be primary. Correct the number, or add it without making it primary.");
        }
        var currentPrimary = _contactPoints.Find(c => c.Kind == candidate.Kind && c.IsPrimary);
        // The first of a kind is primary even when invalid: "exactly one primary per kind" must hold, and it is
        // replaced as soon as a usable one arrives.
        var becomesPrimary = makePrimary || currentPrimary is null || (!currentPrimary.IsUsable && candidate.IsUsable);
        _lastContactPointNumber = candidate.Id.Value;
        _contactPoints.Add(candidate);
        Raise(new ContactPointAdded(Id, candidate.Id, candidate.Kind, candidate.IsInvalid, at));
        if (becomesPrimary)
        {
            SetPrimary(candidate.Kind, candidate.Id, at);
        }
        Touch(at);
        return _contactPoints[^1];
    }

    private void Update(ContactPointId id, Instant at, ContactPointChange change, Func<ContactPoint, bool> alreadyDone,
        Func<ContactPoint, ContactPoint> apply, bool requireParseable = false)
    {
        var index = IndexOf(id);
        var contactPoint = _contactPoints[index];
        if (requireParseable && contactPoint is PhoneContactPoint { Number.IsValid: false })
        {
            throw new ContactPointNotUsableException(Id, id,
                "the phone number could not be understood, so it cannot be verified or marked valid. Remove it and add the corrected number.");
        }
        if (alreadyDone(contactPoint))
        {
            return; // Re-applying a state the contact point already has changes nothing and raises no event.
        }
        var updated = apply(contactPoint);
        _contactPoints[index] = updated;
        Raise(new ContactPointChanged(Id, id, updated.Kind, change, at));
        if (updated.IsPrimary && !updated.IsUsable)
        {
            PromoteReplacement(updated.Kind, at);
        }
        else if (updated.IsUsable && !PrimaryOf(updated.Kind)!.IsUsable)
        {
            SetPrimary(updated.Kind, updated.Id, at);
        }
        Touch(at);
    }

    private void PromoteReplacement(ContactKind kind, Instant at)
    {
        var sameKind = _contactPoints.Where(c => c.Kind == kind).ToList();
        var replacement = sameKind.Find(c => c.IsUsable && !c.IsPrimary)
            ?? (sameKind.Exists(c => c.IsPrimary) ? null : sameKind.FirstOrDefault());
        if (replacement is not null)
        {
            SetPrimary(kind, replacement.Id, at);
        }
    }

    private void SetPrimary(ContactKind kind, ContactPointId id, Instant at)
    {
        for (var i = 0; i < _contactPoints.Count; i++)
        {
            var c = _contactPoints[i];
            if (c.Kind == kind && c.IsPrimary != (c.Id == id))
            {
                _contactPoints[i] = c with { IsPrimary = c.Id == id };
            }
        }
        Raise(new ContactPointChanged(Id, id, kind, ContactPointChange.MadePrimary, at));
    }

    private ContactPoint? PrimaryOf(ContactKind kind) => _contactPoints.Find(c => c.Kind == kind && c.IsPrimary);

    private ContactPointId NextContactPointId() => new(_lastContactPointNumber + 1);

    private int IndexOf(ContactPointId id)
    {
        if (id.Value <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), "An uninitialised default ContactPointId is not allowed; take the id from Customer.ContactPoints.");
        }
        var index = _contactPoints.FindIndex(c => c.Id == id);
        return index >= 0 ? index : throw new ContactPointNotFoundException(Id, id);
    }
}
