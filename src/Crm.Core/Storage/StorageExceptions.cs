namespace Crm.Core.Storage;

/// <summary>Thrown when an aggregate is added with an id that the store (or the same unit of work) already has.</summary>
/// <remarks>Load the existing aggregate and update it instead, or pick another id. Adding facts such as purchases twice is how idempotency is detected.</remarks>
public sealed class DuplicateAggregateException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="aggregateType">The aggregate's type name.</param>
    /// <param name="aggregateId">The identifier, as text.</param>
    public DuplicateAggregateException(string aggregateType, string aggregateId)
        : base($"{aggregateType} '{aggregateId}' already exists. Load it and update it instead of adding it again, or use another id.")
    {
        AggregateType = aggregateType;
        AggregateId = aggregateId;
    }

    /// <summary>The aggregate's type name.</summary>
    public string AggregateType { get; }

    /// <summary>The identifier that is taken, as text.</summary>
    public string AggregateId { get; }
}

/// <summary>Thrown when an aggregate is updated or removed that the store does not have (it was never added).</summary>
/// <remarks>Add new aggregates with <c>AddAsync</c>. An aggregate that was loaded and then deleted by someone else raises <see cref="ConcurrencyConflictException"/> instead.</remarks>
public sealed class AggregateNotFoundException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="aggregateType">The aggregate's type name.</param>
    /// <param name="aggregateId">The identifier, as text.</param>
    /// <param name="detail">What to do instead.</param>
    public AggregateNotFoundException(string aggregateType, string aggregateId, string detail)
        : base($"{aggregateType} '{aggregateId}' is not in the store: {detail}")
    {
        AggregateType = aggregateType;
        AggregateId = aggregateId;
    }

    /// <summary>The aggregate's type name.</summary>
    public string AggregateType { get; }

    /// <summary>The identifier that was not found, as text.</summary>
    public string AggregateId { get; }
}
