namespace Crm.Core.Loyalty;

/// <summary>Thrown when an operation needs more available points than the account has. Nothing was changed.</summary>
public sealed class InsufficientPointsException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public InsufficientPointsException(LoyaltyAccountId accountId, long requested, long available)
        : base($"Loyalty account '{accountId}' has {available} available points but {requested} were requested. Request at most the available balance.")
    {
        AccountId = accountId;
        Requested = requested;
        Available = available;
    }

    /// <summary>The account.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>The points the operation needed.</summary>
    public long Requested { get; }

    /// <summary>The points available when it was attempted.</summary>
    public long Available { get; }
}

/// <summary>
/// Thrown when an idempotency key that the ledger already holds is reused for a different kind of operation.
/// Use a key that names the operation (for example <c>redeem:ORDER-7</c>, <c>refund:R-12</c>).
/// </summary>
public sealed class IdempotencyKeyConflictException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public IdempotencyKeyConflictException(string key, LedgerEntryKind existing, LedgerEntryKind requested)
        : base($"Idempotency key '{key}' was already used for a {existing} entry and cannot be reused for {requested}. Give each operation its own key.")
    {
        Key = key;
        Existing = existing;
        Requested = requested;
    }

    /// <summary>The reused key.</summary>
    public string Key { get; }

    /// <summary>The kind of the entry that already holds the key.</summary>
    public LedgerEntryKind Existing { get; }

    /// <summary>The kind of the rejected operation.</summary>
    public LedgerEntryKind Requested { get; }
}

/// <summary>Thrown when a ledger entry that an operation refers to (a purchase to reverse, a redemption to cancel) is not in the account.</summary>
public sealed class LedgerEntryNotFoundException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public LedgerEntryNotFoundException(LoyaltyAccountId accountId, string key, LedgerEntryKind expected)
        : base($"Loyalty account '{accountId}' has no {expected} entry with key '{key}'. Check the key (it is the one the original operation was recorded with).")
    {
        AccountId = accountId;
        Key = key;
        Expected = expected;
    }

    /// <summary>The account.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>The key that was not found.</summary>
    public string Key { get; }

    /// <summary>The kind of entry that was expected.</summary>
    public LedgerEntryKind Expected { get; }
}

/// <summary>Why a redemption was refused.</summary>
public enum RedemptionRefusal
{
    /// <summary>The available balance is below the programme's minimum for redeeming.</summary>
    BelowMinimumBalance = 1,

    /// <summary>The points would pay more than the programme's maximum share of the order.</summary>
    ExceedsMaximumOrderShare = 2,

    /// <summary>The member already redeemed this reward as often as allowed.</summary>
    RewardLimitReached = 3,

    /// <summary>The reward is not in the programme's catalogue.</summary>
    UnknownReward = 4,

    /// <summary>The redemption was already cancelled.</summary>
    AlreadyCancelled = 5,
}

/// <summary>Thrown when a redemption or its cancellation breaks a programme rule. Nothing was changed; <see cref="Reason"/> says which rule.</summary>
public sealed class RedemptionRefusedException : CrmException
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public RedemptionRefusedException(LoyaltyAccountId accountId, RedemptionRefusal reason, string message)
        : base($"Redemption on loyalty account '{accountId}' refused ({reason}): {message}")
    {
        AccountId = accountId;
        Reason = reason;
    }

    /// <summary>The account.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>Which rule refused it.</summary>
    public RedemptionRefusal Reason { get; }
}

/// <summary>
/// Thrown under <see cref="NegativeBalancePolicy.Block"/> when a reversal would take back points the member has
/// already spent. Nothing was changed; settle the shortfall with the member (or change the policy) and retry.
/// </summary>
public sealed class ReversalBlockedException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public ReversalBlockedException(LoyaltyAccountId accountId, long toReverse, long shortfall)
        : base($"Reversing {toReverse} points on loyalty account '{accountId}' would leave {shortfall} points uncovered and the programme blocks negative balances. Settle the shortfall first or use another NegativeBalancePolicy.")
    {
        AccountId = accountId;
        ToReverse = toReverse;
        Shortfall = shortfall;
    }

    /// <summary>The account.</summary>
    public LoyaltyAccountId AccountId { get; }

    /// <summary>The points the return would take back.</summary>
    public long ToReverse { get; }

    /// <summary>The points that are no longer there to take.</summary>
    public long Shortfall { get; }
}
