namespace Crm.Core.Analytics.Summaries;

/// <summary>
/// The (x, t_x, T) triple of one customer: repeat purchases, recency and age, in periods. The input of the BG/NBD
/// model; build it from a <see cref="CustomerSummary"/> or directly from a published summary table.
/// </summary>
/// <remarks>Immutable value; equality is component-wise.</remarks>
public readonly record struct RecencyFrequency
{
    /// <summary>Creates the triple.</summary>
    /// <param name="frequency">x ≥ 0.</param>
    /// <param name="recency">0 ≤ t_x ≤ T; 0 when x = 0.</param>
    /// <param name="age">T ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">The values are negative, not finite, or t_x &gt; T.</exception>
    /// <exception cref="ArgumentException">x = 0 with a non-zero recency.</exception>
    public RecencyFrequency(int frequency, double recency, double age)
    {
        Validate(frequency, recency, age);
        Frequency = frequency;
        Recency = recency;
        Age = age;
    }

    /// <summary>x: the number of repeat purchases.</summary>
    public int Frequency { get; }

    /// <summary>t_x: the time of the last purchase, measured from the first.</summary>
    public double Recency { get; }

    /// <summary>T: the time from the first purchase to the end of observation.</summary>
    public double Age { get; }

    internal static void Validate(int frequency, double recency, double age)
    {
        Preconditions.CheckNotNegative(frequency);
        Preconditions.CheckInRange(double.IsFinite(recency) && recency >= 0, nameof(recency), recency, "Recency must be a finite number ≥ 0.");
        Preconditions.CheckInRange(double.IsFinite(age) && age >= 0, nameof(age), age, "Age (T) must be a finite number ≥ 0.");
        Preconditions.CheckInRange(recency <= age, nameof(recency), recency, "Recency (t_x) cannot exceed age (T): the last purchase must lie inside the observation window.");
        Preconditions.CheckInRange(frequency > 0 || recency == 0, nameof(recency), recency, "A customer with no repeat purchase (x = 0) has recency 0.");
    }
}

/// <summary>The (x, m) pair of one repeat customer: repeat purchases and their mean value; the input of the Gamma-Gamma model.</summary>
/// <remarks>Immutable value; equality is component-wise.</remarks>
/// <param name="Frequency">x: repeat purchases.</param>
/// <param name="MonetaryValue">m: the mean value of those repeat purchases.</param>
public readonly record struct FrequencyMonetary(int Frequency, double MonetaryValue);
