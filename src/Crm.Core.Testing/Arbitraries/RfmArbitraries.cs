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

    /// <summary>
    /// Bulk columns of 0..200 rows over up to 40 random 64-bit customer keys: dates around <see cref="AsOf"/> (some
    /// after it), amounts in whole cents written at scales 0 to 4 (12, 12.5, 12.34, 12.340), some refunds, rarely an
    /// amount finer than a cent or too large for 32-bit cents.
    /// </summary>
    public static Arbitrary<RfmColumns> Columns() =>
        (from pool in Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<long>(), n)).Where(p => p.Length > 0)
         from count in Gen.Choose(0, 200)
         from rows in Gen.ArrayOf(ColumnRow(pool), count)
         select new RfmColumns(AsOf, rows.Select(r => r.Key).ToArray(), rows.Select(r => r.Date).ToArray(), rows.Select(r => r.Amount).ToArray())).ToArbitrary();

    private static Gen<(long Key, LocalDate Date, decimal Amount)> ColumnRow(long[] pool) =>
        from key in Gen.Elements(pool)
        from daysBack in Gen.Choose(-3, 60)
        from amount in ColumnAmount()
        select (key, AsOf.PlusDays(-daysBack), amount);

    private static Gen<decimal> ColumnAmount() =>
        Gen.Frequency(
            (40, from cents in Gen.Frequency((6, Gen.Choose(0, 50_000)), (1, Gen.Choose(-8_000, -1)))
                 from trailingZeros in Gen.Elements(1m, 1.0m, 1.00m)
                 // cents / 100m keeps the smallest scale (12, 12.5, 12.34); multiplying by 1.00m adds trailing zeros.
                 select cents / 100m * trailingZeros),
            (1, Gen.Choose(1, 999).Select(m => m / 1000m)),
            (1, Gen.Elements(21_474_836.47m, 21_474_836.48m, -21_474_836.48m, 1e12m)));
}

/// <summary>Generated bulk columns (row i: customer key, date, amount) and the as-of date to score them at.</summary>
/// <param name="AsOf">The as-of date; some rows lie after it.</param>
/// <param name="Keys">The customer keys.</param>
/// <param name="Dates">The dates.</param>
/// <param name="Amounts">The amounts; negative for refunds.</param>
public sealed record RfmColumns(LocalDate AsOf, long[] Keys, LocalDate[] Dates, decimal[] Amounts)
{
    /// <summary>A short description for failure reports.</summary>
    public override string ToString() =>
        $"as of {AsOf:uuuu-MM-dd}: " + string.Join("; ", Keys.Select((k, i) => $"{k}/{Dates[i]:uuuu-MM-dd}/{Amounts[i].ToString(CultureInfo.InvariantCulture)}"));
}
