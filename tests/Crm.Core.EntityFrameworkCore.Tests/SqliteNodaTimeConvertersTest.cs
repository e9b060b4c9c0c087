using Crm.Core.EntityFrameworkCore.Conversions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

public class SqliteNodaTimeConvertersTest
{
    private static readonly Func<Instant, long> InstantToStore = (Func<Instant, long>)new InstantTicksConverter().ConvertToProviderExpression.Compile();
    private static readonly Func<long, Instant> InstantFromStore = (Func<long, Instant>)new InstantTicksConverter().ConvertFromProviderExpression.Compile();
    private static readonly Func<LocalDate, int> DateToStore = (Func<LocalDate, int>)new LocalDateDaysConverter().ConvertToProviderExpression.Compile();
    private static readonly Func<int, LocalDate> DateFromStore = (Func<int, LocalDate>)new LocalDateDaysConverter().ConvertFromProviderExpression.Compile();

    private static Instant InstantOf(long ticks) => Instant.FromUnixTimeTicks(ticks);

    [Property]
    public bool Instant_order_is_kept_and_ticks_round_trip(long a, long b)
    {
        // Keep within the Instant range (about ±10,000 years).
        var x = InstantOf(a % 3_000_000_000_000_000_00L / 100);
        var y = InstantOf(b % 3_000_000_000_000_000_00L / 100);
        return x.CompareTo(y) == InstantToStore(x).CompareTo(InstantToStore(y)) && InstantFromStore(InstantToStore(x)) == x;
    }

    [Fact]
    public void Instant_extremes_fit()
    {
        Assert.Equal(Instant.MinValue.ToUnixTimeTicks(), InstantToStore(Instant.MinValue));
        Assert.True(InstantToStore(Instant.MinValue) < InstantToStore(Instant.MaxValue));
    }

    [Property]
    public bool LocalDate_order_is_kept_and_days_round_trip(int a, int b)
    {
        var epoch = new LocalDate(1970, 1, 1);
        var x = epoch.PlusDays(a % 2_000_000);
        var y = epoch.PlusDays(b % 2_000_000);
        return x.CompareTo(y) == DateToStore(x).CompareTo(DateToStore(y)) && DateFromStore(DateToStore(x)) == x;
    }
}
