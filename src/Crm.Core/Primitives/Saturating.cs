namespace Crm.Core;

/// <summary>Sums that stop at the ends of <see cref="decimal"/>'s range instead of throwing <see cref="OverflowException"/>.</summary>
internal static class Saturating
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>, clamped to [<see cref="decimal.MinValue"/>, <see cref="decimal.MaxValue"/>].</summary>
    public static decimal Add(decimal a, decimal b) =>
        b >= 0m
            ? (a > decimal.MaxValue - b ? decimal.MaxValue : a + b)
            : (a < decimal.MinValue - b ? decimal.MinValue : a + b);
}
