using Crm.Core.Customers;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Rfm;

/// <summary>
/// Collects purchase rows one at a time (e.g. while streaming a CSV export) and computes the RFM result at the end.
/// Memory grows with distinct customers and transactions, never with the number of rows, and the rows of one order
/// may arrive far apart.
/// </summary>
/// <remarks>
/// Rows dated after the as-of date, or on or before as-of − window, are ignored. Rows sharing a customer and
/// transaction id are one transaction (amount summed, latest date); a row without transaction id is a transaction
/// of its own. Every row must be in the same currency; a row that breaks this throws and is not applied.
/// Not thread-safe: feed it from one thread.
/// </remarks>
public sealed class RfmAccumulator
{
    private readonly ExactAggregator<CustomerId, TransactionId> _aggregator = new();
    private readonly int _firstDay;
    private readonly int _lastDay;
    private Currency? _currency;

    /// <summary>Creates an accumulator for the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options' parts disagree (segment map or thresholds for another number of bins).</exception>
    public RfmAccumulator(RfmOptions options)
    {
        Preconditions.CheckNotNull(options);
        options.Validate(nameof(options));
        Options = options;
        _firstDay = options.FirstDay;
        _lastDay = options.LastDay;
    }

    /// <summary>The options in effect.</summary>
    public RfmOptions Options { get; }

    /// <summary>The currency of the rows so far, or null before the first row.</summary>
    public Currency? Currency => _currency;

    /// <summary>Adds a row dated by a local date.</summary>
    /// <param name="customer">The customer.</param>
    /// <param name="transaction">The order the row belongs to, or null when the row is a transaction of its own.</param>
    /// <param name="date">The row's date (ISO calendar).</param>
    /// <param name="amount">The row's amount; negative for returns.</param>
    /// <returns>Whether the row lies inside the window and counted.</returns>
    /// <exception cref="ArgumentException">An id is the uninitialised default, the amount has no currency or the date is not ISO.</exception>
    /// <exception cref="RfmCurrencyMismatchException">The amount's currency differs from earlier rows'.</exception>
    public bool Add(CustomerId customer, TransactionId? transaction, LocalDate date, Money amount)
    {
        Preconditions.CheckNotDefault(customer);
        if (transaction is { } t)
        {
            Preconditions.CheckNotDefault(t, nameof(transaction));
        }
        Preconditions.CheckArgument(!amount.Currency.IsDefault, nameof(amount), "The amount needs a currency.");
        Preconditions.CheckArgument(date.Calendar == CalendarSystem.Iso, nameof(date), "Dates must be in the ISO calendar; convert with WithCalendar(CalendarSystem.Iso).");
        if (_currency is { } expected && expected != amount.Currency)
        {
            throw new RfmCurrencyMismatchException(expected, amount.Currency, customer.Value, transaction?.Value);
        }
        _currency ??= amount.Currency;
        var day = EpochDays.FromDate(date);
        if (day < _firstDay || day > _lastDay)
        {
            return false;
        }
        _aggregator.Add(customer, transaction ?? default, transaction is not null, day, amount.Amount);
        return true;
    }

    /// <summary>Adds a row dated by an instant; its date is taken in <see cref="RfmOptions.Zone"/>.</summary>
    /// <inheritdoc cref="Add(CustomerId, TransactionId?, LocalDate, Money)"/>
    public bool Add(CustomerId customer, TransactionId? transaction, Instant occurredAt, Money amount) =>
        Add(customer, transaction, occurredAt.InZone(Options.Zone).Date, amount);

    /// <summary>Computes the result from the rows so far: customers sorted by id (ordinal). More rows may be added afterwards.</summary>
    public RfmResult<CustomerId> ToResult() =>
        _aggregator.Build(Comparer<CustomerId>.Default).ToResult(Options, _currency);
}
