using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Analytics.Summaries;

/// <summary>
/// One purchase as the customer-value models see it: who, on which (local) day, and how much. The models work at
/// day granularity, so the time of day is deliberately not part of it.
/// </summary>
/// <remarks>Immutable value; equality is by all three components.</remarks>
/// <param name="CustomerId">The customer who bought.</param>
/// <param name="Date">The local day of the purchase (convert instants with the shop's time zone).</param>
/// <param name="Amount">The amount spent; purchases on the same day are summed.</param>
public readonly record struct CustomerTransaction(CustomerId CustomerId, LocalDate Date, decimal Amount);
