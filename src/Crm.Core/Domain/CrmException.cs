namespace Crm.Core;

/// <summary>
/// The base type of every domain rule violation that Crm.Core reports. Catch it to handle any of them;
/// the derived types say which rule was broken and their messages say what to do.
/// </summary>
/// <remarks>Messages never contain personal data (names, contact details), only identifiers and amounts.</remarks>
public abstract class CrmException : InvalidOperationException
{
    /// <summary>Creates the exception with a message that says what went wrong and what to do.</summary>
    protected CrmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    protected CrmException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Thrown when money in two different currencies is added, subtracted or compared.</summary>
public sealed class CurrencyMismatchException : CrmException
{
    /// <summary>Creates the exception for the two currencies involved.</summary>
    public CurrencyMismatchException(Currency expected, Currency actual)
        : base($"Cannot combine amounts in {expected.Code} and {actual.Code}: convert them to one currency first.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The currency of the left-hand operand (or of the computation).</summary>
    public Currency Expected { get; }

    /// <summary>The currency that did not match.</summary>
    public Currency Actual { get; }
}

/// <summary>
/// Thrown when an aggregate is saved from a stale copy: someone else saved a newer version since it was loaded.
/// Reload the aggregate, re-apply the change and save again (see the retry helper), rather than overwrite.
/// </summary>
public sealed class ConcurrencyConflictException : CrmException
{
    /// <summary>Creates the exception for the aggregate whose version moved on.</summary>
    /// <param name="aggregateType">The aggregate's type name.</param>
    /// <param name="aggregateId">The aggregate's identifier, as text.</param>
    /// <param name="expectedVersion">The version the caller loaded.</param>
    /// <param name="actualVersion">The version in the store, or null when it was deleted.</param>
    /// <param name="innerException">The storage exception that signalled the conflict, if any.</param>
    public ConcurrencyConflictException(string aggregateType, string aggregateId, long expectedVersion, long? actualVersion, Exception? innerException = null)
        : base(actualVersion is null
            ? $"{aggregateType} '{aggregateId}' was deleted after version {expectedVersion} was loaded. Reload it before changing it."
            : $"{aggregateType} '{aggregateId}' is at version {actualVersion} but the change was made to version {expectedVersion}. Reload it, re-apply the change and save again.",
            innerException)
    {
        AggregateType = aggregateType;
        AggregateId = aggregateId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The aggregate's type name.</summary>
    public string AggregateType { get; }

    /// <summary>The aggregate's identifier, as text.</summary>
    public string AggregateId { get; }

    /// <summary>The version the caller loaded and tried to save over.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version in the store, or null when the aggregate was deleted.</summary>
    public long? ActualVersion { get; }
}
