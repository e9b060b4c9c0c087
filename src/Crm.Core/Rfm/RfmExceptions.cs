namespace Crm.Core.Rfm;

/// <summary>
/// Thrown when one RFM computation meets two currencies: monetary values can only be summed in one. Convert the
/// amounts first, or compute per currency.
/// </summary>
public sealed class RfmCurrencyMismatchException : CrmException
{
    /// <summary>Creates the exception for the row that broke the rule.</summary>
    /// <param name="expected">The currency of the computation (of the first row).</param>
    /// <param name="actual">The currency of the offending row.</param>
    /// <param name="customer">The offending row's customer identifier, as text.</param>
    /// <param name="transaction">The offending row's transaction identifier, or null when it has none.</param>
    public RfmCurrencyMismatchException(Currency expected, Currency actual, string customer, string? transaction)
        : base($"RFM needs one currency, but customer '{customer}'{(transaction is null ? string.Empty : $" transaction '{transaction}'")} is in {actual.Code} while earlier rows are in {expected.Code}. Convert the amounts to one currency or compute each currency separately.")
    {
        Expected = expected;
        Actual = actual;
        Customer = customer;
        Transaction = transaction;
    }

    /// <summary>The currency of the computation.</summary>
    public Currency Expected { get; }

    /// <summary>The currency of the offending row.</summary>
    public Currency Actual { get; }

    /// <summary>The offending row's customer identifier.</summary>
    public string Customer { get; }

    /// <summary>The offending row's transaction identifier, or null.</summary>
    public string? Transaction { get; }
}
