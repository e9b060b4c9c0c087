using Crm.Core.Customers;
using Crm.Core.Segmentation;
using Crm.Core.Testing;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class RelativeDateTest
{
    [Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]
    public bool Periods_tile_the_calendar(EvaluationDate date, int offsetSeed)
    {
        var today = date.Date;
        var offset = (offsetSeed % 5 + 5) % 5 - 2;
        foreach (var unit in new[] { CalendarUnit.Week, CalendarUnit.Month, CalendarUnit.Year })
        {
            var (first, last) = RuleValue.Period(unit, offset).ResolvePeriod(today);
            var (nextFirst, _) = RuleValue.Period(unit, offset + 1).ResolvePeriod(today);
            if (last.PlusDays(1) != nextFirst || first > last || RuleValue.StartOf(unit, offset).ResolveDate(today) != first || RuleValue.EndOf(unit, offset).ResolveDate(today) != last)
            {
                return false;
            }
        }
        var (weekStart, weekEnd) = RuleValue.Period(CalendarUnit.Week, 0).ResolvePeriod(today);
        var (monthStart, monthEnd) = RuleValue.Period(CalendarUnit.Month, 0).ResolvePeriod(today);
        return weekStart.DayOfWeek == IsoDayOfWeek.Monday && today >= weekStart && today <= weekEnd
            && monthStart.Day == 1 && monthEnd.PlusDays(1).Day == 1 && today >= monthStart && today <= monthEnd
            && RuleValue.DaysAgo(30).ResolveDate(today) == today.PlusDays(-30);
    }

    [Fact]
    public void Last_month_from_the_31st_and_leap_days()
    {
        Assert.Equal((new LocalDate(2024, 2, 1), new LocalDate(2024, 2, 29)), RuleValue.Period(CalendarUnit.Month, -1).ResolvePeriod(new LocalDate(2024, 3, 31)));
        Assert.Equal((new LocalDate(2023, 2, 1), new LocalDate(2023, 2, 28)), RuleValue.Period(CalendarUnit.Month, -1).ResolvePeriod(new LocalDate(2023, 3, 31)));
        Assert.Equal(new LocalDate(2024, 12, 31), RuleValue.EndOf(CalendarUnit.Year).ResolveDate(new LocalDate(2024, 2, 29)));
        Assert.Equal(new LocalDate(2025, 2, 28), RuleValue.EndOf(CalendarUnit.Month, 1).ResolveDate(new LocalDate(2025, 1, 31)));
    }

    [Theory]
    [InlineData(2023, 3, 1, 0, true)]   // no 29 February in 2023: celebrated on 1 March
    [InlineData(2023, 2, 28, 0, false)]
    [InlineData(2023, 2, 28, 1, true)]
    [InlineData(2024, 2, 29, 0, true)]
    [InlineData(2024, 3, 1, 0, false)]  // 2024 has its own 29 February
    [InlineData(2024, 12, 30, 70, true)] // the window crosses the year end
    [InlineData(2024, 12, 30, 5, false)]
    public void Leap_day_birthdays(int year, int month, int day, int withinDays, bool expected)
    {
        var profile = new CustomerProfile(new CustomerId("c")) { BirthDate = new LocalDate(1996, 2, 29) };
        var rule = new AnniversaryCondition(AnniversaryKind.Birthday, withinDays);
        var today = new LocalDate(year, month, day);
        Assert.Equal(expected, RuleCompiler.Default.Compile(rule, today).IsSatisfiedBy(profile));
        Assert.Equal(expected, RuleCompiler.Default.Explain(rule, profile, today).Matched);
    }

    [Fact]
    public void The_evaluation_date_is_taken_in_the_business_time_zone()
    {
        var profile = new CustomerProfile(new CustomerId("c")) { LastPurchaseDate = new LocalDate(2024, 2, 29) };
        var rule = new FieldCondition("purchases.last", RuleOperator.Eq, RuleValue.Today);
        var instant = Instant.FromUtc(2024, 3, 1, 3, 0); // still 29 February in New York, already 1 March in Berlin
        Assert.True(RuleCompiler.Default.Compile(rule, instant, DateTimeZoneProviders.Tzdb["America/New_York"]).IsSatisfiedBy(profile));
        Assert.False(RuleCompiler.Default.Compile(rule, instant, DateTimeZoneProviders.Tzdb["Europe/Berlin"]).IsSatisfiedBy(profile));
    }
}
