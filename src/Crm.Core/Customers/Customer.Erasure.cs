using NodaTime;

namespace Crm.Core.Customers;

// Erasure (GDPR art. 17) of the customer record itself; Privacy.PrivacyService drives it across every aggregate.
// The record stays, under its pseudonymous id, so that purchases, points and holdings still add up for accounting.
public sealed partial class Customer
{
    /// <summary>What erased free text is replaced with, where a value must remain (a name, a consent source).</summary>
    internal const string ErasedText = "(erased)";

    /// <summary>Whether the customer's personal data was erased (<see cref="Privacy.PrivacyService.EraseAsync"/>).</summary>
    public bool IsErased { get; private set; }

    /// <summary>
    /// Removes or irreversibly replaces every personal value of the record: the name (replaced by a placeholder of the
    /// same kind), birth date, contact points, external ids, tags, personal custom attributes and life events; consent
    /// sources are replaced (the grants and withdrawals themselves stay as evidence). Holdings and non-personal
    /// attributes stay. Idempotent.
    /// </summary>
    /// <param name="at">When.</param>
    /// <returns>The external ids that were linked (source system, id), so the caller can keep their keyed hashes.</returns>
    internal IReadOnlyList<KeyValuePair<string, string>> ErasePersonalData(Instant at)
    {
        var externalIds = _externalIds.ToList();
        Name = Kind == CustomerKind.Person ? CustomerName.Person(ErasedText, null) : CustomerName.Organisation(ErasedText);
        BirthDate = null;
        _externalIds.Clear();
        _tags.Clear();
        _contactPoints.Clear();
        _lifeEvents.Clear();
        foreach (var name in _attributes.Where(a => a.Value.IsPersonalData).Select(a => a.Key).ToList())
        {
            _attributes.Remove(name);
        }
        for (var i = 0; i < _consents.Count; i++)
        {
            var c = _consents[i];
            _consents[i] = new ConsentRecord(c.Purpose, c.Channel, c.Status, c.At, ErasedText);
        }
        IsErased = true;
        Touch(at);
        Raise(new CustomerErased(Id, at));
        return externalIds;
    }
}

/// <summary>A customer's personal data was erased; the record remains under its (now pseudonymous) id.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="OccurredAt">When.</param>
public sealed record CustomerErased(CustomerId CustomerId, Instant OccurredAt) : IDomainEvent;
