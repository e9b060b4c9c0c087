using Microsoft.Extensions.Logging;
using NodaTime;

namespace Crm.Core.Rfm;

/// <summary>
/// What an RFM computation looks at and how it scores: the as-of date, an optional look-back window, the time zone
/// that turns instants into days, the number of bins, the scoring strategy and the segment map.
/// </summary>
/// <remarks>
/// A row counts when its date D satisfies <c>D &lt;= AsOf</c> and, with a window of W days, <c>D &gt; AsOf - W</c>
/// (so a window of 1 day keeps only the as-of date). Immutable once built; thread-safe.
/// </remarks>
public sealed record RfmOptions
{
    /// <summary>The largest number of bins supported.</summary>
    public const int MaxBins = 100;

    /// <summary>The largest look-back window, in days (about 1000 years).</summary>
    public const int MaxWindowDays = 365_250;

    private readonly int? _windowDays;
    private readonly DateTimeZone _zone = DateTimeZone.Utc;
    private readonly int _bins = 5;
    private readonly RfmScoring _scoring = RfmScoring.TieAwareQuantiles;
    private readonly int _maxDegreeOfParallelism = 1;

    /// <summary>Creates options for the given as-of date with the defaults: no window, UTC, 5 bins, tie-aware quantiles, the default segment map.</summary>
    /// <param name="asOf">The date recency is measured from; rows after it are ignored.</param>
    public RfmOptions(LocalDate asOf)
    {
        Preconditions.CheckArgument(asOf.Calendar == CalendarSystem.Iso, nameof(asOf), "The as-of date must be in the ISO calendar; convert it with WithCalendar(CalendarSystem.Iso).");
        AsOf = asOf;
    }

    /// <summary>The date recency is measured from; rows dated after it are ignored.</summary>
    public LocalDate AsOf { get; }

    /// <summary>The look-back window in days (1..<see cref="MaxWindowDays"/>), or null for all history up to <see cref="AsOf"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1..<see cref="MaxWindowDays"/>.</exception>
    public int? WindowDays
    {
        get => _windowDays;
        init => _windowDays = value is null ? null : Preconditions.CheckArgumentRange(nameof(WindowDays), value.Value, 1, MaxWindowDays);
    }

    /// <summary>The zone whose midnights separate days when purchases carry instants; UTC by default.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public DateTimeZone Zone
    {
        get => _zone;
        init => _zone = Preconditions.CheckNotNull(value, nameof(Zone));
    }

    /// <summary>The number of bins k (scores run 1..k); 5 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 2..<see cref="MaxBins"/>.</exception>
    public int Bins
    {
        get => _bins;
        init => _bins = Preconditions.CheckArgumentRange(nameof(Bins), value, 2, MaxBins);
    }

    /// <summary>How metrics become scores; <see cref="RfmScoring.TieAwareQuantiles"/> by default.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public RfmScoring Scoring
    {
        get => _scoring;
        init => _scoring = Preconditions.CheckNotNull(value, nameof(Scoring));
    }

    /// <summary>
    /// The segment map; null (the default) means <see cref="RfmSegmentMap.Default"/> when <see cref="Bins"/> is 5 and
    /// no segments otherwise. A map's <see cref="RfmSegmentMap.Bins"/> must equal <see cref="Bins"/>.
    /// </summary>
    public RfmSegmentMap? SegmentMap { get; init; }

    /// <summary>How many cores the bulk computation may use (1 by default; <c>-1</c> for all of them).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init
        {
            Preconditions.CheckArgument(value == -1 || value >= 1, nameof(MaxDegreeOfParallelism), "Use a positive number of cores, or -1 for all of them.");
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// Receives <see cref="RfmProgress"/> reports while the computation runs (every <see cref="RfmProgress.ReportInterval"/>
    /// rows read, and once when it completes); null (the default) reports nothing. Called on the computing thread.
    /// </summary>
    public IProgress<RfmProgress>? Progress { get; init; }

    /// <summary>
    /// Receives one message per finished computation (input kind, rows, customers scored, duration; event id 6001) or
    /// failed one (6002); null (the default) logs nothing. Messages never name a customer.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>The segment map in effect: <see cref="SegmentMap"/>, else the default map for 5 bins, else null.</summary>
    internal RfmSegmentMap? EffectiveSegmentMap => SegmentMap ?? (Bins == 5 ? RfmSegmentMap.Default : null);

    /// <summary>The number of worker threads to use.</summary>
    internal int EffectiveParallelism => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : Math.Min(MaxDegreeOfParallelism, Environment.ProcessorCount);

    /// <summary>Checks that the parts agree with each other (init accessors run in any order, so this happens at use).</summary>
    /// <exception cref="ArgumentException">The segment map or fixed thresholds are for another number of bins.</exception>
    internal void Validate(string paramName)
    {
        if (SegmentMap is not null && SegmentMap.Bins != Bins)
        {
            throw new ArgumentException($"The segment map is for {SegmentMap.Bins} bins but the options score into {Bins}; make them equal.", paramName);
        }
        Scoring.Validate(Bins, paramName);
    }

    /// <summary>The first epoch day that counts (inclusive).</summary>
    internal int FirstDay => WindowDays is int w ? EpochDays.FromDate(AsOf) - w + 1 : int.MinValue + 2;

    /// <summary>The last epoch day that counts (inclusive): the as-of date.</summary>
    internal int LastDay => EpochDays.FromDate(AsOf);
}

/// <summary>Days since 1970-01-01 in the ISO calendar, computed without NodaTime's heavier period arithmetic.</summary>
internal static class EpochDays
{
    /// <summary>The day number of an ISO date (Howard Hinnant's days_from_civil).</summary>
    /// <exception cref="ArgumentException">The date is not in the ISO calendar.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int FromDate(LocalDate date)
    {
        if (!ReferenceEquals(date.Calendar, CalendarSystem.Iso))
        {
            ThrowNotIso();
        }
        return FromCivil(date.Year, date.Month, date.Day);
    }

    /// <summary>The day number of a year, month and day (proleptic Gregorian).</summary>
    public static int FromCivil(int year, int month, int day)
    {
        var y = month <= 2 ? year - 1 : year;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - (era * 400);
        var doy = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146097) + doe - 719468;
    }

    private static void ThrowNotIso() =>
        throw new ArgumentException("Dates must be in the ISO calendar; convert them with WithCalendar(CalendarSystem.Iso).", "dates");
}
