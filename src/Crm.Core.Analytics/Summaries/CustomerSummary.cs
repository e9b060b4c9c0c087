using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Analytics.Summaries;

/// <summary>
/// The recency–frequency–monetary summary of one customer's calibration period, defined exactly as the
/// Python <c>lifetimes</c> package defines it (and as Fader, Hardie and Lee use it): purchases on the same
/// day are one transaction, the first purchase is not counted.
/// </summary>
/// <remarks>Immutable and thread-safe. Equality is by value.</remarks>
public sealed record CustomerSummary
{
    /// <summary>Creates a summary; normally obtained from <see cref="CustomerSummarizer"/>.</summary>
    /// <param name="customerId">The customer.</param>
    /// <param name="firstPurchase">The day of the first purchase.</param>
    /// <param name="frequency">x: the number of repeat purchase days (distinct purchase days − 1).</param>
    /// <param name="recency">t_x: periods from the first to the last purchase day (0 when x = 0).</param>
    /// <param name="age">T: periods from the first purchase day to the calibration end.</param>
    /// <param name="monetaryValue">m: the mean day-summed amount over the repeat days (0 when x = 0).</param>
    /// <exception cref="ArgumentException">The id is default.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value (the monetary value included) is negative or recency exceeds age.</exception>
    public CustomerSummary(CustomerId customerId, LocalDate firstPurchase, int frequency, double recency, double age, decimal monetaryValue)
    {
        CustomerId = Preconditions.CheckNotDefault(customerId);
        Preconditions.CheckNotNegative(frequency);
        RecencyFrequency.Validate(frequency, recency, age);
        FirstPurchase = firstPurchase;
        Frequency = frequency;
        Recency = recency;
        Age = age;
        MonetaryValue = Preconditions.CheckNotNegative(monetaryValue);
    }

    /// <summary>The customer.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>The day of the first purchase (the start of the customer's observation).</summary>
    public LocalDate FirstPurchase { get; }

    /// <summary>x: repeat purchase days in the calibration period.</summary>
    public int Frequency { get; }

    /// <summary>t_x: periods between the first and the last purchase day.</summary>
    public double Recency { get; }

    /// <summary>T: periods between the first purchase day and the calibration end.</summary>
    public double Age { get; }

    /// <summary>m: the mean day-summed amount of the repeat purchase days (0 when <see cref="Frequency"/> is 0).</summary>
    public decimal MonetaryValue { get; }

    /// <summary>The (x, t_x, T) triple the BG/NBD model consumes.</summary>
    public RecencyFrequency ToRecencyFrequency() => new(Frequency, Recency, Age);
}

/// <summary>A calibration summary together with what the same customer did in the holdout period after it.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
/// <param name="Calibration">The calibration-period summary.</param>
/// <param name="HoldoutFrequency">Purchase days in the holdout period (all of them are repeat purchases).</param>
/// <param name="HoldoutSpend">The total amount spent in the holdout period.</param>
/// <param name="HoldoutDuration">The length of the holdout period, in the summary's periods.</param>
public sealed record CalibrationHoldoutSummary(CustomerSummary Calibration, int HoldoutFrequency, decimal HoldoutSpend, double HoldoutDuration);
