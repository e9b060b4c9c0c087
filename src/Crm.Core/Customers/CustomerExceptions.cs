namespace Crm.Core.Customers;

/// <summary>The base of the customer rule violations; carries the customer's id (never personal data).</summary>
public abstract class CustomerException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer concerned.</param>
    /// <param name="message">What went wrong and what to do.</param>
    protected CustomerException(CustomerId customerId, string message)
        : base(message) => CustomerId = customerId;

    /// <summary>The customer concerned.</summary>
    public CustomerId CustomerId { get; }
}

/// <summary>Thrown when an operation applies only to persons or only to organisations (a birth date for a company).</summary>
public sealed class CustomerKindMismatchException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="actual">The customer's kind.</param>
    /// <param name="required">The kind the operation needs.</param>
    /// <param name="operation">What was attempted, e.g. <c>set a birth date</c>.</param>
    public CustomerKindMismatchException(CustomerId customerId, CustomerKind actual, CustomerKind required, string operation)
        : base(customerId, $"Cannot {operation} for customer '{customerId}': it is registered as {actual} and only a customer registered as {required} has that. Register the customer with the right kind, or leave it out.")
    {
        Actual = actual;
        Required = required;
    }

    /// <summary>The customer's kind.</summary>
    public CustomerKind Actual { get; }

    /// <summary>The kind the operation needs.</summary>
    public CustomerKind Required { get; }
}

/// <summary>Thrown when a contact point id does not belong to the customer (or was removed).</summary>
public sealed class ContactPointNotFoundException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    public ContactPointNotFoundException(CustomerId customerId, ContactPointId contactPointId)
        : base(customerId, $"Customer '{customerId}' has no contact point {contactPointId}: take the id from Customer.ContactPoints (it may have been removed).") =>
        ContactPointId = contactPointId;

    /// <summary>The id that was not found.</summary>
    public ContactPointId ContactPointId { get; }
}

/// <summary>Thrown when a contact point is added that the customer already has (same normalised address or number).</summary>
public sealed class DuplicateContactPointException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    public DuplicateContactPointException(CustomerId customerId, ContactPointId existing, ContactKind kind)
        : base(customerId, $"Customer '{customerId}' already has this {kind} as contact point {existing}: change the flags of that one instead of adding it again.") =>
        Existing = existing;

    /// <summary>The contact point that already holds the address or number.</summary>
    public ContactPointId Existing { get; }
}

/// <summary>Thrown when a contact point cannot be used as asked, e.g. an invalid one made primary.</summary>
public sealed class ContactPointNotUsableException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="contactPointId">The contact point.</param>
    /// <param name="reason">Why and what to do; no personal data.</param>
    public ContactPointNotUsableException(CustomerId customerId, ContactPointId contactPointId, string reason)
        : base(customerId, $"Contact point {contactPointId} of customer '{customerId}': {reason}") =>
        ContactPointId = contactPointId;

    /// <summary>The contact point.</summary>
    public ContactPointId ContactPointId { get; }
}

/// <summary>Thrown when a source system is linked to a second external id for the same customer.</summary>
public sealed class ExternalIdConflictException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    public ExternalIdConflictException(CustomerId customerId, string sourceSystem)
        : base(customerId, $"Customer '{customerId}' is already linked to a different id in source system '{sourceSystem}': unlink it first if the id really changed.") =>
        SourceSystem = sourceSystem;

    /// <summary>The source system.</summary>
    public string SourceSystem { get; }
}

/// <summary>Thrown when a product holding operation does not match what the customer holds.</summary>
public sealed class ProductHoldingException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="productId">The product.</param>
    /// <param name="message">What went wrong and what to do.</param>
    public ProductHoldingException(CustomerId customerId, ProductId productId, string message)
        : base(customerId, message) => ProductId = productId;

    /// <summary>The product.</summary>
    public ProductId ProductId { get; }
}

/// <summary>
/// Thrown when a customer would be contacted (or selected) for a consent-based purpose, such as marketing, while
/// their consent for that purpose and channel is not in force at that instant.
/// </summary>
public sealed class ConsentRequiredException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="purpose">The consent purpose that was needed.</param>
    /// <param name="channel">The channel it was needed for.</param>
    /// <param name="at">The instant of the contact.</param>
    public ConsentRequiredException(CustomerId customerId, ConsentPurpose purpose, ContactChannel channel, NodaTime.Instant at)
        : base(customerId, $"Customer '{customerId}' has no consent for '{purpose}' on '{channel}' in force at {at}: record their consent first (Customer.GrantConsent), "
            + "use a channel they consented to, or, if the contact is not marketing, state it with PurposeOfUse.NonMarketing and its lawful basis.")
    {
        Purpose = purpose;
        Channel = channel;
        At = at;
    }

    /// <summary>The consent purpose that was needed.</summary>
    public ConsentPurpose Purpose { get; }

    /// <summary>The channel it was needed for.</summary>
    public ContactChannel Channel { get; }

    /// <summary>The instant of the contact.</summary>
    public NodaTime.Instant At { get; }
}

/// <summary>Thrown when a new fact (a purchase) is recorded for a customer whose personal data was erased.</summary>
public sealed class CustomerErasedException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The erased customer.</param>
    /// <param name="operation">What was attempted, e.g. <c>record purchase 'T-1'</c>.</param>
    public CustomerErasedException(CustomerId customerId, string operation)
        : base(customerId, $"Cannot {Preconditions.CheckNotNull(operation)} for customer '{customerId}': the customer's personal data was erased, and a new fact would tie the id to a person again. Register the person as a new customer if they came back.")
    {
    }
}
