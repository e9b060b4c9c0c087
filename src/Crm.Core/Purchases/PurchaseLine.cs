namespace Crm.Core.Purchases;

/// <summary>What a purchase line is for; loyalty rules, for example, usually exclude delivery and fees.</summary>
public enum PurchaseLineKind
{
    /// <summary>A product or service sold.</summary>
    Product = 0,

    /// <summary>Delivery or shipping charges.</summary>
    Delivery = 1,

    /// <summary>Other fees (payment surcharge, packaging).</summary>
    Fee = 2,
}

/// <summary>One line of a purchase: a product, a quantity and what it cost.</summary>
/// <remarks>
/// Refund lines carry a negative <see cref="Quantity"/> (and so a negative <see cref="Amount"/>).
/// <see cref="Amount"/> defaults to quantity × unit price but may be given explicitly when a discount applies.
/// Immutable and thread-safe.
/// </remarks>
public sealed record PurchaseLine
{
    /// <summary>Creates a line.</summary>
    /// <param name="sku">The product.</param>
    /// <param name="quantity">Units bought (negative for returned units); not zero.</param>
    /// <param name="unitPrice">The price of one unit.</param>
    /// <param name="category">The product category, when the host tracks one.</param>
    /// <param name="amount">The line amount after discounts; defaults to <paramref name="quantity"/> × <paramref name="unitPrice"/>. Same currency as the unit price.</param>
    /// <param name="kind">What the line is for.</param>
    /// <exception cref="ArgumentException">An argument is default, zero or in a different currency, or quantity × unit price is beyond decimal's range.</exception>
    public PurchaseLine(Sku sku, decimal quantity, Money unitPrice, string? category = null, Money? amount = null, PurchaseLineKind kind = PurchaseLineKind.Product)
    {
        Sku = Preconditions.CheckNotDefault(sku);
        Preconditions.CheckArgument(quantity != 0m, nameof(quantity), "A line must have a non-zero quantity (negative for returned units).");
        Preconditions.CheckArgument(!unitPrice.Currency.IsDefault, nameof(unitPrice), "The unit price needs a currency.");
        Preconditions.CheckArgument(amount is null || amount.Value.Currency == unitPrice.Currency, nameof(amount),
            "The line amount must be in the same currency as the unit price.");
        Preconditions.CheckArgument(category is null || !string.IsNullOrWhiteSpace(category), nameof(category),
            "A category must not be empty; pass null when there is none.");
        Quantity = quantity;
        UnitPrice = unitPrice;
        Category = category;
        Amount = amount ?? LineAmount(quantity, unitPrice);
        Kind = Preconditions.CheckDefined(kind);
    }

    private static Money LineAmount(decimal quantity, Money unitPrice)
    {
        // Decimal multiplication throws OverflowException beyond ±7.9 × 10^28; that is a bad argument, not a crash.
        Preconditions.CheckArgument(Math.Abs(unitPrice.Amount) <= decimal.MaxValue / Math.Max(1m, Math.Abs(quantity)), nameof(quantity),
            $"{quantity} × {unitPrice} is beyond the amounts a line can hold.");
        return unitPrice * quantity;
    }

    /// <summary>The product.</summary>
    public Sku Sku { get; }

    /// <summary>The product category, or null.</summary>
    public string? Category { get; }

    /// <summary>Units bought; negative for returned units.</summary>
    public decimal Quantity { get; }

    /// <summary>The price of one unit.</summary>
    public Money UnitPrice { get; }

    /// <summary>What the line costs in total, after discounts.</summary>
    public Money Amount { get; }

    /// <summary>What the line is for.</summary>
    public PurchaseLineKind Kind { get; }
}
