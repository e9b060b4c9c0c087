using NodaTime;

namespace Crm.Core.Tests.Primitives;

public class TimeEdgesTest
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    [Theory]
    [InlineData(2026, 11, 3, 2027, 2)]
    [InlineData(2026, 1, -1, 2025, 12)]
    [InlineData(2026, 1, -13, 2024, 12)]
    [InlineData(-5, 3, -3, -6, 12)]
    [InlineData(-5, 11, 2, -4, 1)]
    public void Months_ahead_and_behind_land_on_the_first_of_the_month(int year, int month, int ahead, int expectedYear, int expectedMonth)
    {
        var start = TimeEdges.StartOfMonth(Berlin, year, month, ahead);

        Assert.Equal(Berlin.AtStartOfDay(new LocalDate(expectedYear, expectedMonth, 1)).ToInstant(), start);
    }

    [Fact]
    public void The_ends_of_time_saturate()
    {
        Assert.Equal(Berlin.AtStartOfDay(new LocalDate(9999, 12, 1)).ToInstant(), TimeEdges.StartOfMonth(Berlin, 9999, 11, 1));
        Assert.Equal(Instant.MaxValue, TimeEdges.StartOfMonth(Berlin, 9999, 12, 1));
        Assert.Equal(Instant.MinValue, TimeEdges.StartOfMonth(DateTimeZoneProviders.Tzdb["Pacific/Kiritimati"], -9998, 1, 0));
        Assert.Equal(Instant.MaxValue, TimeEdges.StartOfMonth(Berlin, 9999, 1, 12));
        Assert.Equal(Instant.MaxValue, TimeEdges.Plus(Instant.MaxValue - Duration.FromDays(1), Duration.FromDays(2)));
        Assert.Equal(Instant.MinValue, TimeEdges.Plus(Instant.MinValue + Duration.FromDays(1), -Duration.FromDays(2)));
        Assert.Equal(Instant.MaxValue, TimeEdges.Plus(Instant.FromUtc(2026, 1, 1, 0, 0), Duration.MaxValue));
        Assert.Equal(Instant.MinValue, TimeEdges.Plus(Instant.FromUtc(2026, 1, 1, 0, 0), Duration.MinValue));
        Assert.Equal(new LocalDate(9999, 12, 31), TimeEdges.DateOf(Instant.MaxValue, Berlin));
        Assert.Equal(new LocalDate(2026, 12, 8), TimeEdges.DateOf(Instant.FromUtc(2026, 12, 7, 23, 30), Berlin));
    }
}
