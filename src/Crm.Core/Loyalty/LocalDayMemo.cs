using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// Remembers the last value of a function of the local date in one time zone (an expiry at the end of the month, a
/// cap period), so that a stream of earnings on the same day pays for the time-zone arithmetic once instead of on
/// every purchase.
/// </summary>
/// <remarks>
/// Exact: the local date of an instant is found from the zone interval (constant offset) containing it, which is
/// cached too, so no assumption about where days start is needed. Thread-safe: both caches are immutable objects
/// swapped whole; racing threads at worst compute the same value twice.
/// </remarks>
internal sealed class LocalDayMemo<T>
{
    private const long TicksPerDay = TimeSpan.TicksPerDay;

    private readonly DateTimeZone _zone;
    private readonly Func<Instant, T> _compute;
    private Span? _span;
    private Memo? _memo;

    /// <param name="zone">The time zone whose local dates count.</param>
    /// <param name="compute">The function; its value must depend only on the local date of the instant it is given.</param>
    public LocalDayMemo(DateTimeZone zone, Func<Instant, T> compute)
    {
        _zone = zone;
        _compute = compute;
    }

    /// <summary>The function's value for the local date of <paramref name="at"/>.</summary>
    public T Get(Instant at)
    {
        var span = _span;
        if (span is null || at < span.Start || at >= span.End)
        {
            var interval = _zone.GetZoneInterval(at);
            span = new Span(interval.HasStart ? interval.Start : Instant.MinValue, interval.HasEnd ? interval.End : Instant.MaxValue, interval.WallOffset.Ticks);
            _span = span;
        }
        var day = Math.DivRem(at.ToUnixTimeTicks() + span.OffsetTicks, TicksPerDay, out var rest);
        day -= rest < 0 ? 1 : 0; // floor, for instants before 1970
        var memo = _memo;
        if (memo is null || memo.Day != day)
        {
            memo = new Memo(day, _compute(at));
            _memo = memo;
        }
        return memo.Value;
    }

    private sealed record Span(Instant Start, Instant End, long OffsetTicks);

    private sealed record Memo(long Day, T Value);
}
