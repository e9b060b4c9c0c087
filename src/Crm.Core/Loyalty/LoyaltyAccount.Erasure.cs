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
        var entries = _state.Entries;
        var scrubbed = new List<LedgerEntry>(entries.Count);
        var changed = false;
        foreach (var entry in entries)
        {
            var clean = Scrub(entry);
            scrubbed.Add(clean);
            changed |= !ReferenceEquals(clean, entry);
        }
        if (changed)
        {
            // Replaying the same numbers rebuilds the same lots and balances around the replaced entries.
            _state = LedgerState.Replay(scrubbed);
            _stateShared = false; // a fresh state no copy can see
        }
        if (TierOverride is { } o)
        {
            TierOverride = o with { Reason = Customers.Customer.ErasedText };
        }
        _tierHistory = _tierHistory
            .Select(c => c.Reason is TierChangeReason.OverrideSet or TierChangeReason.OverrideExpired ? c with { Evidence = "override (" + Customers.Customer.ErasedText + ")" } : c)
            .ToArray();
    }

    // The entry without its free text (the same instance when it has none). Entries taken over in a merge quote the
    // merged account's entry (Source), which may be an adjustment with its reason: those are scrubbed too, at any depth.
    private static LedgerEntry Scrub(LedgerEntry entry)
    {
        const string erased = Customers.Customer.ErasedText;
        switch (entry)
        {
            case AdjustmentCreditEntry credit when credit.Reason != erased:
                return new AdjustmentCreditEntry(credit.Sequence, credit.At, credit.IdempotencyKey!, credit.Credited,
                    credit.ExpiresAtOrMax, credit.SettledDeficit, erased, credit.Actor);
            case AdjustmentDebitEntry debit when debit.Reason != erased:
                return new AdjustmentDebitEntry(debit.Sequence, debit.At, debit.IdempotencyKey!, debit.AllocationArray, erased, debit.Actor);
            case MergedInEntry mergedIn when Scrub(mergedIn.Source) is var source && !ReferenceEquals(source, mergedIn.Source):
                return new MergedInEntry(mergedIn.Sequence, mergedIn.At, mergedIn.IdempotencyKey, mergedIn.Credited, mergedIn.EarnedAt,
                    mergedIn.AvailableAt, mergedIn.ExpiresAtOrMax, mergedIn.From, source, mergedIn.Carried);
            case MergedKeyEntry key when Scrub(key.Source) is var source && !ReferenceEquals(source, key.Source):
                return new MergedKeyEntry(key.Sequence, key.At, key.IdempotencyKey!, key.From, source, key.Carried);
            default:
                return entry;
        }
    }
}
