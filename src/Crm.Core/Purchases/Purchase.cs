using Crm.Core.Customers;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Purchases;

/// <summary>
/// A purchase or a refund: the fact stream that RFM, loyalty and lifecycle consume. Recorded once, never changed.
/// </summary>
/// <remarks>
/// A refund (return) is a transaction of its own with a negative <see cref="Total"/> that references the
/// original transaction through <see cref="OriginalTransactionId"/>. All lines share one currency.
/// </remarks>
public sealed class Purchase : AggregateRoot<TransactionId>
{
    private readonly PurchaseLine[] _lines;

    private Purchase(TransactionId id, CustomerId customerId, Instant occurredAt, Channel channel, PurchaseLine[] lines, Money total, TransactionId? originalTransactionId, TenantId? tenantId)
        : base(id, tenantId)
    {
        CustomerId = customerId;
        OccurredAt = occurredAt;
        Channel = channel;
        _lines = lines;
        Total = total;
        OriginalTransactionId = originalTransactionId;
    }

    // For storage adapters that materialise from rows (EF Core sets the mapped fields afterwards).
    private Purchase() => _lines = Array.Empty<PurchaseLine>();

    /// <summary>The transaction (order) id; unique in the host's sales system.</summary>
    public TransactionId TransactionId => Id;

    /// <summary>The customer who bought.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>When the purchase happened.</summary>
    public Instant OccurredAt { get; }

    /// <summary>Where it happened.</summary>
    public Channel Channel { get; }

    /// <summary>The lines; empty when only the total is known.</summary>
    public IReadOnlyList<PurchaseLine> Lines => _lines;

    /// <summary>The lines as the array itself, for hot loops (loyalty earning) that should not pay for interface calls. Never change it.</summary>
    internal PurchaseLine[] LineArray => _lines;

    /// <summary>The total: the sum of the lines, or the amount given when there are none. Negative for refunds.</summary>
    public Money Total { get; }

    /// <summary>For a refund or return: the transaction it refunds.</summary>
    public TransactionId? OriginalTransactionId { get; }

    /// <summary>Whether this transaction is a refund (its total is below zero).</summary>
    public bool IsRefund => Total.IsNegative;

    /// <summary>Records a purchase from its lines.</summary>
    /// <param name="transactionId">The host's transaction (order) id.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="channel">Where it happened.</param>
    /// <param name="lines">At least one line, all in one currency.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lines"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException">An id is default, there are no lines, the lines mix currencies, or they add up beyond decimal's range.</exception>
    public static Purchase Create(TransactionId transactionId, CustomerId customerId, Instant occurredAt, Channel channel, IEnumerable<PurchaseLine> lines, TenantId? tenantId = null)
        => CreateCore(transactionId, customerId, occurredAt, channel, lines, null, tenantId);

    /// <summary>Records a purchase known only by its total (no line detail), e.g. from a legacy export.</summary>
    /// <exception cref="ArgumentException">An id is default or the total has no currency.</exception>
    public static Purchase Create(TransactionId transactionId, CustomerId customerId, Instant occurredAt, Channel channel, Money total, TenantId? tenantId = null)
    {
        Validate(transactionId, customerId, channel);
        Preconditions.CheckArgument(!total.Currency.IsDefault, nameof(total), "The total needs a currency.");
        return new Purchase(transactionId, customerId, occurredAt, channel, Array.Empty<PurchaseLine>(), total, null, tenantId);
    }

    /// <summary>Records a refund (return) of an earlier transaction; its lines carry negative quantities.</summary>
    /// <param name="transactionId">The refund's own transaction id.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="occurredAt">When the refund happened.</param>
    /// <param name="channel">Where it happened.</param>
    /// <param name="originalTransactionId">The purchase being refunded.</param>
    /// <param name="lines">The returned lines (negative quantities), all in one currency.</param>
    /// <param name="tenantId">The tenant, when the host uses tenancy.</param>
    /// <exception cref="ArgumentException">The refund does not total below zero, refers to itself, or is otherwise invalid.</exception>
    public static Purchase CreateRefund(TransactionId transactionId, CustomerId customerId, Instant occurredAt, Channel channel, TransactionId originalTransactionId, IEnumerable<PurchaseLine> lines, TenantId? tenantId = null)
    {
        Preconditions.CheckNotDefault(originalTransactionId);
        Preconditions.CheckArgument(originalTransactionId != transactionId, nameof(originalTransactionId), "A refund must have its own transaction id, different from the purchase it refunds.");
        var refund = CreateCore(transactionId, customerId, occurredAt, channel, lines, originalTransactionId, tenantId);
        Preconditions.CheckArgument(refund.Total.IsNegative, nameof(lines), "A refund must total below zero: give returned lines negative quantities.");
        return refund;
    }

    /// <summary>
    /// The same transaction, now of <paramref name="customerId"/> (a merge moves purchases to the survivor). It is a new,
    /// unsaved aggregate: remove this one and add the copy in one unit of work, which replaces the stored one.
    /// </summary>
    internal Purchase MovedTo(CustomerId customerId) =>
        new(Id, customerId, OccurredAt, Channel, _lines, Total, OriginalTransactionId, TenantId);

    /// <inheritdoc/>
    protected override AggregateRoot<TransactionId> CreateCopy() =>
        new Purchase(Id, CustomerId, OccurredAt, Channel, _lines, Total, OriginalTransactionId, TenantId); // lines are immutable records: shared safely

    private static Purchase CreateCore(TransactionId transactionId, CustomerId customerId, Instant occurredAt, Channel channel, IEnumerable<PurchaseLine> lines, TransactionId? original, TenantId? tenantId)
    {
        Validate(transactionId, customerId, channel);
        Preconditions.CheckNotNull(lines);
        var array = lines.ToArray();
        Preconditions.CheckArgument(array.Length > 0, nameof(lines), "A purchase needs at least one line; use the overload taking a total when there is no line detail.");
        Preconditions.CheckArgument(Array.TrueForAll(array, l => l is not null), nameof(lines), "Lines must not contain null.");
        var currency = array[0].Amount.Currency;
        var total = 0m;
        foreach (var line in array)
        {
            Preconditions.CheckArgument(line.Amount.Currency == currency, nameof(lines),
                $"All lines of one purchase must be in one currency; found {currency} and {line.Amount.Currency}.");
            var amount = line.Amount.Amount;
            Preconditions.CheckArgument(!Saturating.Overflows(total, amount), nameof(lines),
                "The lines add up to more than a purchase total can hold.");
            total += amount;
        }
        return new Purchase(transactionId, customerId, occurredAt, channel, array, new Money(total, currency), original, tenantId);
    }

    private static void Validate(TransactionId transactionId, CustomerId customerId, Channel channel)
    {
        Preconditions.CheckNotDefault(transactionId);
        Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckDefined(channel);
    }
}
