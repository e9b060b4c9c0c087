using NodaTime;

namespace Crm.Core.Customers;

/// <summary>The state of a product a customer holds.</summary>
public enum HoldingStatus
{
    /// <summary>Open and in use.</summary>
    Active = 1,

    /// <summary>Open but suspended or dormant (frozen card, paused subscription).</summary>
    Suspended = 2,

    /// <summary>Closed; kept for history.</summary>
    Closed = 3,
}

/// <summary>
/// A product a customer holds or held: an account, a card, a policy, a subscription. Lifecycle and analytics use
/// holdings (for example, churn by number of products held).
/// </summary>
/// <remarks>A customer may hold the same product again after closing it; each holding is kept. Immutable: the customer replaces it when it changes.</remarks>
public sealed record ProductHolding
{
    internal ProductHolding(ProductId productId, string category, LocalDate openedOn, LocalDate? closedOn, HoldingStatus status)
    {
        ProductId = productId;
        Category = category;
        OpenedOn = openedOn;
        ClosedOn = closedOn;
        Status = status;
    }

    /// <summary>The product.</summary>
    public ProductId ProductId { get; }

    /// <summary>The product category (e.g. <c>savings</c>, <c>credit-card</c>), used for cross-sell and analytics.</summary>
    public string Category { get; }

    /// <summary>The business date it was opened.</summary>
    public LocalDate OpenedOn { get; }

    /// <summary>The business date it was closed, or null while open.</summary>
    public LocalDate? ClosedOn { get; internal init; }

    /// <summary>Whether it is active, suspended or closed.</summary>
    public HoldingStatus Status { get; internal init; }

    /// <summary>Whether the product is still held (active or suspended).</summary>
    public bool IsOpen => Status != HoldingStatus.Closed;

    /// <summary>Whether the product was held on <paramref name="date"/> (opened on or before it, not closed before it).</summary>
    /// <param name="date">The business date.</param>
    public bool WasHeldOn(LocalDate date) => OpenedOn <= date && (ClosedOn is null || date < ClosedOn.Value);
}

