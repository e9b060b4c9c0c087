namespace Crm.Core.Loyalty;

// Erasure (GDPR art. 17): the ledger's numbers stay (points are accounting facts), its free text goes.
public sealed partial class LoyaltyAccount
{
    /// <summary>
    /// Replaces the free-text reasons of manual adjustments and tier overrides (and the override evidence quoting them)
    /// with a placeholder. Points, dates, keys and actors (staff or system ids) stay, so every balance is unchanged.
    /// Idempotent.
    /// </summary>
    internal void ErasePersonalText()
    {
        const string erased = Customers.Customer.ErasedText;
        var entries = _state.Entries;
        var scrubbed = new List<LedgerEntry>(entries.Count);
        var changed = false;
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case AdjustmentCreditEntry credit when credit.Reason != erased:
                    scrubbed.Add(new AdjustmentCreditEntry(credit.Sequence, credit.At, credit.IdempotencyKey!, credit.Credited,
                        credit.ExpiresAtOrMax, credit.SettledDeficit, erased, credit.Actor));
                    changed = true;
                    break;
                case AdjustmentDebitEntry debit when debit.Reason != erased:
                    scrubbed.Add(new AdjustmentDebitEntry(debit.Sequence, debit.At, debit.IdempotencyKey!, debit.AllocationArray, erased, debit.Actor));
                    changed = true;
                    break;
                default:
                    scrubbed.Add(entry);
                    break;
            }
        }
        if (changed)
        {
            // Replaying the same numbers rebuilds the same lots and balances around the replaced entries.
            _state = LedgerState.Replay(scrubbed);
            _stateShared = false; // a fresh state no copy can see
        }
        if (TierOverride is { } o)
        {
            TierOverride = o with { Reason = erased };
        }
        _tierHistory = _tierHistory
            .Select(c => c.Reason is TierChangeReason.OverrideSet or TierChangeReason.OverrideExpired ? c with { Evidence = "override (" + erased + ")" } : c)
            .ToArray();
    }
}
