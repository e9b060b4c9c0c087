using NodaTime;

namespace Crm.Core;

/// <summary>
/// Instant and calendar arithmetic that stops at the ends of NodaTime's range instead of throwing. Expiry dates, tier
/// windows and hold periods are computed from instants a caller passes in; one near the end of time (or
/// <see cref="Instant.MaxValue"/> as "never") must give "never" rather than an exception after half an operation.
/// </summary>
internal static class TimeEdges
{
    /// <summary><paramref name="start"/> + <paramref name="length"/>, clamped to [<see cref="Instant.MinValue"/>, <see cref="Instant.MaxValue"/>].</summary>
    public static Instant Plus(Instant start, Duration length)
    {
        // Compared as durations: the room left before either end always fits in one, whereas Duration.MaxValue is
        // longer than the whole instant range, so Instant.MaxValue - length would itself overflow.
        if (length >= Duration.Zero)
        {
            return length > Instant.MaxValue - start ? Instant.MaxValue : start + length;
        }
        return length < Instant.MinValue - start ? Instant.MinValue : start + length;
    }

    /// <summary>
    /// The start of the first day of the month <paramref name="monthsAhead"/> months after (<paramref name="year"/>,
    /// <paramref name="month"/>) in <paramref name="zone"/>, or <see cref="Instant.MaxValue"/> (<see cref="Instant.MinValue"/>)
    /// when that lies beyond the calendar's last (before its first) year.
    /// </summary>
    public static Instant StartOfMonth(DateTimeZone zone, int year, int month, int monthsAhead)
    {
        // Months counted from year 0 (negative years count down, so floor division keeps the month in 0..11).
        var index = ((long)year * 12) + (month - 1) + monthsAhead;
        var targetYear = Math.DivRem(index, 12, out var monthIndex);
        if (monthIndex < 0)
        {
            targetYear--;
            monthIndex += 12;
        }
        if (targetYear > LastYear)
        {
            return Instant.MaxValue;
        }
        if (targetYear < FirstYear)
        {
            return Instant.MinValue;
        }
        return StartOfDay(zone, new LocalDate((int)targetYear, (int)monthIndex + 1, 1));
    }

    /// <summary>
    /// The local date of <paramref name="at"/> in <paramref name="zone"/>; within a day of either end of time, where a
    /// zone's local date could lie outside the calendar, the UTC date.
    /// </summary>
    public static LocalDate DateOf(Instant at, DateTimeZone zone) =>
        at < StartOfCalendar || at >= EndOfCalendar ? at.InUtc().Date : at.InZone(zone).Date;

    private static Instant StartOfDay(DateTimeZone zone, LocalDate date)
    {
        // The calendar's first month may start before the instant range in zones east of UTC: it counts as the start of
        // time. (At the other end only January 10000 is out of range, and StartOfMonth already answers it.)
        if (date.Year == FirstYear && date.Month == 1)
        {
            return Instant.MinValue;
        }
        return zone.AtStartOfDay(date).ToInstant();
    }

    private const int FirstYear = -9998;
    private const int LastYear = 9999;

    // A day after the start and a day before the end of time: every zone's local date is inside the calendar between them.
    private static readonly Instant StartOfCalendar = Instant.FromUtc(FirstYear, 1, 2, 0, 0);
    private static readonly Instant EndOfCalendar = Instant.FromUtc(LastYear, 12, 30, 0, 0);
}
