using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Lifecycle;
using NodaTime;

namespace Crm.Core.Analytics.ChurnRisk;

/// <summary>
/// Plugs the BG/NBD probability alive into the lifecycle module: set an instance on
/// <see cref="EngagementRules.ChurnRiskModel"/> and engagement statuses follow the fitted model instead of the
/// cadence rule.
/// </summary>
/// <remarks>
/// The lifecycle module counts in days; this adapter converts x, t_x and T into the model's period unit, so a model
/// fitted in weeks works unchanged. Thread-safe, allocation-free and a pure function of its arguments, as
/// <see cref="IChurnRiskModel"/> requires.
/// </remarks>
public sealed class BgNbdChurnRiskModel : IChurnRiskModel
{
    private readonly BgNbdModel _model;
    private readonly double _daysPerPeriod;

    /// <summary>Creates the adapter for a fitted (or known) BG/NBD model.</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public BgNbdChurnRiskModel(BgNbdModel model)
    {
        _model = Preconditions.CheckNotNull(model);
        _daysPerPeriod = model.Period.Days();
    }

    /// <summary>The underlying model.</summary>
    public BgNbdModel Model => _model;

    /// <summary>P(alive | x, t_x, T) with T measured up to <paramref name="asOf"/>.</summary>
    /// <param name="purchases">The customer's purchase history (at least one purchase day, none after <paramref name="asOf"/>).</param>
    /// <param name="asOf">The evaluation day.</param>
    /// <returns>The probability alive, in [0, 1].</returns>
    /// <exception cref="ArgumentException">The history is empty or has purchases after <paramref name="asOf"/>.</exception>
    public double ProbabilityAlive(in PurchaseSummary purchases, LocalDate asOf)
    {
        Preconditions.CheckArgument(!purchases.IsEmpty, nameof(purchases), "Probability alive needs at least one purchase day.");
        var ageDays = purchases.AgeDays(asOf);
        Preconditions.CheckArgument(purchases.DaysSinceLastPurchase(asOf) >= 0, nameof(asOf),
            "The history has purchases after the evaluation day; evaluate on or after the last purchase day.");
        var customer = new RecencyFrequency(purchases.RepeatPurchaseDays, purchases.RecencyDays / _daysPerPeriod, ageDays / _daysPerPeriod);
        return _model.ProbabilityAlive(customer);
    }
}
