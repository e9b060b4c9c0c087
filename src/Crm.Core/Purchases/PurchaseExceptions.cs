namespace Crm.Core.Purchases;

/// <summary>
/// Thrown when a purchase is recorded under a transaction id that is already stored for a different purchase (another
/// customer, total or time): a bug at the till rather than a retry, so nothing is recorded or awarded.
/// </summary>
public sealed class TransactionIdConflictException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="transactionId">The transaction id both purchases carry.</param>
    /// <param name="difference">What differs, e.g. <c>the total</c> (never personal data).</param>
    public TransactionIdConflictException(TransactionId transactionId, string difference)
        : base($"Transaction '{transactionId}' is already stored for a different purchase ({Preconditions.CheckNotNull(difference)} differs): give each purchase its own transaction id; a retry must send the same purchase again.") =>
        TransactionId = transactionId;

    /// <summary>The transaction id both purchases carry.</summary>
    public TransactionId TransactionId { get; }
}
