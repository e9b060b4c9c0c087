namespace Crm.Core.Analytics.Summaries;

/// <summary>
/// The time unit in which recency, age, horizons and discount rates are expressed. Every fitted model remembers
/// the unit it was fitted in and every prediction API asks for it again, because mixing units (a model fitted in
/// weeks asked for a 52-"day" horizon) is the most common mistake with these models.
/// </summary>
public enum PeriodUnit
{
    /// <summary>One calendar day.</summary>
    Day = 1,

    /// <summary>Seven calendar days.</summary>
    Week = 7,
}

/// <summary>Conversions for <see cref="PeriodUnit"/>.</summary>
public static class PeriodUnitExtensions
{
    /// <summary>The number of calendar days in one period.</summary>
    /// <param name="unit">The unit.</param>
    /// <returns>1 for <see cref="PeriodUnit.Day"/>, 7 for <see cref="PeriodUnit.Week"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unit"/> is not a defined unit.</exception>
    public static int Days(this PeriodUnit unit) => (int)Preconditions.CheckDefined(unit);
}
