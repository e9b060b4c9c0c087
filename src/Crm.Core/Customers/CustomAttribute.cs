using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Customers;

/// <summary>The type of a custom attribute's value.</summary>
public enum AttributeKind
{
    /// <summary>Free text.</summary>
    Text = 1,

    /// <summary>A decimal number.</summary>
    Number = 2,

    /// <summary>Yes or no.</summary>
    Boolean = 3,

    /// <summary>A calendar date (<see cref="LocalDate"/>).</summary>
    Date = 4,

    /// <summary>An amount of <see cref="Crm.Core.Money"/>.</summary>
    Money = 5,
}

/// <summary>
/// The typed value of a custom attribute: text, number, boolean, date or money. Create with <see cref="OfText"/>,
/// <see cref="OfNumber"/>, <see cref="OfBoolean"/>, <see cref="OfDate"/> or <see cref="OfMoney"/>, read with the
/// matching <c>As…</c> accessor.
/// </summary>
/// <remarks>
/// A closed set of types, so that stores and segment criteria can index and compare values without reflection.
/// Equality compares the kind and the value. <see cref="ToString"/> shows the kind only (a value may be personal data).
/// Immutable and thread-safe.
/// </remarks>
public sealed record AttributeValue
{
    /// <summary>The longest text value accepted.</summary>
    public const int MaxTextLength = 2000;

    private readonly string? _text;
    private readonly decimal _number;
    private readonly bool _boolean;
    private readonly LocalDate _date;
    private readonly Money _money;

    private AttributeValue(AttributeKind kind, string? text = null, decimal number = 0m, bool boolean = false, LocalDate date = default, Money money = default)
    {
        Kind = kind;
        _text = text;
        _number = number;
        _boolean = boolean;
        _date = date;
        _money = money;
    }

    /// <summary>The type of the value.</summary>
    public AttributeKind Kind { get; }

    /// <summary>A text value (trimmed; inner white space kept as given).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is longer than <see cref="MaxTextLength"/> characters.</exception>
    public static AttributeValue OfText(string value)
    {
        Preconditions.CheckNotNull(value);
        var trimmed = value.Trim();
        Preconditions.CheckArgument(trimmed.Length <= MaxTextLength, nameof(value), $"A text attribute must have at most {MaxTextLength} characters.");
        return new AttributeValue(AttributeKind.Text, text: trimmed);
    }

    /// <summary>A number value.</summary>
    public static AttributeValue OfNumber(decimal value) => new(AttributeKind.Number, number: value);

    /// <summary>A boolean value.</summary>
    public static AttributeValue OfBoolean(bool value) => new(AttributeKind.Boolean, boolean: value);

    /// <summary>A date value.</summary>
    public static AttributeValue OfDate(LocalDate value) => new(AttributeKind.Date, date: value);

    /// <summary>A money value.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is the uninitialised default.</exception>
    public static AttributeValue OfMoney(Money value)
    {
        Preconditions.CheckArgument(!value.Currency.IsDefault, nameof(value), "The money value needs a currency.");
        return new AttributeValue(AttributeKind.Money, money: value);
    }

    /// <summary>
    /// The value boxed as its natural type: <see cref="string"/>, <see cref="decimal"/>, <see cref="bool"/>,
    /// <see cref="LocalDate"/> or <see cref="Crm.Core.Money"/> according to <see cref="Kind"/>. For generic consumers
    /// (segment criteria, exports); typed code uses the <c>As…</c> accessors.
    /// </summary>
    public object Value => Kind switch
    {
        AttributeKind.Text => _text!,
        AttributeKind.Number => _number,
        AttributeKind.Boolean => _boolean,
        AttributeKind.Date => _date,
        _ => _money,
    };

    /// <summary>The text value.</summary>
    /// <exception cref="InvalidOperationException">The value is not text; check <see cref="Kind"/> first.</exception>
    public string AsText() => Kind == AttributeKind.Text ? _text! : throw WrongKind(AttributeKind.Text);

    /// <summary>The number value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a number; check <see cref="Kind"/> first.</exception>
    public decimal AsNumber() => Kind == AttributeKind.Number ? _number : throw WrongKind(AttributeKind.Number);

    /// <summary>The boolean value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a boolean; check <see cref="Kind"/> first.</exception>
    public bool AsBoolean() => Kind == AttributeKind.Boolean ? _boolean : throw WrongKind(AttributeKind.Boolean);

    /// <summary>The date value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a date; check <see cref="Kind"/> first.</exception>
    public LocalDate AsDate() => Kind == AttributeKind.Date ? _date : throw WrongKind(AttributeKind.Date);

    /// <summary>The money value.</summary>
    /// <exception cref="InvalidOperationException">The value is not money; check <see cref="Kind"/> first.</exception>
    public Money AsMoney() => Kind == AttributeKind.Money ? _money : throw WrongKind(AttributeKind.Money);

    /// <summary>The value as invariant text (ISO dates, <c>12.50 EUR</c>): for export and display where the data may be shown.</summary>
    public string FormatValue() => Kind switch
    {
        AttributeKind.Text => _text!,
        AttributeKind.Number => _number.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Boolean => _boolean ? "true" : "false",
        AttributeKind.Date => LocalDatePattern.Iso.Format(_date),
        _ => _money.ToString(),
    };

    /// <summary>Only the kind, e.g. <c>Text value</c>.</summary>
    public override string ToString() => $"{Kind} value";

    private AttributeTypeMismatchException WrongKind(AttributeKind requested) => new(Kind, requested);
}

/// <summary>A named custom attribute of a customer, with a flag saying whether its value is personal data.</summary>
/// <remarks>
/// Personal-data attributes are what a host must include in a subject-access export and erase on request; they
/// are never shown by <see cref="ToString"/>. Names are compared ignoring case.
/// </remarks>
public sealed record CustomAttribute
{
    internal CustomAttribute(string name, AttributeValue value, bool isPersonalData, Instant updatedAt)
    {
        Name = name;
        Value = value;
        IsPersonalData = isPersonalData;
        UpdatedAt = updatedAt;
    }

    /// <summary>The attribute name (1-64 characters, no control characters).</summary>
    public string Name { get; }

    /// <summary>The typed value.</summary>
    public AttributeValue Value { get; }

    /// <summary>Whether the value identifies or describes the person (GDPR personal data).</summary>
    public bool IsPersonalData { get; }

    /// <summary>When the value was last set.</summary>
    public Instant UpdatedAt { get; }

    /// <summary>The name and kind, e.g. <c>shoe-size: Number value (personal data)</c>.</summary>
    public override string ToString() => $"{Name}: {Value}" + (IsPersonalData ? " (personal data)" : string.Empty);
}

/// <summary>Thrown when a custom attribute's value is read as a different type than it holds.</summary>
public sealed class AttributeTypeMismatchException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="actual">The kind of value held.</param>
    /// <param name="requested">The kind that was asked for.</param>
    public AttributeTypeMismatchException(AttributeKind actual, AttributeKind requested)
        : base($"The attribute holds a {actual} value, not a {requested} value: check AttributeValue.Kind before reading it.")
    {
        Actual = actual;
        Requested = requested;
    }

    /// <summary>The kind of value held.</summary>
    public AttributeKind Actual { get; }

    /// <summary>The kind that was asked for.</summary>
    public AttributeKind Requested { get; }
}
