using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing;

/// <summary>One purchase row as an export has it: customer, optional order id, date, amount (in EUR).</summary>
/// <param name="Customer">The customer.</param>
/// <param name="Transaction">The order the row is a line of, or null when the row is its own transaction.</param>
/// <param name="Date">The row's date.</param>
/// <param name="Amount">The amount; negative for returns.</param>
public sealed record RfmRow(CustomerId Customer, TransactionId? Transaction, LocalDate Date, decimal Amount);

/// <summary>A generated set of purchase rows and the as-of date to score them at.</summary>
/// <param name="AsOf">The as-of date; some rows lie after it.</param>
/// <param name="Rows">The rows.</param>
public sealed record RfmRowSet(LocalDate AsOf, IReadOnlyList<RfmRow> Rows)
{
    /// <summary>A short description for failure reports.</summary>
    public override string ToString() =>
        $"as of {AsOf:uuuu-MM-dd}: " + string.Join("; ", Rows.Select(r => $"{r.Customer}/{r.Transaction?.ToString() ?? "-"}/{r.Date:uuuu-MM-dd}/{r.Amount.ToString(CultureInfo.InvariantCulture)}"));
}

/// <summary>
/// FsCheck arbitraries for RFM: small customer pools (so customers repeat and values tie), dates around an as-of
/// date (some after it), mostly positive cent amounts with some refunds, order ids shared by several lines.
/// Register with <c>[Property(Arbitrary = new[] { typeof(RfmArbitraries) })]</c>.
/// </summary>
public static class RfmArbitraries
{
    /// <summary>The as-of date every generated set uses.</summary>
    public static readonly LocalDate AsOf = new(2024, 6, 30);

    /// <summary>Row sets of 0..60 rows over up to 12 customers.</summary>
    public static Arbitrary<RfmRowSet> RowSet() =>
        (from customers in Gen.Choose(1, 12)
         from rows in Gen.ListOf(Row(customers)).Select(l => l.Take(60).ToArray())
         select new RfmRowSet(AsOf, rows)).ToArbitrary();

    private static Gen<RfmRow> Row(int customers) =>
        from c in Gen.Choose(0, customers - 1)
        from hasTransaction in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from t in Gen.Choose(0, 5)
        from daysBack in Gen.Choose(-3, 90)
        from cents in Gen.Frequency((6, Gen.Choose(0, 20_000)), (1, Gen.Choose(-8_000, -1)))
        select new RfmRow(
            new CustomerId(c.ToString("000", CultureInfo.InvariantCulture)),
            hasTransaction ? new TransactionId($"T{t}") : null,
            AsOf.PlusDays(-daysBack),
            cents / 100m);
}
