using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Segmentation;

/// <summary>The kind of operand a <see cref="RuleValue"/> holds.</summary>
public enum RuleValueKind
{
    /// <summary>Text.</summary>
    Text = 0,

    /// <summary>A number (decimal).</summary>
    Number = 1,

    /// <summary>A boolean.</summary>
    Boolean = 2,

    /// <summary>A fixed calendar date.</summary>
    Date = 3,

    /// <summary>A date relative to the evaluation date (today, N days ago, start/end of last month...).</summary>
    RelativeDate = 4,

    /// <summary>A calendar period relative to the evaluation date (this week, last month, next year...).</summary>
    Period = 5,
}

/// <summary>The calendar unit of a relative date or period.</summary>
public enum CalendarUnit
{
    /// <summary>Days.</summary>
    Day = 0,

    /// <summary>ISO weeks, Monday to Sunday.</summary>
    Week = 1,

    /// <summary>Calendar months.</summary>
    Month = 2,

    /// <summary>Calendar years.</summary>
    Year = 3,
}

/// <summary>Which end of a period a relative date names.</summary>
public enum PeriodEdge
{
    /// <summary>The first day.</summary>
    Start = 0,

    /// <summary>The last day.</summary>
    End = 1,
}

/// <summary>
/// An operand of a condition: text, number, boolean, date, relative date or period. Relative values are
/// resolved to fixed dates when a rule is compiled for an evaluation date, so the compiled tree holds only
/// constants (translatable, and identical in memory and in the database).
/// </summary>
/// <remarks>Immutable; value equality.</remarks>
public sealed record RuleValue
{
    private RuleValue(RuleValueKind kind) => Kind = kind;

    /// <summary>Which operand this is.</summary>
    public RuleValueKind Kind { get; }

    /// <summary>The text, for <see cref="RuleValueKind.Text"/>.</summary>
    public string? Text { get; private init; }

    /// <summary>The number, for <see cref="RuleValueKind.Number"/>.</summary>
    public decimal Number { get; private init; }

    /// <summary>The flag, for <see cref="RuleValueKind.Boolean"/>.</summary>
    public bool Flag { get; private init; }

    /// <summary>The date, for <see cref="RuleValueKind.Date"/>.</summary>
    public LocalDate Date { get; private init; }

    /// <summary>The unit, for relative dates and periods (<see cref="CalendarUnit.Day"/> for "N days ago").</summary>
    public CalendarUnit Unit { get; private init; }

    /// <summary>Offset in <see cref="Unit"/>s from the current one: -1 = last, 0 = this, +1 = next; for days, negative = ago.</summary>
    public int Offset { get; private init; }

    /// <summary>For week/month/year relative dates: the start or end of the period.</summary>
    public PeriodEdge Edge { get; private init; }

    /// <summary>A text operand.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static RuleValue Of(string value) => new(RuleValueKind.Text) { Text = Preconditions.CheckNotNull(value) };

    /// <summary>A number operand.</summary>
    public static RuleValue Of(decimal value) => new(RuleValueKind.Number) { Number = value };

    /// <summary>A boolean operand.</summary>
    public static RuleValue Of(bool value) => new(RuleValueKind.Boolean) { Flag = value };

    /// <summary>A fixed date operand.</summary>
    public static RuleValue Of(LocalDate value) => new(RuleValueKind.Date) { Date = value };

    /// <summary>The evaluation date itself.</summary>
    public static RuleValue Today { get; } = new(RuleValueKind.RelativeDate) { Unit = CalendarUnit.Day };

    /// <summary>The date <paramref name="days"/> days before the evaluation date.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is outside 0..36500.</exception>
    public static RuleValue DaysAgo(int days) => new(RuleValueKind.RelativeDate) { Unit = CalendarUnit.Day, Offset = -Preconditions.CheckArgumentRange(nameof(days), days, 0, MaxDays) };

    /// <summary>The date <paramref name="days"/> days after the evaluation date.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is outside 0..36500.</exception>
    public static RuleValue DaysFromNow(int days) => new(RuleValueKind.RelativeDate) { Unit = CalendarUnit.Day, Offset = Preconditions.CheckArgumentRange(nameof(days), days, 0, MaxDays) };

    /// <summary>The first day of a week/month/year relative to the current one (offset -1 = last, 0 = this, 1 = next).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unit"/> is not week, month or year, or <paramref name="offset"/> is outside ±1000.</exception>
    public static RuleValue StartOf(CalendarUnit unit, int offset = 0) => Edged(unit, offset, PeriodEdge.Start);

    /// <summary>The last day of a week/month/year relative to the current one (offset -1 = last, 0 = this, 1 = next).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unit"/> is not week, month or year, or <paramref name="offset"/> is outside ±1000.</exception>
    public static RuleValue EndOf(CalendarUnit unit, int offset = 0) => Edged(unit, offset, PeriodEdge.End);

    /// <summary>A whole week/month/year relative to the current one, for <see cref="RuleOperator.InPeriod"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unit"/> is not week, month or year, or <paramref name="offset"/> is outside ±1000.</exception>
    public static RuleValue Period(CalendarUnit unit, int offset = 0)
    {
        CheckPeriodUnit(unit, offset);
        return new RuleValue(RuleValueKind.Period) { Unit = unit, Offset = offset };
    }

    /// <summary>A text operand.</summary>
    public static implicit operator RuleValue(string value) => Of(value);

    /// <summary>A number operand.</summary>
    public static implicit operator RuleValue(decimal value) => Of(value);

    /// <summary>A number operand.</summary>
    public static implicit operator RuleValue(int value) => Of(value);

    /// <summary>A boolean operand.</summary>
    public static implicit operator RuleValue(bool value) => Of(value);

    /// <summary>A fixed date operand.</summary>
    public static implicit operator RuleValue(LocalDate value) => Of(value);

    /// <summary>Resolves a date operand (fixed or relative) for an evaluation date.</summary>
    /// <param name="today">The evaluation date in the business time zone.</param>
    /// <exception cref="InvalidOperationException">This is not a date operand.</exception>
    public LocalDate ResolveDate(LocalDate today) => Kind switch
    {
        RuleValueKind.Date => Date,
        RuleValueKind.RelativeDate when Unit == CalendarUnit.Day => today.PlusDays(Offset),
        RuleValueKind.RelativeDate => Edge == PeriodEdge.Start ? PeriodStart(Unit, Offset, today) : PeriodEnd(Unit, Offset, today),
        _ => throw new InvalidOperationException($"A {Kind} operand is not a date."),
    };

    /// <summary>The first and last day of a <see cref="RuleValueKind.Period"/> operand for an evaluation date.</summary>
    /// <param name="today">The evaluation date in the business time zone.</param>
    /// <exception cref="InvalidOperationException">This is not a period operand.</exception>
    public (LocalDate First, LocalDate Last) ResolvePeriod(LocalDate today) => Kind == RuleValueKind.Period
        ? (PeriodStart(Unit, Offset, today), PeriodEnd(Unit, Offset, today))
        : throw new InvalidOperationException($"A {Kind} operand is not a period.");

    /// <summary>A short invariant text form, as used in explanations (e.g. <c>42</c>, <c>2024-02-29</c>, <c>30 days ago</c>).</summary>
    public override string ToString() => Kind switch
    {
        RuleValueKind.Text => Text!,
        RuleValueKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        RuleValueKind.Boolean => Flag ? "true" : "false",
        RuleValueKind.Date => LocalDatePattern.Iso.Format(Date),
        RuleValueKind.RelativeDate when Unit == CalendarUnit.Day => Offset == 0 ? "today" : Offset < 0 ? $"{-Offset} days ago" : $"{Offset} days from now",
        RuleValueKind.RelativeDate => $"{(Edge == PeriodEdge.Start ? "start" : "end")} of {Unit.ToString().ToLowerInvariant()} {Offset:+0;-0;0}",
        _ => $"{Unit.ToString().ToLowerInvariant()} {Offset:+0;-0;0}",
    };

    internal const int MaxDays = 36_500;
    internal const int MaxPeriodOffset = 1000;

    private static RuleValue Edged(CalendarUnit unit, int offset, PeriodEdge edge)
    {
        CheckPeriodUnit(unit, offset);
        return new RuleValue(RuleValueKind.RelativeDate) { Unit = unit, Offset = offset, Edge = edge };
    }

    private static void CheckPeriodUnit(CalendarUnit unit, int offset)
    {
        if (unit is not (CalendarUnit.Week or CalendarUnit.Month or CalendarUnit.Year))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "A period is a week, month or year; use DaysAgo/DaysFromNow for days.");
        }
        Preconditions.CheckArgumentRange(nameof(offset), offset, -MaxPeriodOffset, MaxPeriodOffset);
    }

    private static LocalDate PeriodStart(CalendarUnit unit, int offset, LocalDate today) => unit switch
    {
        // ISO weeks start on Monday whatever the host culture says, so rules mean the same everywhere.
        CalendarUnit.Week => today.PlusDays(-((int)today.DayOfWeek - 1)).PlusWeeks(offset),
        CalendarUnit.Month => new LocalDate(today.Year, today.Month, 1).PlusMonths(offset),
        _ => new LocalDate(today.Year, 1, 1).PlusYears(offset),
    };

    private static LocalDate PeriodEnd(CalendarUnit unit, int offset, LocalDate today) => unit switch
    {
        CalendarUnit.Week => PeriodStart(unit, offset, today).PlusDays(6),
        CalendarUnit.Month => PeriodStart(unit, offset, today).PlusMonths(1).PlusDays(-1),
        _ => PeriodStart(unit, offset, today).PlusYears(1).PlusDays(-1),
    };
}
