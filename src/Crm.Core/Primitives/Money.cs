using System.Globalization;

namespace Crm.Core;

/// <summary>
/// An exact amount of money in one currency: a <see cref="decimal"/> amount and an ISO 4217 <see cref="Currency"/>.
/// </summary>
/// <remarks>
/// Money is never a <see cref="double"/>: binary floating point cannot represent 0.10 exactly, and loyalty
/// points, refunds and revenue shares must add up to the cent. Arithmetic and comparison across different
/// currencies throw <see cref="CurrencyMismatchException"/> rather than silently mixing them; convert first.
/// Equality compares the amount numerically (1.0 EUR equals 1.00 EUR) and the currency ordinally.
/// Immutable and thread-safe.
/// </remarks>
public readonly record struct Money : IComparable<Money>
{
    /// <summary>Creates an amount of money.</summary>
    /// <param name="amount">The amount; may be negative (refunds, adjustments).</param>
    /// <param name="currency">The currency; not <c>default</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="currency"/> is the uninitialised default.</exception>
    public Money(decimal amount, Currency currency)
    {
        if (currency.IsDefault)
        {
            throw new ArgumentException("A currency is required; use for example Currency.EUR or new Currency(\"EUR\").", nameof(currency));
        }
        Amount = amount;
        Currency = currency;
    }

    /// <summary>The amount.</summary>
    public decimal Amount { get; }

    /// <summary>The currency.</summary>
    public Currency Currency { get; }

    /// <summary>Zero in <paramref name="currency"/>.</summary>
    public static Money Zero(Currency currency) => new(0m, currency);

    /// <summary>Creates money from an amount and a currency code, e.g. <c>Money.Of(12.50m, "EUR")</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="currencyCode"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="currencyCode"/> is not a currency code.</exception>
    public static Money Of(decimal amount, string currencyCode)
    {
        Preconditions.CheckNotNull(currencyCode);
        Preconditions.CheckArgument(Currency.TryParse(currencyCode, out var currency), nameof(currencyCode),
            $"'{currencyCode}' is not an ISO 4217 currency code: use three letters such as EUR or USD.");
        return new Money(amount, currency);
    }

    /// <summary>Whether the amount is zero.</summary>
    public bool IsZero => Amount == 0m;

    /// <summary>Whether the amount is below zero.</summary>
    public bool IsNegative => Amount < 0m;

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public Money Plus(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(Amount + other.Amount, Currency);
    }

    /// <summary>Subtracts an amount of the same currency.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public Money Minus(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(Amount - other.Amount, Currency);
    }

    /// <summary>Multiplies the amount by <paramref name="factor"/> (quantities, rates); the result is not rounded.</summary>
    public Money Times(decimal factor) => new(Amount * factor, Currency);

    /// <summary>Rounds the amount to <paramref name="decimals"/> places with <paramref name="mode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decimals"/> is outside 0..28 or <paramref name="mode"/> is undefined.</exception>
    public Money Round(int decimals, MidpointRounding mode = MidpointRounding.ToEven)
    {
        Preconditions.CheckArgumentRange(nameof(decimals), decimals, 0, 28);
        Preconditions.CheckDefined(mode);
        return new Money(Math.Round(Amount, decimals, mode), Currency);
    }

    /// <summary>The same amount with the sign reversed.</summary>
    public Money Negate() => new(-Amount, Currency);

    /// <summary>The same amount in another currency (no conversion: use when re-labelling, e.g. after an external conversion).</summary>
    public Money WithCurrency(Currency currency) => new(Amount, currency);

    /// <summary>Compares amounts of the same currency.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        EnsureSameCurrency(other);
        return Amount.CompareTo(other.Amount);
    }

    /// <summary>Equal when the currencies are equal and the amounts are numerically equal.</summary>
    public bool Equals(Money other) => Currency.Equals(other.Currency) && Amount == other.Amount;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Currency, Amount);

    /// <summary>The amount in invariant culture followed by the code, e.g. <c>12.50 EUR</c>.</summary>
    public override string ToString() => $"{Amount.ToString(CultureInfo.InvariantCulture)} {Currency.Code}";

    /// <inheritdoc cref="Plus"/>
    public static Money operator +(Money left, Money right) => left.Plus(right);

    /// <inheritdoc cref="Minus"/>
    public static Money operator -(Money left, Money right) => left.Minus(right);

    /// <inheritdoc cref="Negate"/>
    public static Money operator -(Money money) => money.Negate();

    /// <inheritdoc cref="Times"/>
    public static Money operator *(Money money, decimal factor) => money.Times(factor);

    /// <inheritdoc cref="Times"/>
    public static Money operator *(decimal factor, Money money) => money.Times(factor);

    /// <summary>Whether <paramref name="left"/> is less than <paramref name="right"/>; same currency required.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is greater than <paramref name="right"/>; same currency required.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is less than or equal to <paramref name="right"/>; same currency required.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is greater than or equal to <paramref name="right"/>; same currency required.</summary>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    private void EnsureSameCurrency(Money other)
    {
        if (!Currency.Equals(other.Currency))
        {
            throw new CurrencyMismatchException(Currency, other.Currency);
        }
    }
}
