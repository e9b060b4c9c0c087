using System.Diagnostics;
using Crm.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Crm.Core.Analytics.Fitting;

/// <summary>
/// The span and duration histogram around a model fit (names in <see cref="CrmDiagnostics"/>), so hosts see fits in
/// OpenTelemetry without extra code. Tags carry the model and counts only: nothing about individual customers.
/// </summary>
internal static class FitTelemetry
{
    private const string ModelTag = "crm.analytics.model";

    public static TFit Measure<TFit>(string model, ILogger? logger, Func<TFit> fit, Func<TFit, (long Customers, int Iterations)> describe)
    {
        using var activity = CrmDiagnostics.Source.StartActivity(CrmDiagnostics.ModelFitSpan);
        activity?.SetTag(ModelTag, model);
        var started = Stopwatch.GetTimestamp();
        var outcome = "failure";
        try
        {
            var result = fit();
            outcome = "success";
            if (activity is not null || logger is not null)
            {
                var (customers, iterations) = describe(result);
                activity?.SetTag("crm.analytics.customers", customers);
                activity?.SetTag("crm.analytics.iterations", iterations);
                if (logger is not null)
                {
                    CrmLog.ModelFitted(logger, model, customers, iterations, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            return result;
        }
        catch (Exception e)
        {
            CrmDiagnostics.RecordFailure(activity, e);
            if (logger is not null)
            {
                CrmLog.ModelFitFailed(logger, CrmLog.TypeOf(e), model, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            throw;
        }
        finally
        {
            if (CrmDiagnostics.ModelFitDuration.Enabled)
            {
                CrmDiagnostics.ModelFitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>(ModelTag, model), new KeyValuePair<string, object?>("crm.analytics.outcome", outcome));
            }
        }
    }
}
