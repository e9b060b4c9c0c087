using System.Diagnostics.Metrics;
using Crm.Core.Diagnostics;

namespace Crm.Core.Loyalty;

/// <summary>
/// The loyalty instruments (names in <see cref="CrmDiagnostics"/>). Recorded by <see cref="LoyaltyService"/> and
/// <see cref="Purchases.PurchaseRecorder"/> after a commit succeeded, so attempts lost to a concurrency conflict and repeats of an applied key are not counted. Tags
/// carry the programme id and the operation kind only, never a customer or account id. Without a listener, recording
/// is one flag test per instrument: nothing is allocated.
/// </summary>
internal static class LoyaltyMetrics
{
    private const string ProgrammeTag = "crm.loyalty.programme";
    private const string OperationTag = "crm.loyalty.operation";

    private static readonly Counter<long> Operations = CrmDiagnostics.Meter.CreateCounter<long>(CrmDiagnostics.LoyaltyOperationsCounter, "{operation}",
        "Loyalty operations committed through LoyaltyService or PurchaseRecorder.");

    private static readonly Counter<long> PointsAwarded = CrmDiagnostics.Meter.CreateCounter<long>(CrmDiagnostics.LoyaltyPointsAwardedCounter, "{point}",
        "Points awarded by committed accruals and event awards.");

    private static readonly Counter<long> PointsRedeemed = CrmDiagnostics.Meter.CreateCounter<long>(CrmDiagnostics.LoyaltyPointsRedeemedCounter, "{point}",
        "Points spent by committed redemptions.");

    private static readonly Counter<long> PointsExpired = CrmDiagnostics.Meter.CreateCounter<long>(CrmDiagnostics.LoyaltyPointsExpiredCounter, "{point}",
        "Points recorded as expired by committed expiry runs.");

    /// <summary>Records one committed entry (the giving side of a transfer only, so a transfer counts once).</summary>
    public static void Committed(ProgrammeId programme, LedgerEntry entry)
    {
        if (!Operations.Enabled && !PointsAwarded.Enabled && !PointsRedeemed.Enabled && !PointsExpired.Enabled)
        {
            return;
        }
        Record(programme.Value, entry);
    }

    private static void Record(string programme, LedgerEntry entry)
    {
        var operation = entry switch
        {
            EarnEntry { Source: EarnSource.Purchase } => "accrual",
            EarnEntry => "event",
            RedeemEntry => "redemption",
            ReverseEntry => "reversal",
            AdjustmentCreditEntry or AdjustmentDebitEntry => "adjustment",
            RedemptionCancelledEntry => "cancellation",
            ExpireEntry => "expiry",
            _ => "transfer",
        };
        var programmeTag = new KeyValuePair<string, object?>(ProgrammeTag, programme);
        var operationTag = new KeyValuePair<string, object?>(OperationTag, operation);
        Operations.Add(1, programmeTag, operationTag);
        switch (entry)
        {
            case EarnEntry earn when earn.Credited > 0:
                PointsAwarded.Add(earn.Credited, programmeTag, operationTag);
                break;
            case RedeemEntry redeem:
                PointsRedeemed.Add(redeem.Allocated, programmeTag);
                break;
            case ExpireEntry expire:
                PointsExpired.Add(expire.Allocated, programmeTag);
                break;
        }
    }
}
