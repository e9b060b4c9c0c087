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
/// Idempotent by transaction id: recording a purchase that is already stored reports it and completes only what an
/// earlier recording left out (usually nothing: then nothing is saved), so a host may repeat a request whose outcome it
/// did not see. A commit that loses an optimistic-concurrency race (another purchase of the same customer at the same
/// moment) is retried from fresh state (up to <see cref="ConcurrencyRetry.DefaultMaxAttempts"/> attempts); two
/// recordings of one transaction at once end with one purchase and one award.
/// </para>
/// <para>
/// The purchase belongs to the customer the id stands for now: a purchase for a merged record is stored under the
/// survivor (see <see cref="CustomerMergeService"/>). The customer must be registered; an erased customer records no
/// new purchases.
/// </para>
/// <para>
/// Each call commits the scope's <see cref="IUnitOfWork"/>: record in a scope of its own (or register nothing else
/// first), because any failure or conflict discards the unit of work, and a retry re-runs only the recording. On any
/// failure before the commit nothing is saved; if the commit succeeded and the event dispatcher then failed, the data
/// is saved and recording the purchase again reports it. Not thread-safe, like the unit of work.
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
    /// <param name="purchase">The purchase, or a refund created with <see cref="Purchase.CreateRefund"/>; it is not changed (a copy is stored).</param>
    /// <param name="options">Which loyalty programme and lifecycle rules apply; <see cref="PurchaseRecordingOptions.StoreOnly"/> for none.</param>
    /// <param name="cancellationToken">Cancels the recording before it commits.</param>
    /// <returns>
    /// What was stored, booked and changed. For a transaction already stored, <see cref="PurchaseRecording.AlreadyRecorded"/>
    /// is true and the steps the options ask for are completed if an earlier recording left them out: a purchase stored
    /// with <see cref="PurchaseRecordingOptions.StoreOnly"/> earns its points when recorded again with a programme (less
    /// what refunds recorded meanwhile take back), and lifecycle rules are applied to the customer's facts as they are
    /// now. A repeat of a complete recording saves nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// A negative total without an original transaction (create refunds with <see cref="Purchase.CreateRefund"/>), or a
    /// refund whose original transaction is itself a refund or another customer's purchase.
    /// </exception>
    /// <exception cref="AggregateNotFoundException">The customer is not registered (or a merge redirect leads nowhere), or a refund's original purchase is not stored.</exception>
    /// <exception cref="CustomerErasedException">The customer was erased.</exception>
    /// <exception cref="TransactionIdConflictException">The transaction id is already stored for a different purchase, possibly of another tenant.</exception>
    /// <exception cref="CurrencyMismatchException">The purchase is not in the programme's currency, or a refund not in its purchase's.</exception>
    /// <exception cref="IdempotencyKeyConflictException">The transaction id was used as the key of another kind of loyalty operation.</exception>
    /// <exception cref="LedgerEntryNotFoundException">
    /// A refund of a purchase whose points came into the account by a customer merge stored by a version before merges
    /// carried the purchase's returns (later merges are followed): take the points back with
    /// <see cref="LoyaltyAccount.Adjust"/> and record the refund with <see cref="PurchaseRecordingOptions.StoreOnly"/>.
    /// </exception>
    /// <exception cref="ReversalBlockedException">A refund would take back points already spent and the programme blocks that.</exception>
    /// <exception cref="ConcurrencyConflictException">The customer's records kept changing during every attempt; nothing was saved.</exception>
    /// <exception cref="Tenancy.TenantMismatchException">Tenancy is on and the purchase belongs to another tenant than the scope's.</exception>
    public Task<PurchaseRecording> RecordAsync(Purchase purchase, PurchaseRecordingOptions options, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(purchase);
        Preconditions.CheckNotNull(options);
        Preconditions.CheckArgument(!purchase.IsRefund || purchase.OriginalTransactionId is not null, nameof(purchase),
            "A negative total is a refund and must name the purchase it refunds: create it with Purchase.CreateRefund.");
        var attempt = new Attempt(this, purchase, options);
        return ConcurrencyRetry.ExecuteAsync((_, ct) => attempt.RunAsync(ct), cancellationToken: cancellationToken);
    }

    // How many collisions a race with another recording of the same customer can cause (its first account, its lifecycle).
    private const int MaxRaceCollisions = 2;

    /// <summary>The state one recording keeps across its attempts.</summary>
    private sealed class Attempt(PurchaseRecorder recorder, Purchase purchase, PurchaseRecordingOptions options)
    {
        // Attempts that found no stored purchase and ended on a duplicate. A race with another recording of the customer
        // collides at most twice (its first account, then its lifecycle) and the next attempt then sees what the other
        // stored; a purchase still invisible after more collisions than that is stored under another tenant (transaction
        // ids are unique across tenants), which no retry changes. Counted rather than read from the exception, because a
        // database reports the batch's first added row, not necessarily the one that clashed.
        private int _unseenCollisions;

        public async Task<PurchaseRecording> RunAsync(CancellationToken ct)
        {
            Purchase? stored = null;
            try
            {
                stored = await recorder._purchases.GetByIdAsync(purchase.TransactionId, ct).ConfigureAwait(false);
                if (stored is null && _unseenCollisions > MaxRaceCollisions)
                {
                    throw new TransactionIdConflictException(purchase.TransactionId, "the tenant");
                }
                return await recorder.RecordOnceAsync(purchase, stored, options, ct).ConfigureAwait(false);
            }
            catch (DuplicateAggregateException e)
            {
                // Another recording of this transaction (or the customer's first account or lifecycle) committed first: the
                // next attempt finds it and completes or reports it.
                recorder._unitOfWork.Discard();
                _unseenCollisions += stored is null ? 1 : 0;
                throw new ConcurrencyConflictException(e.AggregateType, e.AggregateId, 0, null, e);
            }
            catch
            {
                recorder._unitOfWork.Discard(); // nothing half-registered stays behind for the scope's next commit
                throw;
            }
        }
    }

    /// <summary>One attempt, given what the store holds under the transaction id (null for nothing).</summary>
    private async Task<PurchaseRecording> RecordOnceAsync(Purchase purchase, Purchase? stored, PurchaseRecordingOptions options, CancellationToken ct)
    {
        Customer? customer;
        if (stored is not null)
        {
            // A repeat: the stored purchase is the truth (it may have moved to a merge's survivor since). Its customer may
            // have been erased or lost since; then there is nothing to complete.
            await EnsureSameAsync(stored, purchase, ct).ConfigureAwait(false);
            customer = await _customers.GetByIdAsync(stored.CustomerId, ct).ConfigureAwait(false);
            if (customer is null || customer.IsErased || customer.IsMerged)
            {
                return new PurchaseRecording(stored, AlreadyRecorded: true, await BookedEntryAsync(stored, options, ct).ConfigureAwait(false), []);
            }
        }
        else
        {
            customer = await CurrentCustomerAsync(purchase, ct).ConfigureAwait(false);
            if (purchase.IsRefund)
            {
                await CheckOriginalAsync(purchase, customer, ct).ConfigureAwait(false);
            }
        }

        // A copy is stored, under the customer the id stands for now: the caller's instance stays unsaved, so the same
        // instance may be recorded again (a retry, or several workers) and always reaches the repeat check above.
        var recorded = stored ?? purchase.MovedTo(customer.Id);
        var now = _clock.GetCurrentInstant();
        var changed = stored is null;
        if (stored is null)
        {
            await _purchases.AddAsync(recorded, ct).ConfigureAwait(false);
        }
        LedgerEntry? entry = null;
        IReadOnlyList<LedgerEntry> booked = [];
        if (options.Programme is { } programme)
        {
            (entry, booked) = await ApplyLoyaltyAsync(recorded, isNew: stored is null, programme, options.EarningContext, customer, now, ct).ConfigureAwait(false);
            changed |= booked.Count > 0;
        }
        IReadOnlyList<RuleFiring> fired = [];
        if (options.LifecycleRules is { } rules)
        {
            (fired, var moved) = await ApplyLifecycleAsync(recorded, isNew: stored is null, rules, options, customer, now, ct).ConfigureAwait(false);
            changed |= moved;
        }
        if (changed)
        {
            await _unitOfWork.CommitAsync(ct).ConfigureAwait(false);
            foreach (var committed in booked)
            {
                LoyaltyMetrics.Committed(options.Programme!.Id, committed); // after the commit, as LoyaltyService counts
            }
        }
        return new PurchaseRecording(recorded, AlreadyRecorded: stored is not null, entry, fired);
    }

    // A refund takes back what its purchase earned: that purchase must be stored, be this customer's, in its currency.
    private async Task CheckOriginalAsync(Purchase refund, Customer customer, CancellationToken ct)
    {
        var id = refund.OriginalTransactionId!.Value; // RecordAsync refused refunds without one
        var original = await _purchases.GetByIdAsync(id, ct).ConfigureAwait(false)
            ?? throw new AggregateNotFoundException(nameof(Purchase), id.Value,
                "record the original purchase before its refund, so that the refund takes back what the purchase earned.");
        Preconditions.CheckArgument(!original.IsRefund, nameof(refund), $"Transaction '{id}' is itself a refund: a refund names the purchase it refunds.");
        Preconditions.CheckArgument(original.CustomerId == customer.Id, nameof(refund), $"Transaction '{id}' is another customer's purchase: a refund belongs to the customer who bought.");
        if (original.Total.Currency != refund.Total.Currency)
        {
            throw new CurrencyMismatchException(original.Total.Currency, refund.Total.Currency);
        }
    }

    // A repeat sends the same purchase again; the stored one may have moved to a merge's survivor since.
    private async Task EnsureSameAsync(Purchase stored, Purchase repeat, CancellationToken ct)
    {
        var difference = stored.Total != repeat.Total ? "the total"
            // Databases keep instants to the microsecond (PostgreSQL) while clocks tick in 100 ns: equal within that.
            : Duration.Max(stored.OccurredAt - repeat.OccurredAt, repeat.OccurredAt - stored.OccurredAt) >= Duration.FromNanoseconds(1_000) ? "the time"
            : stored.OriginalTransactionId != repeat.OriginalTransactionId ? "the original transaction"
            : stored.Channel != repeat.Channel ? "the channel"
            : !SameLines(stored.Lines, repeat.Lines) ? "the lines"
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

    // The same basket (every field of every line), whatever order a store returns the lines in.
    private static bool SameLines(IReadOnlyList<PurchaseLine> stored, IReadOnlyList<PurchaseLine> repeat)
    {
        if (stored.Count != repeat.Count)
        {
            return false;
        }
        var (a, b) = (Sorted(stored), Sorted(repeat));
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Sku != b[i].Sku || a[i].Quantity != b[i].Quantity || a[i].UnitPrice != b[i].UnitPrice || a[i].Amount != b[i].Amount
                || a[i].Kind != b[i].Kind || !string.Equals(a[i].Category, b[i].Category, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;

        static List<PurchaseLine> Sorted(IReadOnlyList<PurchaseLine> lines) =>
            lines.OrderBy(l => l.Sku.Value, StringComparer.Ordinal).ThenBy(l => l.Quantity).ThenBy(l => l.UnitPrice.Amount)
                .ThenBy(l => l.Amount.Amount).ThenBy(l => l.Kind).ThenBy(l => l.Category, StringComparer.Ordinal).ToList();
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

    // What the programme booked for a stored purchase: its earn entry, or a refund's reverse entry (null for none).
    private async Task<LedgerEntry?> BookedEntryAsync(Purchase stored, PurchaseRecordingOptions options, CancellationToken ct)
    {
        if (options.Programme is not { } programme
            || await _accounts.GetByIdAsync(new LoyaltyAccountId(programme.Id, stored.CustomerId), ct).ConfigureAwait(false) is not { } account)
        {
            return null;
        }
        return account.TryGetOriginalEntry(stored.TransactionId.Value, out var entry) && entry is EarnEntry or ReverseEntry ? entry : null;
    }

    // The purchase's (or refund's) entry, and the entries this attempt added to the ledger (none for a repeat).
    private async Task<(LedgerEntry? Entry, IReadOnlyList<LedgerEntry> Booked)> ApplyLoyaltyAsync(Purchase purchase, bool isNew, LoyaltyProgramme programme, EarningContext? context,
        Customer customer, Instant now, CancellationToken ct)
    {
        var id = new LoyaltyAccountId(programme.Id, customer.Id);
        var account = await _accounts.GetByIdAsync(id, ct).ConfigureAwait(false);
        if (purchase.IsRefund)
        {
            // A refund of a purchase that earned nothing in this programme (bought before the member joined) has no
            // points to take back; it is still stored.
            if (account is null || !account.TryGetEntry(purchase.OriginalTransactionId!.Value.Value, out _))
            {
                return (null, []);
            }
            var reversal = account.Reverse(programme, purchase, now);
            if (reversal.AlreadyApplied)
            {
                return (reversal.Entry, []);
            }
            await _accounts.UpdateAsync(account, ct).ConfigureAwait(false);
            return (reversal.Entry, [reversal.Entry]);
        }
        var opened = account is null;
        account ??= LoyaltyAccount.Open(id, programme, now, customer.TenantId);
        var earned = account.Accrue(programme, purchase, now, context);
        if (earned.AlreadyApplied)
        {
            return (earned.Entry, []);
        }
        List<LedgerEntry> booked = [earned.Entry];
        if (!isNew)
        {
            // Points completed for a purchase stored earlier without them: refunds recorded meanwhile found nothing to take
            // back then, so they take back their share now, in the same commit.
            foreach (var refund in await _purchases.ListAsync(new RefundsOf(purchase.TransactionId), ct).ConfigureAwait(false))
            {
                booked.Add(account.Reverse(programme, refund, now).Entry);
            }
        }
        await (opened ? _accounts.AddAsync(account, ct) : _accounts.UpdateAsync(account, ct)).ConfigureAwait(false);
        return (earned.Entry, booked);
    }

    private async Task<(IReadOnlyList<RuleFiring> Fired, bool Changed)> ApplyLifecycleAsync(Purchase purchase, bool isNew, TransitionRuleSet rules,
        PurchaseRecordingOptions options, Customer customer, Instant now, CancellationToken ct)
    {
        var lifecycle = await _lifecycles.GetByIdAsync(customer.Id, ct).ConfigureAwait(false);
        if (lifecycle is null && purchase.IsRefund)
        {
            return ([], false); // lifecycles start with a purchase, not a refund
        }
        if (lifecycle is not null && !rules.Model.IsSameLadderAs(lifecycle.Model))
        {
            // The customer follows another ladder (a B2B customer under B2C rules): the purchase and its points matter
            // more than a configuration mismatch, so the lifecycle is left as it is.
            return ([], false);
        }
        var started = lifecycle is null;
        lifecycle ??= CustomerLifecycle.Start(customer.Id, rules.Model, Max(now, customer.CreatedAt), options.Actor, tenantId: customer.TenantId);
        var dayAdded = !purchase.IsRefund && lifecycle.RecordPurchase(purchase.OccurredAt.InZone(options.Zone).Date);
        // The facts as of this purchase: a new purchase is not in the store's count yet (it commits below).
        var purchases = await _purchases.CountAsync(new PurchasesOf(customer.Id), ct).ConfigureAwait(false) + (isNew && !purchase.IsRefund ? 1 : 0);
        var service = await _interactions.CountAsync(new ServiceInteractionsOf(customer.Id, options.ServiceInteractionTypes), ct).ConfigureAwait(false);
        var facts = LifecycleFacts.From(customer, [], []) with { Purchases = Clamp(purchases), ServiceInteractions = Clamp(service) };
        var fired = lifecycle.ApplyRules(rules, facts, Max(now, lifecycle.History[^1].At));
        // A new purchase or refund saves the lifecycle even when nothing in it changed: two purchases of one customer
        // at once then conflict, and the retry counts both, instead of each counting one purchase too few.
        if (!started && !dayAdded && fired.Count == 0 && !isNew)
        {
            return (fired, false);
        }
        await (started ? _lifecycles.AddAsync(lifecycle, ct) : _lifecycles.UpdateAsync(lifecycle, ct)).ConfigureAwait(false);
        return (fired, true);
    }

    private static int Clamp(long count) => (int)Math.Min(count, int.MaxValue);

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private sealed class PurchasesOf : Specification<Purchase>
    {
        public PurchasesOf(CustomerId id) => Query.Where(p => p.CustomerId == id && !p.IsRefund);
    }

    private sealed class RefundsOf : Specification<Purchase>
    {
        public RefundsOf(TransactionId original) => Query.Where(p => p.OriginalTransactionId == original && p.IsRefund).OrderBy(p => p.OccurredAt);
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
