using Crm.Core.Customers;
using Crm.Core.Purchases;
using FsCheck;
using FsCheck.Fluent;

namespace Crm.Core.Testing;

/// <summary>
/// FsCheck arbitraries for Crm.Core's domain types, shared by Crm.Core's own tests, the storage conformance
/// kit and hosts' tests. Register with <c>[Property(Arbitrary = new[] { typeof(CrmArbitraries) })]</c>.
/// </summary>
public static partial class CrmArbitraries
{
    private static readonly string[] CurrencyCodes = ["EUR", "USD", "GBP", "CHF", "JPY", "SEK"];

    /// <summary>Currency codes from a small set, so that generated amounts often share a currency.</summary>
    public static Arbitrary<Currency> Currency() =>
        Gen.Elements(CurrencyCodes).Select(code => new Currency(code)).ToArbitrary();

    /// <summary>Money with up to two decimals, in a small set of currencies.</summary>
    public static Arbitrary<Money> Money() =>
        (from cents in Gen.Choose(-10_000_000, 10_000_000)
         from currency in Currency().Generator
         select new Money(cents / 100m, currency)).ToArbitrary();

    /// <summary>Customer ids in the shapes hosts use: numbers, zero-padded codes, Guids and free text.</summary>
    public static Arbitrary<CustomerId> CustomerId() => IdText().Select(s => new CustomerId(s)).ToArbitrary();

    /// <summary>Transaction ids in the shapes hosts use.</summary>
    public static Arbitrary<TransactionId> TransactionId() => IdText().Select(s => new TransactionId(s)).ToArbitrary();

    /// <summary>Text that is a valid identifier in one of several host shapes.</summary>
    public static Gen<string> IdText() =>
        Gen.OneOf(
            Gen.Choose(0, int.MaxValue).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Choose(0, 99_999).Select(i => i.ToString("00000", System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Fresh(() => Guid.NewGuid().ToString()),
            Gen.Elements("A", "b", "ÄÖ-1", "cust 7", "x_y.z", "日本-42"));
}
