using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Conversions;

// SQLite has no date/time types. Each NodaTime value is stored as an integer whose order is the value's order, so
// that range filters and ORDER BY run in the database and agree with the in-memory store. PostgreSQL uses the
// Npgsql NodaTime plugin (timestamptz, date, interval) instead.

/// <summary>An <see cref="Instant"/> as 100-nanosecond ticks since the Unix epoch (the full Instant range fits in 64 bits).</summary>
internal sealed class InstantTicksConverter : ValueConverter<Instant, long>
{
    public InstantTicksConverter()
        : base(i => i.ToUnixTimeTicks(), t => Instant.FromUnixTimeTicks(t))
    {
    }
}

/// <summary>A <see cref="LocalDate"/> (ISO calendar) as days since 1970-01-01.</summary>
internal sealed class LocalDateDaysConverter : ValueConverter<LocalDate, int>
{
    public LocalDateDaysConverter()
        : base(d => SqliteNodaTime.ToEpochDay(d), n => SqliteNodaTime.FromEpochDay(n))
    {
    }
}

/// <summary>A <see cref="LocalDateTime"/> (ISO calendar) as 100-nanosecond ticks since 1970-01-01T00:00.</summary>
internal sealed class LocalDateTimeTicksConverter : ValueConverter<LocalDateTime, long>
{
    public LocalDateTimeTicksConverter()
        : base(d => SqliteNodaTime.ToTicks(d), n => SqliteNodaTime.FromTicks(n))
    {
    }
}

/// <summary>A <see cref="Duration"/> as 100-nanosecond ticks.</summary>
internal sealed class DurationTicksConverter : ValueConverter<Duration, long>
{
    public DurationTicksConverter()
        : base(d => d.BclCompatibleTicks, n => Duration.FromTicks(n))
    {
    }
}

/// <summary>A <see cref="Period"/> as its ISO text (periods have no total order, so text loses nothing).</summary>
internal sealed class PeriodTextConverter : ValueConverter<Period, string>
{
    public PeriodTextConverter()
        : base(p => NodaTime.Text.PeriodPattern.Roundtrip.Format(p), s => NodaTime.Text.PeriodPattern.Roundtrip.Parse(s).Value)
    {
    }
}

/// <summary>A <see cref="DateTimeZone"/> as its tz database id (both providers).</summary>
internal sealed class DateTimeZoneIdConverter : ValueConverter<DateTimeZone, string>
{
    public DateTimeZoneIdConverter()
        : base(z => z.Id, id => DateTimeZoneProviders.Tzdb[id])
    {
    }
}

internal static class SqliteNodaTime
{
    private static readonly LocalDate Epoch = new(1970, 1, 1);
    private static readonly LocalDateTime EpochDateTime = new(1970, 1, 1, 0, 0);

    public static int ToEpochDay(LocalDate date) => Period.DaysBetween(Epoch, date.WithCalendar(CalendarSystem.Iso));

    public static LocalDate FromEpochDay(int days) => Epoch.PlusDays(days);

    public static long ToTicks(LocalDateTime value) =>
        (value.WithCalendar(CalendarSystem.Iso).InUtc().ToInstant() - EpochDateTime.InUtc().ToInstant()).BclCompatibleTicks;

    public static LocalDateTime FromTicks(long ticks) => EpochDateTime.InUtc().ToInstant().Plus(Duration.FromTicks(ticks)).InUtc().LocalDateTime;
}
