using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using NodaTime;

namespace Crm.Core.Purchases;

/// <summary>
/// The application entry point for a purchase or a refund as it happens: stores it, awards (or takes back) its
/// loyalty points and moves the customer's lifecycle on — all in one commit of the scope's unit of work, so that a
/// purchase is never stored without its points, or its points awarded without the purchase.
/// Resolve it from dependency injection (registered by <c>AddCrmCore()</c>) in the same scope as the store.
/// </summary>
/// <remarks>
/// <para>
/// Idempotent by transaction id: recording a purchase that is already stored changes nothing and reports what the
/// first recording did, so a host may repeat a request whose outcome it did not see. A commit that loses an
/// optimistic-concurrency race (another purchase of the same customer at the same moment) is retried from fresh state
/// (up to <see cref="ConcurrencyRetry.DefaultMaxAttempts"/> attempts); two recordings of one transaction at once end
/// with one purchase and one award.
/// </para>
/// <para>
/// The purchase belongs to the customer the id stands for now: a purchase for a merged record is stored under the
/// survivor (see <see cref="CustomerMergeService"/>). The customer must be registered; an erased customer records no
/// new purchases.
/// </para>
/// <para>
/// Each call commits the scope's <see cref="IUnitOfWork"/> (including anything else registered with it); on any
/// failure nothing is saved and the unit of work is left empty. Not thread-safe, like the unit of work.
/// </para>
/// </remarks>
public sealed class PurchaseRecorder
{
    private readonly IRepository<Purchase, TransactionId> _purchases;
    private readonly IRepository<Customer, CustomerId> _customers;
    private readonly IReadRepository<Interaction, InteractionId> _interactions;
    private readonly IRepository<LoyaltyAccount, LoyaltyAccountId> _accounts;
    private readonly IRepository<CustomerLifecycle, CustomerId> _lifecycles;
    private readonly IUnitOfWork _unitOfWork;
    private readonly IClock _clock;

    /// <summary>Creates the recorder over a store.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PurchaseRecorder(IRepository<Purchase, TransactionId> purchases, IRepository<Customer, CustomerId> customers,
        IReadRepository<Interaction, InteractionId> interactions, IRepository<LoyaltyAccount, LoyaltyAccountId> accounts,
        IRepository<CustomerLifecycle, CustomerId> lifecycles, IUnitOfWork unitOfWork, IClock clock)
    {
        _purchases = Preconditions.CheckNotNull(purchases);
        _customers = Preconditions.CheckNotNull(customers);
        _interactions = Preconditions.CheckNotNull(interactions);
        _accounts = Preconditions.CheckNotNull(accounts);
        _lifecycles = Preconditions.CheckNotNull(lifecycles);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _clock = Preconditions.CheckNotNull(clock);
    }

    /// <summary>Records a purchase (or a refund) with its loyalty points and lifecycle changes, and commits.</summary>
    /// <param name="purchase">The purchase, or a refund created with <see cref="Purchase.CreateRefund"/>.</param>
    /// <param name="options">Which loyalty programme and lifecycle rules apply; <see cref="PurchaseRecordingOptions.StoreOnly"/> for none.</param>
    /// <param name="cancellationToken">Cancels the recording before it commits.</param>
    /// <returns>What was stored, awarded and changed, or, when the transaction was already recorded, what its first recording left.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="AggregateNotFoundException">The customer is not registered (or a merge redirect leads nowhere).</exception>
    /// <exception cref="CustomerErasedException">The customer was erased.</exception>
    /// <exception cref="CurrencyMismatchException">The purchase is not in the programme's currency.</exception>
    /// <exception cref="TransactionIdConflictException">The transaction id is already stored for a different purchase.</exception>
    /// <exception cref="IdempotencyKeyConflictException">The transaction id was used as the key of another kind of loyalty operation.</exception>
    /// <exception cref="ReversalBlockedException">A refund would take back points already spent and the programme blocks that.</exception>
    /// <exception cref="ConcurrencyConflictException">The customer's records kept changing during every attempt; nothing was saved.</exception>
    public Task<PurchaseRecording> RecordAsync(Purchase purchase, PurchaseRecordingOptions options, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purchase);
        Preconditions.CheckNotNull(options);
        return ConcurrencyRetry.ExecuteAsync((_, ct) => AttemptAsync(purchase, options, ct), cancellationToken: cancellationToken);
    }

    private async Task<PurchaseRecording> AttemptAsync(Purchase purchase, PurchaseRecordingOptions options, CancellationToken ct)
    {
        try
        {
            // First, before anything about the customer: a repeat reports the first recording even if the customer was
            // merged or erased since.
            if (await _purchases.GetByIdAsync(purchase.TransactionId, ct).ConfigureAwait(false) is { } stored)
            {
                await EnsureSameAsync(stored, purchase, ct).ConfigureAwait(false);
                return new PurchaseRecording(stored, AlreadyRecorded: true, await StoredLoyaltyEntryAsync(stored, options, ct).ConfigureAwait(false), []);
            }
            var customer = await CurrentCustomerAsync(purchase, ct).ConfigureAwait(false);
            // A copy is stored, under the customer the id stands for now: the caller's instance stays unsaved, so the same
            // instance may be recorded again (a retry, or several workers) and always reaches the repeat check above.
            purchase = purchase.MovedTo(customer.Id);
            var now = _clock.GetCurrentInstant();
            await _purchases.AddAsync(purchase, ct).ConfigureAwait(false);
            var loyalty = options.Programme is { } programme
                ? await ApplyLoyaltyAsync(purchase, programme, options.EarningContext, customer, now, ct).ConfigureAwait(false)
                : null;
            var lifecycle = options.LifecycleRules is { } rules
                ? await ApplyLifecycleAsync(purchase, rules, options, customer, now, ct).ConfigureAwait(false)
                : [];
            await _unitOfWork.CommitAsync(ct).ConfigureAwait(false);
            return new PurchaseRecording(purchase, AlreadyRecorded: false, loyalty, lifecycle);
        }
        catch (DuplicateAggregateException e)
        {
            // Another recording of this transaction (or the customer's first account or lifecycle) committed first: the
            // next attempt finds it and reports it.
            _unitOfWork.Discard();
            throw new ConcurrencyConflictException(e.AggregateType, e.AggregateId, 0, null, e);
        }
        catch
        {
            _unitOfWork.Discard(); // nothing half-registered stays behind for the scope's next commit
            throw;
        }
    }

    // A repeat sends the same purchase again; the stored one may have moved to a merge's survivor since.
    private async Task EnsureSameAsync(Purchase stored, Purchase repeat, CancellationToken ct)
    {
        var difference = stored.Total != repeat.Total ? "the total"
            : stored.OccurredAt != repeat.OccurredAt ? "the time"
            : stored.OriginalTransactionId != repeat.OriginalTransactionId ? "the original transaction"
            : null;
        if (difference is null && stored.CustomerId != repeat.CustomerId)
        {
            var current = await MergeRedirects.FollowAsync(_customers, await _customers.GetByIdAsync(repeat.CustomerId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            difference = current?.Id == stored.CustomerId ? null : "the customer";
        }
        if (difference is not null)
        {
            throw new TransactionIdConflictException(repeat.TransactionId, difference);
        }
    }

    private async Task<Customer> CurrentCustomerAsync(Purchase purchase, CancellationToken ct)
    {
        var stored = await _customers.GetByIdAsync(purchase.CustomerId, ct).ConfigureAwait(false);
        var customer = await MergeRedirects.FollowAsync(_customers, stored, ct).ConfigureAwait(false)
            ?? throw new AggregateNotFoundException(nameof(Customer), purchase.CustomerId.Value, stored is null
                ? "register the customer before recording their purchases."
                : "its merge redirect leads to no stored customer; the store is damaged.");
        if (customer.IsErased)
        {
            throw new CustomerErasedException(customer.Id, $"record purchase '{purchase.TransactionId}'");
        }
        return customer;
    }

    private async Task<LedgerEntry?> StoredLoyaltyEntryAsync(Purchase stored, PurchaseRecordingOptions options, CancellationToken ct)
    {
        if (options.Programme is not { } programme
            || await _accounts.GetByIdAsync(new LoyaltyAccountId(programme.Id, stored.CustomerId), ct).ConfigureAwait(false) is not { } account)
        {
            return null;
        }
        return account.TryGetEntry(stored.TransactionId.Value, out var entry) ? entry : null;
    }

    private async Task<LedgerEntry?> ApplyLoyaltyAsync(Purchase purchase, LoyaltyProgramme programme, EarningContext? context, Customer customer, Instant now, CancellationToken ct)
    {
        var id = new LoyaltyAccountId(programme.Id, customer.Id);
        var account = await _accounts.GetByIdAsync(id, ct).ConfigureAwait(false);
        if (purchase.IsRefund)
        {
            // A refund of a purchase that earned nothing in this programme (bought before the member joined) has no
            // points to take back; it is still stored.
            if (account is null || purchase.OriginalTransactionId is not { } original || !account.TryGetEntry(original.Value, out _))
            {
                return null;
            }
            var reversal = account.Reverse(programme, purchase, now);
            await _accounts.UpdateAsync(account, ct).ConfigureAwait(false);
            return reversal.Entry;
        }
        var isNew = account is null;
        account ??= LoyaltyAccount.Open(id, programme, now, customer.TenantId);
        var earned = account.Accrue(programme, purchase, now, context);
        await (isNew ? _accounts.AddAsync(account, ct) : _accounts.UpdateAsync(account, ct)).ConfigureAwait(false);
        return earned.Entry;
    }

    private async Task<IReadOnlyList<RuleFiring>> ApplyLifecycleAsync(Purchase purchase, TransitionRuleSet rules, PurchaseRecordingOptions options,
        Customer customer, Instant now, CancellationToken ct)
    {
        var lifecycle = await _lifecycles.GetByIdAsync(customer.Id, ct).ConfigureAwait(false);
        var isNew = lifecycle is null;
        lifecycle ??= CustomerLifecycle.Start(customer.Id, rules.Model, Max(now, customer.CreatedAt), options.Actor, tenantId: customer.TenantId);
        if (!purchase.IsRefund)
        {
            lifecycle.RecordPurchase(purchase.OccurredAt.InZone(options.Zone).Date);
        }
        // The facts as of this purchase: the stored purchases do not include this one yet (it commits below).
        var purchases = await _purchases.CountAsync(new PurchasesOf(customer.Id), ct).ConfigureAwait(false) + (purchase.IsRefund ? 0 : 1);
        var service = await _interactions.CountAsync(new ServiceInteractionsOf(customer.Id, options.ServiceInteractionTypes), ct).ConfigureAwait(false);
        var facts = LifecycleFacts.From(customer, [], []) with { Purchases = Clamp(purchases), ServiceInteractions = Clamp(service) };
        var last = lifecycle.History.Count == 0 ? now : lifecycle.History[^1].At;
        var fired = lifecycle.ApplyRules(rules, facts, Max(now, last));
        if (isNew)
        {
            await _lifecycles.AddAsync(lifecycle, ct).ConfigureAwait(false);
        }
        else
        {
            await _lifecycles.UpdateAsync(lifecycle, ct).ConfigureAwait(false);
        }
        return fired;
    }

    private static int Clamp(long count) => (int)Math.Min(count, int.MaxValue);

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private sealed class PurchasesOf : Specification<Purchase>
    {
        public PurchasesOf(CustomerId id) => Query.Where(p => p.CustomerId == id && !p.IsRefund);
    }

    private sealed class ServiceInteractionsOf : Specification<Interaction>
    {
        public ServiceInteractionsOf(CustomerId id, IReadOnlyCollection<InteractionType> types)
        {
            var list = types.ToList();
            Query.Where(i => i.CustomerId == id && list.Contains(i.Type));
        }
    }
}
