using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Testing.Fakes;

/// <summary>Shortcuts for <see cref="FakeClock"/>s at readable instants, so tests state "when" in one line.</summary>
public static class TestClocks
{
    /// <summary>A well-known instant used when the exact time does not matter: 2026-01-15T09:30:00Z.</summary>
    public static Instant DefaultStart { get; } = Instant.FromUtc(2026, 1, 15, 9, 30);

    /// <summary>A clock at <see cref="DefaultStart"/>.</summary>
    /// <returns>A new clock; advance it with <see cref="FakeClock.Advance(Duration)"/>.</returns>
    public static FakeClock Create() => new(DefaultStart);

    /// <summary>A clock at the given UTC date and time.</summary>
    /// <param name="year">The year.</param>
    /// <param name="month">The month, 1-12.</param>
    /// <param name="day">The day of the month.</param>
    /// <param name="hour">The hour, 0-23.</param>
    /// <param name="minute">The minute, 0-59.</param>
    /// <returns>A new clock.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The date or time does not exist.</exception>
    public static FakeClock AtUtc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(Instant.FromUtc(year, month, day, hour, minute));

    /// <summary>A clock that advances by <paramref name="step"/> every time it is read, for ordering events in tests.</summary>
    /// <param name="start">The first instant returned.</param>
    /// <param name="step">How far each read moves the clock; positive.</param>
    /// <returns>A new clock.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    public static FakeClock Ticking(Instant start, Duration step)
    {
        if (step <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be positive.");
        }
        return new FakeClock(start, step);
    }
}
