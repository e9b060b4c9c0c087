using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Rfm;
using Crm.Core.Testing;
using NodaTime;

namespace Crm.Core.Tests.Rfm;

internal static class RfmTestData
{
    public static readonly LocalDate AsOf = new(2024, 6, 30);

    public static CustomerId C(string id) => new(id);

    public static TransactionId T(string id) => new(id);

    public static Money Eur(decimal amount) => new(amount, Currency.EUR);

    public static RfmResult<CustomerId> Compute(RfmRowSet set, RfmOptions? options = null) => Compute(set.Rows, options ?? new RfmOptions(set.AsOf));

    public static RfmResult<CustomerId> Compute(IEnumerable<RfmRow> rows, RfmOptions options)
    {
        var accumulator = new RfmAccumulator(options);
        foreach (var row in rows)
        {
            accumulator.Add(row.Customer, row.Transaction, row.Date, Eur(row.Amount));
        }
        return accumulator.ToResult();
    }

    /// <summary>Every observable field of every customer, for comparing two results.</summary>
    public static string Describe<TCustomer>(RfmResult<TCustomer> result, Func<TCustomer, string> id) =>
        string.Join("\n", result
            .Select(c => $"{id(c.Customer)} {c.RecencyDays} {c.Frequency} {c.Monetary:0.00####} {c.Score} {c.Segment}")
            .Order(StringComparer.Ordinal));
}
