using System.Collections.ObjectModel;
using NodaTime;

namespace Crm.Core.Customers;

// Custom attributes, life events and product holdings: the parts of the record that other capabilities
// (segmentation, lifecycle, analytics) read.
public sealed partial class Customer
{
    private const int MaxAttributeNameLength = 64;
    private const int MaxSourceLength = 200;

    private readonly Dictionary<string, CustomAttribute> _attributes;
    private readonly List<LifeEvent> _lifeEvents;
    private readonly List<ProductHolding> _holdings;

    /// <summary>The custom attributes by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, CustomAttribute> Attributes => new ReadOnlyDictionary<string, CustomAttribute>(_attributes);

    /// <summary>The life events, in the order they were recorded.</summary>
    public IReadOnlyList<LifeEvent> LifeEvents => _lifeEvents.AsReadOnly();

    /// <summary>Every product holding, open or closed, in the order they were opened.</summary>
    public IReadOnlyList<ProductHolding> ProductHoldings => _holdings.AsReadOnly();

    /// <summary>How many products the customer holds now (active or suspended).</summary>
    public int OpenProductCount => _holdings.Count(h => h.IsOpen);

    /// <summary>Sets a custom attribute, replacing any value of the same name (ignoring case).</summary>
    /// <param name="name">The name: 1-64 characters after trimming, no control characters.</param>
    /// <param name="value">The typed value.</param>
    /// <param name="isPersonalData">Whether the value is personal data (exported and erased on request).</param>
    /// <param name="at">When.</param>
    /// <returns>The attribute.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank, too long or contains control characters.</exception>
    public CustomAttribute SetAttribute(string name, AttributeValue value, bool isPersonalData, Instant at)
    {
        var cleanedName = Text.Clean(name, nameof(name), MaxAttributeNameLength);
        Preconditions.CheckNotNull(value);
        if (_attributes.TryGetValue(cleanedName, out var existing))
        {
            cleanedName = existing.Name; // keep the spelling the attribute was created with
        }
        var attribute = new CustomAttribute(cleanedName, value, isPersonalData, at);
        _attributes[cleanedName] = attribute;
        Changed(CustomerProfileChange.Attributes, at);
        return attribute;
    }

    /// <summary>Removes a custom attribute.</summary>
    /// <param name="name">The name (ignoring case).</param>
    /// <param name="at">When.</param>
    /// <returns>True when removed; false when there was no such attribute.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank, too long or contains control characters.</exception>
    public bool RemoveAttribute(string name, Instant at)
    {
        if (!_attributes.Remove(Text.Clean(name, nameof(name), MaxAttributeNameLength)))
        {
            return false;
        }
        Changed(CustomerProfileChange.Attributes, at);
        return true;
    }

    /// <summary>Records a life event.</summary>
    /// <param name="type">The kind of event.</param>
    /// <param name="date">When it happened.</param>
    /// <param name="source">Where the business learnt it, 1-200 characters.</param>
    /// <param name="at">When it was recorded.</param>
    /// <returns>True when recorded; false when an event of the same type on the same date was already recorded (imports can be repeated safely).</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is the uninitialised default, or <paramref name="source"/> is blank or too long.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public bool RecordLifeEvent(LifeEventType type, LocalDate date, string source, Instant at)
    {
        Preconditions.CheckArgument(!type.IsDefault, nameof(type), "A life event type is required, e.g. LifeEventType.HomeMove.");
        var cleanedSource = Text.Clean(source, nameof(source), MaxSourceLength);
        if (_lifeEvents.Exists(e => e.Type == type && e.Date == date))
        {
            return false;
        }
        _lifeEvents.Add(new LifeEvent(type, date, cleanedSource, at));
        Touch(at);
        Raise(new LifeEventRecorded(Id, type, date, at));
        return true;
    }

    /// <summary>Records that the customer opened (took up) a product.</summary>
    /// <param name="productId">The product.</param>
    /// <param name="category">Its category, normalised like <see cref="ConsentPurpose"/> codes (e.g. <c>credit-card</c>).</param>
    /// <param name="openedOn">The business date it was opened.</param>
    /// <param name="at">When it was recorded.</param>
    /// <returns>The new holding.</returns>
    /// <exception cref="ArgumentException"><paramref name="productId"/> is the uninitialised default or <paramref name="category"/> is not a valid code.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="category"/> is null.</exception>
    /// <exception cref="ProductHoldingException">The customer already holds the product (close it first to hold it again).</exception>
    public ProductHolding OpenProduct(ProductId productId, string category, LocalDate openedOn, Instant at)
    {
        Preconditions.CheckNotDefault(productId);
        var code = Token.Normalize(category, nameof(category), "product category");
        if (_holdings.Exists(h => h.ProductId == productId && h.IsOpen))
        {
            throw new ProductHoldingException(Id, productId,
                $"Customer '{Id}' already holds product '{productId}': close the current holding before opening it again.");
        }
        var holding = new ProductHolding(productId, code, openedOn, null, HoldingStatus.Active);
        _holdings.Add(holding);
        HoldingChanged(holding, at);
        return holding;
    }

    /// <summary>Suspends an open product (frozen card, paused subscription).</summary>
    /// <param name="productId">The product.</param>
    /// <param name="at">When.</param>
    /// <returns>The updated holding.</returns>
    /// <exception cref="ArgumentException"><paramref name="productId"/> is the uninitialised default.</exception>
    /// <exception cref="ProductHoldingException">The customer does not hold the product, or it is already suspended.</exception>
    public ProductHolding SuspendProduct(ProductId productId, Instant at) =>
        ChangeHolding(productId, HoldingStatus.Active, h => h with { Status = HoldingStatus.Suspended }, at);

    /// <summary>Reactivates a suspended product.</summary>
    /// <param name="productId">The product.</param>
    /// <param name="at">When.</param>
    /// <returns>The updated holding.</returns>
    /// <exception cref="ArgumentException"><paramref name="productId"/> is the uninitialised default.</exception>
    /// <exception cref="ProductHoldingException">The customer does not hold the product, or it is not suspended.</exception>
    public ProductHolding ReactivateProduct(ProductId productId, Instant at) =>
        ChangeHolding(productId, HoldingStatus.Suspended, h => h with { Status = HoldingStatus.Active }, at);

    /// <summary>Closes a held product.</summary>
    /// <param name="productId">The product.</param>
    /// <param name="closedOn">The business date it was closed; not before it was opened.</param>
    /// <param name="at">When it was recorded.</param>
    /// <returns>The closed holding.</returns>
    /// <exception cref="ArgumentException"><paramref name="productId"/> is the uninitialised default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="closedOn"/> is before the opening date.</exception>
    /// <exception cref="ProductHoldingException">The customer does not hold the product.</exception>
    public ProductHolding CloseProduct(ProductId productId, LocalDate closedOn, Instant at)
    {
        Preconditions.CheckNotDefault(productId);
        var index = IndexOfOpenHolding(productId);
        var holding = _holdings[index];
        if (closedOn < holding.OpenedOn)
        {
            throw new ArgumentOutOfRangeException(nameof(closedOn), "A product cannot be closed before the date it was opened.");
        }
        var closed = holding with { Status = HoldingStatus.Closed, ClosedOn = closedOn };
        _holdings[index] = closed;
        HoldingChanged(closed, at);
        return closed;
    }

    /// <summary>How many products the customer held on <paramref name="date"/>.</summary>
    /// <param name="date">The business date.</param>
    public int ProductsHeldOn(LocalDate date) => _holdings.Count(h => h.WasHeldOn(date));

    private ProductHolding ChangeHolding(ProductId productId, HoldingStatus requiredStatus, Func<ProductHolding, ProductHolding> change, Instant at)
    {
        Preconditions.CheckNotDefault(productId);
        var index = IndexOfOpenHolding(productId);
        if (_holdings[index].Status != requiredStatus)
        {
            throw new ProductHoldingException(Id, productId,
                $"Product '{productId}' of customer '{Id}' is {_holdings[index].Status}, not {requiredStatus}: check ProductHoldings before changing it.");
        }
        var changed = change(_holdings[index]);
        _holdings[index] = changed;
        HoldingChanged(changed, at);
        return changed;
    }

    private int IndexOfOpenHolding(ProductId productId)
    {
        var index = _holdings.FindIndex(h => h.ProductId == productId && h.IsOpen);
        return index >= 0
            ? index
            : throw new ProductHoldingException(Id, productId, $"Customer '{Id}' does not hold product '{productId}': open it first (closed holdings cannot change).");
    }

    private void HoldingChanged(ProductHolding holding, Instant at)
    {
        Touch(at);
        Raise(new ProductHoldingChanged(Id, holding.ProductId, holding.Category, holding.Status, at));
    }
}
