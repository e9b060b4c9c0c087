using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// The application entry point for loyalty: loads the member's account (opening it on first use), applies one
/// operation with the current time from the <see cref="IClock"/>, and commits through the scope's unit of work.
/// Resolve it from dependency injection (registered by <c>AddCrmCore()</c>) in the same scope as the store.
/// </summary>
/// <remarks>
/// <para>
/// Exact under retries and concurrency: every operation is idempotent by its key, so a host may safely repeat a
/// request whose outcome it did not see; and a commit that loses an optimistic-concurrency race is retried from a
/// fresh load (up to <see cref="ConcurrencyRetry.DefaultMaxAttempts"/> times), so concurrent operations on one
/// account never overdraw and never lose an update.
/// </para>
/// <para>
/// Each call commits the scope's <see cref="IUnitOfWork"/> (including anything else registered with it). Not
/// thread-safe, like the unit of work. Registered as transient: it holds nothing but the scope's repository, unit of
/// work and clock, so every instance resolved in a scope works on the same unit of work, and the scope does not have to
/// cache it (one cache entry less per request).
/// </para>
/// <para>
/// Keyed by customer id as given: it does not follow merges. An operation for a customer merged into another throws
/// <see cref="LoyaltyAccountMergedException"/> naming the survivor's account — on the merged customer's drained account,
/// and, when the service comes from dependency injection, also instead of opening an account for a merged customer who
/// had none (the customer is read only then). A repeat of an operation recorded before the merge still answers
/// "already applied". Resolve the survivor first (<see cref="Duplicates.CustomerMergeService.ResolveAsync"/>), or
/// record purchases with <see cref="Purchases.PurchaseRecorder"/>, which follows merges.
/// </para>
/// </remarks>
public sealed class LoyaltyService
{
    private readonly IRepository<LoyaltyAccount, LoyaltyAccountId> _accounts;
    private readonly IUnitOfWork _unitOfWork;
    private readonly IClock _clock;

    /// <summary>
    /// The scope's services when the service came from dependency injection: the customer repository is read from them
    /// only when an account is about to be opened (to refuse one for a merged customer), so a request on an existing
    /// account resolves nothing more. Null when constructed by hand: then no customer is read.
    /// </summary>
    internal IServiceProvider? Services { get; init; }

    /// <summary>Creates the service over a store.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public LoyaltyService(IRepository<LoyaltyAccount, LoyaltyAccountId> accounts, IUnitOfWork unitOfWork, IClock clock)
    {
        _accounts = Preconditions.CheckNotNull(accounts);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _clock = Preconditions.CheckNotNull(clock);
    }

    /// <summary>Loads the member's account, or null when it was never opened.</summary>
    public Task<LoyaltyAccount?> FindAccountAsync(LoyaltyProgramme programme, CustomerId customerId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(programme);
        return _accounts.GetByIdAsync(new LoyaltyAccountId(programme.Id, customerId), cancellationToken);
    }

    /// <summary>Awards a purchase's points (see <see cref="LoyaltyAccount.Accrue"/>); opens the account on the member's first purchase.</summary>
    /// <inheritdoc cref="LoyaltyAccount.Accrue" path="/exception"/>
    public Task<LedgerResult<EarnEntry>> AccrueAsync(LoyaltyProgramme programme, Purchase purchase, EarningContext? context = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(programme);
        Preconditions.CheckNotNull(purchase);
        return ExecuteAsync<Accrual, EarnEntry>(programme, purchase.CustomerId, new Accrual(programme, purchase, context), cancellationToken);
    }

    /// <summary>Awards an event's points (see <see cref="LoyaltyAccount.AwardEvent"/>); opens the account when needed.</summary>
    public Task<LedgerResult<EarnEntry>> AwardEventAsync(LoyaltyProgramme programme, CustomerId customerId, LoyaltyEvent loyaltyEvent, EarningContext? context = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(loyaltyEvent);
        return ExecuteAsync(programme, customerId, (account, now) => account.AwardEvent(programme, loyaltyEvent, now, context), cancellationToken);
    }

    /// <summary>Takes back a refund's points pro rata (see <see cref="LoyaltyAccount.Reverse(LoyaltyProgramme, Purchase, Instant)"/>).</summary>
    public Task<LedgerResult<ReverseEntry>> ReverseAsync(LoyaltyProgramme programme, Purchase refund, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(refund);
        return ExecuteAsync(programme, refund.CustomerId, (account, now) => account.Reverse(programme, refund, now), cancellationToken);
    }

    /// <summary>Spends points on an order (see <see cref="LoyaltyAccount.Redeem"/>).</summary>
    public Task<LedgerResult<RedeemEntry>> RedeemAsync(LoyaltyProgramme programme, CustomerId customerId, long points, string key, Money? orderTotal = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(programme, customerId, (account, now) => account.Redeem(programme, points, key, now, orderTotal), cancellationToken);

    /// <summary>Redeems a catalogue reward (see <see cref="LoyaltyAccount.RedeemReward"/>).</summary>
    public Task<LedgerResult<RedeemEntry>> RedeemRewardAsync(LoyaltyProgramme programme, CustomerId customerId, string rewardId, string key, CancellationToken cancellationToken = default) =>
        ExecuteAsync(programme, customerId, (account, now) => account.RedeemReward(programme, rewardId, key, now), cancellationToken);

    /// <summary>Cancels a redemption (see <see cref="LoyaltyAccount.CancelRedemption"/>).</summary>
    public Task<LedgerResult<RedemptionCancelledEntry>> CancelRedemptionAsync(LoyaltyProgramme programme, CustomerId customerId, string redemptionKey, string key, CancellationToken cancellationToken = default) =>
        ExecuteAsync(programme, customerId, (account, now) => account.CancelRedemption(programme, redemptionKey, key, now), cancellationToken);

    /// <summary>A manual correction (see <see cref="LoyaltyAccount.Adjust"/>).</summary>
    public Task<LedgerResult<LedgerEntry>> AdjustAsync(LoyaltyProgramme programme, CustomerId customerId, long points, string reason, string actor, string key, CancellationToken cancellationToken = default) =>
        ExecuteAsync(programme, customerId, (account, now) => account.Adjust(programme, points, reason, actor, key, now), cancellationToken);

    /// <summary>Records expiry due now (see <see cref="LoyaltyAccount.ExpireDue"/>); returns null when nothing was due or the account does not exist.</summary>
    public Task<ExpireEntry?> ExpireDueAsync(LoyaltyProgramme programme, CustomerId customerId, CancellationToken cancellationToken = default) =>
        OnExistingAsync(programme, customerId, (account, now) => account.ExpireDue(programme, now), cancellationToken);

    /// <summary>Re-evaluates the member's tier now (see <see cref="LoyaltyAccount.EvaluateTier"/>); returns null when it stayed or the account does not exist.</summary>
    public Task<TierChange?> EvaluateTierAsync(LoyaltyProgramme programme, CustomerId customerId, CancellationToken cancellationToken = default) =>
        OnExistingAsync(programme, customerId, (account, now) => account.EvaluateTier(programme, now), cancellationToken);

    /// <summary>Runs a maintenance operation on an existing account (none is opened) and saves it.</summary>
    private async Task<T?> OnExistingAsync<T>(LoyaltyProgramme programme, CustomerId customerId, Func<LoyaltyAccount, Instant, T?> apply, CancellationToken cancellationToken)
        where T : class
    {
        Preconditions.CheckNotNull(programme);
        var id = new LoyaltyAccountId(programme.Id, customerId);
        return await ConcurrencyRetry.ExecuteAsync(async (_, ct) =>
        {
            var account = await _accounts.GetByIdAsync(id, ct).ConfigureAwait(false);
            if (account is null)
            {
                return null;
            }
            var result = apply(account, _clock.GetCurrentInstant());
            try
            {
                await _accounts.UpdateAsync(account, ct).ConfigureAwait(false);
                await _unitOfWork.CommitAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                _unitOfWork.Discard(); // as every other operation: a failed save leaves nothing pending
                throw;
            }
            if (result is LedgerEntry entry)
            {
                LoyaltyMetrics.Committed(programme.Id, entry);
            }
            return result;
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves points between two members in one commit (see <see cref="LoyaltyAccount.Transfer"/>); the receiver's account is opened when needed.</summary>
    /// <exception cref="InsufficientPointsException">The giver has fewer available points than <paramref name="points"/> (or no account at all: no points).</exception>
    public async Task<(LedgerResult<TransferOutEntry> Out, LedgerResult<TransferInEntry> In)> TransferAsync(LoyaltyProgramme programme, CustomerId from, CustomerId to, long points, string key, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(programme);
        var fromId = new LoyaltyAccountId(programme.Id, from);
        var toId = new LoyaltyAccountId(programme.Id, to);
        return await ConcurrencyRetry.ExecuteAsync(async (_, ct) =>
        {
            var giver = await _accounts.GetByIdAsync(fromId, ct).ConfigureAwait(false)
                ?? throw new InsufficientPointsException(fromId, points, 0);
            var (receiver, isNew) = await LoadOrOpenAsync(programme, toId, ct).ConfigureAwait(false);
            var result = LoyaltyAccount.Transfer(programme, giver, receiver, points, key, _clock.GetCurrentInstant());
            if (!result.Out.AlreadyApplied)
            {
                try
                {
                    await _accounts.UpdateAsync(giver, ct).ConfigureAwait(false);
                    await SaveAsync(receiver, isNew, ct).ConfigureAwait(false);
                }
                catch
                {
                    _unitOfWork.Discard(); // never the giver's debit without the receiver's credit
                    throw;
                }
                LoyaltyMetrics.Committed(programme.Id, result.Out.Entry);
            }
            return result;
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private Task<LedgerResult<TResult>> ExecuteAsync<TResult>(LoyaltyProgramme programme, CustomerId customerId, Func<LoyaltyAccount, Instant, LedgerResult<TResult>> apply, CancellationToken cancellationToken)
        where TResult : LedgerEntry =>
        ExecuteAsync<Delegated<TResult>, TResult>(programme, customerId, new Delegated<TResult>(apply), cancellationToken);

    private async Task<LedgerResult<TResult>> ExecuteAsync<TOperation, TResult>(LoyaltyProgramme programme, CustomerId customerId, TOperation operation, CancellationToken cancellationToken)
        where TOperation : struct, IAccountOperation<TResult>
        where TResult : LedgerEntry
    {
        Preconditions.CheckNotNull(programme);
        var id = new LoyaltyAccountId(programme.Id, customerId);
        try
        {
            // Almost every call succeeds at the first attempt, which therefore runs without the retry helper and its
            // closure (this is the path every purchase takes). A conflict hands over to the helper for the remaining
            // attempts, which reload the account and back off randomly between further conflicts.
            return await AttemptAsync<TOperation, TResult>(programme, id, operation, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            return await RetryAsync<TOperation, TResult>(programme, id, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    // A method of its own: a lambda in ExecuteAsync would make every call allocate its closure on entry, conflict or not.
    private Task<LedgerResult<TResult>> RetryAsync<TOperation, TResult>(LoyaltyProgramme programme, LoyaltyAccountId id, TOperation operation, CancellationToken cancellationToken)
        where TOperation : struct, IAccountOperation<TResult>
        where TResult : LedgerEntry =>
        ConcurrencyRetry.ExecuteAsync(
            (_, ct) => AttemptAsync<TOperation, TResult>(programme, id, operation, ct).AsTask(),
            ConcurrencyRetry.DefaultMaxAttempts - 1, cancellationToken);

    /// <summary>One attempt: load (or open) the account, apply the operation, save and commit.</summary>
    private async ValueTask<LedgerResult<TResult>> AttemptAsync<TOperation, TResult>(LoyaltyProgramme programme, LoyaltyAccountId id, TOperation operation, CancellationToken ct)
        where TOperation : struct, IAccountOperation<TResult>
        where TResult : LedgerEntry
    {
        var stored = await _accounts.GetByIdAsync(id, ct).ConfigureAwait(false);
        var account = stored ?? await OpenAsync(programme, id, ct).ConfigureAwait(false);
        var result = operation.Apply(account, _clock.GetCurrentInstant());
        if (!result.AlreadyApplied)
        {
            await SaveAsync(account, stored is null, ct).ConfigureAwait(false);
            LoyaltyMetrics.Committed(programme.Id, result.Entry);
        }
        return result;
    }

    private async Task<(LoyaltyAccount Account, bool IsNew)> LoadOrOpenAsync(LoyaltyProgramme programme, LoyaltyAccountId id, CancellationToken ct)
    {
        var account = await _accounts.GetByIdAsync(id, ct).ConfigureAwait(false);
        return account is null ? (await OpenAsync(programme, id, ct).ConfigureAwait(false), true) : (account, false);
    }

    /// <summary>A new account; refused for a customer merged into another, whose operations belong to the survivor.</summary>
    private async ValueTask<LoyaltyAccount> OpenAsync(LoyaltyProgramme programme, LoyaltyAccountId id, CancellationToken ct)
    {
        if (Services?.GetService<IReadRepository<Customer, CustomerId>>() is { } customers
            && await customers.GetByIdAsync(id.CustomerId, ct).ConfigureAwait(false) is { MergedInto: { } survivor })
        {
            throw new LoyaltyAccountMergedException(id, new LoyaltyAccountId(id.ProgrammeId, survivor));
        }
        return LoyaltyAccount.Open(id, programme, _clock.GetCurrentInstant());
    }

    private async Task SaveAsync(LoyaltyAccount account, bool isNew, CancellationToken ct)
    {
        try
        {
            if (isNew)
            {
                await _accounts.AddAsync(account, ct).ConfigureAwait(false);
            }
            else
            {
                await _accounts.UpdateAsync(account, ct).ConfigureAwait(false);
            }
            await _unitOfWork.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (DuplicateAggregateException e)
        {
            // Two first operations raced to open the account: the loser retries against the winner's copy.
            _unitOfWork.Discard();
            throw new ConcurrencyConflictException(nameof(LoyaltyAccount), account.Id.ToString(), 0, null, e);
        }
        catch
        {
            _unitOfWork.Discard(); // a registration that failed (a conflict, a cancellation) leaves nothing pending
            throw;
        }
    }

    /// <summary>An operation on one account. Implemented by structs, so that the hot entry points allocate no closure per call.</summary>
    private interface IAccountOperation<TResult>
        where TResult : LedgerEntry
    {
        LedgerResult<TResult> Apply(LoyaltyAccount account, Instant now);
    }

    private readonly struct Accrual(LoyaltyProgramme programme, Purchase purchase, EarningContext? context) : IAccountOperation<EarnEntry>
    {
        public LedgerResult<EarnEntry> Apply(LoyaltyAccount account, Instant now) => account.Accrue(programme, purchase, now, context);
    }

    /// <summary>The less frequent operations, as a delegate.</summary>
    private readonly struct Delegated<TResult>(Func<LoyaltyAccount, Instant, LedgerResult<TResult>> apply) : IAccountOperation<TResult>
        where TResult : LedgerEntry
    {
        public LedgerResult<TResult> Apply(LoyaltyAccount account, Instant now) => apply(account, now);
    }
}
