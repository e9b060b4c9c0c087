using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Rfm;

/// <summary>
/// One customer's RFM metrics already aggregated elsewhere, typically by a database (<c>GROUP BY customer</c>), ready to
/// be scored with <see cref="RfmCalculator.Score"/>. The definitions are those of <see cref="RfmCalculator"/>.
/// </summary>
/// <param name="Customer">The customer.</param>
/// <param name="LastPurchaseDate">The date of the customer's latest purchase (refunds excluded) in the computation's zone.</param>
/// <param name="Frequency">The number of purchases (transactions with amount ≥ 0); at least 1.</param>
/// <param name="Monetary">The sum of all the customer's transactions in range, refunds included.</param>
public readonly record struct RfmCustomerSummary(CustomerId Customer, LocalDate LastPurchaseDate, int Frequency, decimal Monetary);
