using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Crm.Core.Testing;

/// <summary>
/// BG/NBD parameters (r, α, a, b) as plain numbers, so that this kit does not depend on the analytics package; build
/// the model's parameter type from them.
/// </summary>
/// <param name="R">Shape of the purchase-rate distribution.</param>
/// <param name="Alpha">Rate of the purchase-rate distribution, per period.</param>
/// <param name="A">First Beta parameter of the dropout probability.</param>
/// <param name="B">Second Beta parameter of the dropout probability.</param>
public sealed record PurchaseModelCase(double R, double Alpha, double A, double B)
{
    /// <summary>The parameters, round-trippable.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"r={R:R}, alpha={Alpha:R}, a={A:R}, b={B:R}");
}

/// <summary>Gamma-Gamma parameters (p, q, v) with q &gt; 1, as plain numbers.</summary>
/// <param name="P">Shape of a customer's transaction values.</param>
/// <param name="Q">Shape of the heterogeneity distribution, &gt; 1.</param>
/// <param name="V">Rate of the heterogeneity distribution, in currency units.</param>
public sealed record SpendModelCase(double P, double Q, double V)
{
    /// <summary>The parameters, round-trippable.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p={P:R}, q={Q:R}, v={V:R}");
}

/// <summary>
/// A customer's (x, t_x, T) in periods, always consistent (0 ≤ t_x ≤ T, t_x = 0 when x = 0), and a mean repeat
/// spend m (0 when x = 0).
/// </summary>
/// <param name="Frequency">x: repeat purchases.</param>
/// <param name="Recency">t_x.</param>
/// <param name="Age">T.</param>
/// <param name="MonetaryValue">m.</param>
public sealed record CustomerHistoryCase(int Frequency, double Recency, double Age, double MonetaryValue)
{
    /// <summary>The history, round-trippable.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"x={Frequency}, t_x={Recency:R}, T={Age:R}, m={MonetaryValue:R}");
}

/// <summary>Baskets over a small product pool (so that pairs repeat), duplicates within a basket included on purpose.</summary>
/// <param name="Baskets">The baskets; some may be empty.</param>
public sealed record BasketSet(IReadOnlyList<IReadOnlyList<string>> Baskets)
{
    /// <summary>The baskets, one per bracket.</summary>
    public override string ToString() => string.Join(" ", Baskets.Select(b => "[" + string.Join(",", b) + "]"));
}

/// <summary>
/// FsCheck arbitraries for customer-value analytics: model parameters over the ranges real fits produce (log-uniform,
/// from near-degenerate to very heterogeneous populations), customer histories from one-off buyers to heavy buyers,
/// and baskets. Transactions for customer summaries reuse <see cref="RfmArbitraries.RowSet"/>. Register with
/// <c>[Property(Arbitrary = new[] { typeof(AnalyticsArbitraries) })]</c>.
/// </summary>
public static class AnalyticsArbitraries
{
    private static readonly string[] Products = ["bread", "butter", "milk", "jam", "beer", "chips", "tea", "soap"];

    /// <summary>BG/NBD parameters: r in [0.05, 5], α in [0.5, 50], a in [0.05, 5], b in [0.1, 20], each log-uniform.</summary>
    public static Arbitrary<PurchaseModelCase> PurchaseModel() =>
        (from r in LogUniform(0.05, 5)
         from alpha in LogUniform(0.5, 50)
         from a in LogUniform(0.05, 5)
         from b in LogUniform(0.1, 20)
         select new PurchaseModelCase(r, alpha, a, b)).ToArbitrary();

    /// <summary>Gamma-Gamma parameters: p in [0.5, 20], q in [1.05, 20], v in [1, 200], each log-uniform.</summary>
    public static Arbitrary<SpendModelCase> SpendModel() =>
        (from p in LogUniform(0.5, 20)
         from q in LogUniform(1.05, 20)
         from v in LogUniform(1, 200)
         select new SpendModelCase(p, q, v)).ToArbitrary();

    /// <summary>
    /// Histories with T in [0, 156] periods; x is 0 a third of the time, usually small, sometimes in the hundreds
    /// (the range where naive formulas overflow); t_x anywhere in [0, T], including exactly T.
    /// </summary>
    public static Arbitrary<CustomerHistoryCase> CustomerHistory() =>
        (from age in Gen.Frequency((1, Gen.Constant(0.0)), (12, Gen.Choose(0, 156_000).Select(i => i / 1000.0)))
         from x in Gen.Frequency((4, Gen.Constant(0)), (6, Gen.Choose(1, 12)), (2, Gen.Choose(13, 500)))
         from share in Gen.Frequency((1, Gen.Constant(1.0)), (8, Gen.Choose(0, 1000).Select(i => i / 1000.0)))
         from cents in Gen.Choose(1, 100_000)
         select x == 0
             ? new CustomerHistoryCase(0, 0, age, 0)
             : new CustomerHistoryCase(x, Math.Min(age, age * share), age, cents / 100.0)).ToArbitrary();

    /// <summary>0–40 baskets of 0–6 items from eight products (duplicates possible).</summary>
    public static Arbitrary<BasketSet> Baskets() =>
        Gen.ListOf(Gen.Choose(0, 6).SelectMany(size => Gen.ArrayOf(Gen.Elements(Products), size)))
            .Select(list => new BasketSet(list.Take(40).Select(b => (IReadOnlyList<string>)b).ToArray()))
            .ToArbitrary();

    private static Gen<double> LogUniform(double min, double max) =>
        Gen.Choose(0, 1_000_000).Select(i => Math.Exp(Math.Log(min) + ((Math.Log(max) - Math.Log(min)) * i / 1_000_000.0)));
}
