using Crm.Core.Specifications;
using NodaTime;

namespace Crm.Core.Customers;

/// <summary>
/// A customer's interaction timeline: the interactions with one customer in the half-open range
/// [<c>from</c>, <c>to</c>), newest first, optionally only the latest <c>take</c> of them.
/// </summary>
/// <remarks>
/// Interactions at the same instant are ordered by id, descending, so that paging through a timeline is stable. The
/// range is half-open so that consecutive windows (a day, then the next) never count an interaction twice.
/// Uses scalar members only, so every store can translate it.
/// </remarks>
public sealed class InteractionTimeline : Specification<Interaction>
{
    /// <summary>Creates the query.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="from">The earliest instant included.</param>
    /// <param name="to">The first instant excluded; not before <paramref name="from"/>.</param>
    /// <param name="take">At most this many (the newest), or null for all.</param>
    /// <exception cref="ArgumentException"><paramref name="customerId"/> is the uninitialised default, or <paramref name="to"/> is before <paramref name="from"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="take"/> is zero or negative.</exception>
    public InteractionTimeline(CustomerId customerId, Instant from, Instant to, int? take = null)
    {
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckArgument(to >= from, nameof(to), "The range must not end before it starts: pass to >= from.");
        Query.Where(i => i.CustomerId == customerId && i.OccurredAt >= from && i.OccurredAt < to)
            .OrderByDescending(i => i.OccurredAt)
            .ThenByDescending(i => i.Id);
        if (take is { } count)
        {
            Query.Take(Preconditions.CheckPositive(count, nameof(take)));
        }
        CustomerId = customerId;
        From = from;
        To = to;
    }

    /// <summary>The customer.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>The earliest instant included.</summary>
    public Instant From { get; }

    /// <summary>The first instant excluded.</summary>
    public Instant To { get; }
}

/// <summary>The customers that have the given email among their email contact points (for duplicate checks and log-in look-ups).</summary>
/// <remarks>
/// Matches the normalised address, so <c>Ann@Example.com</c> finds <c>ann@example.com</c>. Ordered by customer id.
/// It looks inside the contact point collection: a database store must map contact points (the EF Core adapter does).
/// </remarks>
public sealed class CustomersByEmail : Specification<Customer>
{
    /// <summary>Creates the query.</summary>
    /// <param name="email">The address.</param>
    /// <exception cref="ArgumentException"><paramref name="email"/> is the uninitialised default.</exception>
    public CustomersByEmail(EmailAddress email)
    {
        Preconditions.CheckArgument(!email.IsDefault, nameof(email), "An email address is required; create one with new EmailAddress(text).");
        var value = email.Value;
        Query.Where(c => c.Emails.Any(e => e.Address.Value == value)).OrderBy(c => c.Id);
    }
}

/// <summary>The customers that have a phone contact point with the E.164 number of the given phone (any extension).</summary>
/// <remarks>Ordered by customer id. Looks inside the contact point collection, like <see cref="CustomersByEmail"/>.</remarks>
public sealed class CustomersByPhone : Specification<Customer>
{
    /// <summary>Creates the query.</summary>
    /// <param name="phone">A valid number.</param>
    /// <exception cref="ArgumentException"><paramref name="phone"/> is the uninitialised default or not a valid number (invalid numbers match nothing reliably).</exception>
    public CustomersByPhone(PhoneNumber phone)
    {
        Preconditions.CheckArgument(phone.IsValid, nameof(phone), "A valid phone number is required: parse it with PhoneNumber.Parse and check IsValid.");
        var e164 = phone.E164;
        Query.Where(c => c.Phones.Any(p => p.Number.E164 == e164)).OrderBy(c => c.Id);
    }
}

/// <summary>The customer linked to the given externalId in the given sourceSystem (for imports from that system).</summary>
/// <remarks>Ordered by customer id; normally at most one customer matches.</remarks>
public sealed class CustomerByExternalId : Specification<Customer>
{
    /// <summary>Creates the query.</summary>
    /// <param name="sourceSystem">The source system's code (normalised like <see cref="ConsentPurpose"/> codes).</param>
    /// <param name="externalId">The id in that system.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is not a valid code or id.</exception>
    public CustomerByExternalId(string sourceSystem, string externalId)
    {
        var system = Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code");
        var id = Identifier.Validate(externalId, nameof(externalId), "external id");
        Query.Where(c => c.ExternalIds.Any(p => p.Key == system && p.Value == id)).OrderBy(c => c.Id);
    }
}
