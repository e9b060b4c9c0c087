namespace Crm.Core;

/// <summary>Sums that stop at the ends of <see cref="decimal"/>'s range instead of throwing <see cref="OverflowException"/>.</summary>
internal static class Saturating
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>, clamped to [<see cref="decimal.MinValue"/>, <see cref="decimal.MaxValue"/>].</summary>
    public static decimal Add(decimal a, decimal b) =>
        !Overflows(a, b) ? a + b : b >= 0m ? decimal.MaxValue : decimal.MinValue;

    /// <summary>Whether <paramref name="a"/> + <paramref name="b"/> lies beyond <see cref="decimal"/>'s range (where the sum would throw).</summary>
    public static bool Overflows(decimal a, decimal b) =>
        b >= 0m ? a > decimal.MaxValue - b : a < decimal.MinValue - b;
}
