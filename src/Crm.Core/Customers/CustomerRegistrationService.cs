using Crm.Core.Duplicates;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using NodaTime;

namespace Crm.Core.Customers;

/// <summary>What a registration or import should record about a customer.</summary>
/// <remarks>
/// Everything is validated when the customer is built, before anything is looked up or saved: bad input registers
/// nothing. Not thread-safe (fill it, then pass it).
/// </remarks>
public sealed class CustomerRegistration
{
    /// <summary>Creates the registration.</summary>
    /// <param name="id">The id the customer gets when created (an import that finds the customer keeps the stored id).</param>
    /// <param name="name">The name.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is the uninitialised default.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public CustomerRegistration(CustomerId id, CustomerName name)
    {
        Id = Preconditions.CheckNotDefault(id);
        Name = Preconditions.CheckNotNull(name);
    }

    /// <summary>The id the customer gets when created.</summary>
    public CustomerId Id { get; }

    /// <summary>The name.</summary>
    public CustomerName Name { get; }

    /// <summary>A person's birth date, if known.</summary>
    public LocalDate? BirthDate { get; init; }

    /// <summary>Email addresses as typed; the first is the primary.</summary>
    public IList<string> Emails { get; } = new List<string>();

    /// <summary>Phone numbers; the first valid one is the primary.</summary>
    public IList<PhoneNumber> Phones { get; } = new List<PhoneNumber>();

    /// <summary>Postal addresses; the first is the primary.</summary>
    public IList<PostalAddress> PostalAddresses { get; } = new List<PostalAddress>();

    /// <summary>Ids in other systems, by source system code.</summary>
    public IDictionary<string, string> ExternalIds { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The tenant, when the host uses tenancy and does not supply it from the ambient context.</summary>
    public TenantId? TenantId { get; init; }

    /// <summary>The id only; never the name or contact details.</summary>
    public override string ToString() => $"Registration of customer {Id}";
}

/// <summary>What a registration or import did.</summary>
public enum RegistrationOutcome
{
    /// <summary>A new customer was created.</summary>
    Created = 1,

    /// <summary>An import found the customer by its external id and updated it.</summary>
    Updated = 2,
}

/// <summary>The result of <see cref="CustomerRegistrationService.RegisterAsync"/> or <see cref="CustomerRegistrationService.ImportAsync"/>.</summary>
/// <param name="Customer">The customer as saved.</param>
/// <param name="Outcome">Created or updated.</param>
/// <param name="Duplicates">The stored customers the new one may duplicate (under <see cref="DuplicatePolicy.Warn"/>); empty for updates.</param>
public sealed record CustomerRegistrationResult(Customer Customer, RegistrationOutcome Outcome, IReadOnlyList<DuplicateCandidate> Duplicates)
{
    /// <summary>Whether possible duplicates were found.</summary>
    public bool HasDuplicates => Duplicates.Count > 0;
}

/// <summary>
/// The entry point for adding customers: registration (a sign-up form, a call-centre agent) and import
/// (create-or-update by the id in a source system), both checking for duplicates before anything is created.
/// Resolve it from dependency injection (registered by <c>AddCrmCore()</c>) in the same scope as the store.
/// </summary>
/// <remarks>
/// <para>
/// Duplicate checks use the <see cref="DuplicateRules"/> passed in (exact email, phone and external id by default);
/// <see cref="DuplicatePolicy.Warn"/> registers and reports the candidates, <see cref="DuplicatePolicy.Refuse"/> throws
/// <see cref="DuplicateCustomerException"/> listing their ids. The check and the insert are not one atomic step: two
/// simultaneous registrations of one person can both pass; the batch scan (<see cref="DuplicateFinder.ScanAsync"/>)
/// finds such pairs afterwards.
/// </para>
/// <para>Each call commits the scope's <see cref="IUnitOfWork"/> (including anything else registered with it); a call that
/// fails discards it instead, so nothing registered in the scope — a pending <see cref="Privacy.IErasureRegistry.ReleaseAsync"/>
/// included — is written by a later commit. Not thread-safe: one per scope.</para>
/// </remarks>
public sealed class CustomerRegistrationService
{
    private readonly IRepository<Customer, CustomerId> _customers;
    private readonly IUnitOfWork _unitOfWork;
    private readonly IClock _clock;
    private readonly DuplicateFinder _finder;
    private readonly Privacy.IErasureRegistry? _erasures;

    /// <summary>Creates the service over a store.</summary>
    /// <param name="customers">The customers.</param>
    /// <param name="unitOfWork">The scope's unit of work.</param>
    /// <param name="clock">The clock that stamps registrations.</param>
    /// <param name="erasures">
    /// The external ids of erased customers (registered by <c>AddPrivacy</c>): registrations and imports carrying one are
    /// refused with <see cref="Privacy.ErasedExternalIdException"/>. Null (privacy not registered) checks nothing.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="erasures"/> is null.</exception>
    public CustomerRegistrationService(IRepository<Customer, CustomerId> customers, IUnitOfWork unitOfWork, IClock clock, Privacy.IErasureRegistry? erasures = null)
    {
        _customers = Preconditions.CheckNotNull(customers);
        _unitOfWork = Preconditions.CheckNotNull(unitOfWork);
        _clock = Preconditions.CheckNotNull(clock);
        _finder = new DuplicateFinder(customers);
        _erasures = erasures;
    }

    /// <summary>Registers a new customer after checking for duplicates.</summary>
    /// <param name="registration">What to record.</param>
    /// <param name="policy">What to do when duplicates are found.</param>
    /// <param name="rules">The match rules; <see cref="DuplicateRules.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The customer (created) and the candidates found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registration"/> is null.</exception>
    /// <exception cref="ArgumentException">A value in <paramref name="registration"/> is invalid (nothing is registered).</exception>
    /// <exception cref="DuplicateContactPointException">The registration lists one contact point twice.</exception>
    /// <exception cref="DuplicateCustomerException"><paramref name="policy"/> is <see cref="DuplicatePolicy.Refuse"/> and candidates were found.</exception>
    /// <exception cref="DuplicateAggregateException">A customer with the registration's id exists.</exception>
    /// <exception cref="Privacy.ErasedExternalIdException">An external id of the registration belonged to an erased customer (privacy registered): skip it, or call <see cref="Privacy.IErasureRegistry.ReleaseAsync"/> first to re-create the person deliberately.</exception>
    public async Task<CustomerRegistrationResult> RegisterAsync(CustomerRegistration registration, DuplicatePolicy policy = DuplicatePolicy.Warn,
        DuplicateRules? rules = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(registration);
        Preconditions.CheckDefined(policy);
        try
        {
            var customer = Build(registration, _clock.GetCurrentInstant());
            await EnsureNotErasedAsync(customer, cancellationToken).ConfigureAwait(false);
            return await CreateAsync(customer, policy, rules, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Discard(); // a refused registration leaves nothing pending (a ReleaseAsync of this scope included)
            throw;
        }
    }

    /// <summary>
    /// Creates or updates the customer that <paramref name="sourceSystem"/> knows as <paramref name="externalId"/>:
    /// when a customer is linked to that id (directly, or through a merged record that redirects to its survivor) it
    /// is updated — renamed, given the birth date, contact points and external ids it lacks; otherwise a customer is
    /// created from <paramref name="registration"/>, with the same duplicate check as <see cref="RegisterAsync"/>.
    /// </summary>
    /// <param name="sourceSystem">The source system's code, e.g. <c>webshop</c>.</param>
    /// <param name="externalId">The customer's id in that system (linked to the customer created).</param>
    /// <param name="registration">What to record.</param>
    /// <param name="policy">What to do when a new customer may duplicate stored ones.</param>
    /// <param name="rules">The match rules; <see cref="DuplicateRules.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The customer and whether it was created or updated.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A value is invalid, or the registration links <paramref name="sourceSystem"/> to another id (nothing is saved).</exception>
    /// <exception cref="ExternalIdConflictException">The stored customer is linked to another id in a system the registration names.</exception>
    /// <exception cref="DuplicateCustomerException"><paramref name="policy"/> is <see cref="DuplicatePolicy.Refuse"/> and candidates were found for a new customer.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone changed the customer meanwhile: retry the import.</exception>
    /// <exception cref="Privacy.ErasedExternalIdException">The id (or another external id of the registration) belonged to an erased customer (privacy registered): skip the record, or call <see cref="Privacy.IErasureRegistry.ReleaseAsync"/> first, in the same scope, to re-create the person deliberately. When the exception's <see cref="Privacy.ErasedExternalIdException.ErasedCustomerId"/> is set, erase that customer again first (see the exception's remarks).</exception>
    public async Task<CustomerRegistrationResult> ImportAsync(string sourceSystem, string externalId, CustomerRegistration registration,
        DuplicatePolicy policy = DuplicatePolicy.Warn, DuplicateRules? rules = null, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(registration);
        Preconditions.CheckDefined(policy);
        var byExternalId = new CustomerByExternalId(sourceSystem, externalId); // validates both
        var system = Token.Normalize(sourceSystem, nameof(sourceSystem), "source system code");
        foreach (var (otherSystem, otherId) in registration.ExternalIds)
        {
            Preconditions.CheckArgument(Token.Normalize(otherSystem, nameof(registration), "source system code") != system || otherId == externalId,
                nameof(registration), "The registration links the import's source system to another id; leave it out or make it the same.");
        }
        try
        {
            var now = _clock.GetCurrentInstant();
            var incoming = Build(registration, now);
            incoming.LinkExternalId(system, externalId, now);

            // The one place where an import decides that a customer is new: an erased customer's external ids are no longer
            // linked to anyone, so without this check the import would silently re-create (re-identify) the person.
            await EnsureNotErasedAsync(incoming, cancellationToken).ConfigureAwait(false);

            var stored = await _customers.FirstOrDefaultAsync(byExternalId, cancellationToken).ConfigureAwait(false);
            stored = await MergeRedirects.FollowAsync(_customers, stored, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return await CreateAsync(incoming, policy, rules, cancellationToken).ConfigureAwait(false);
            }
            if (stored.IsErased)
            {
                // Updating an erased record with the incoming data would re-identify the person under the old pseudonym.
                // Only a record erased before erasure reached its merged records is reached this way; the exception says
                // how to re-create the person deliberately.
                throw Privacy.ErasedExternalIdException.ReachedThroughMergedRecord(system, stored.Id);
            }

            ApplyImport(stored, incoming, now);
            await _customers.UpdateAsync(stored, cancellationToken).ConfigureAwait(false);
            await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new CustomerRegistrationResult(stored, RegistrationOutcome.Updated, []);
        }
        catch
        {
            Discard(); // a refused import leaves nothing pending (a ReleaseAsync of this scope included)
            throw;
        }
    }

    private async Task<CustomerRegistrationResult> CreateAsync(Customer customer, DuplicatePolicy policy, DuplicateRules? rules, CancellationToken cancellationToken)
    {
        var candidates = await _finder.FindAsync(customer, rules, cancellationToken).ConfigureAwait(false);
        if (candidates.Count > 0 && policy == DuplicatePolicy.Refuse)
        {
            throw new DuplicateCustomerException(customer.Id, candidates);
        }
        await _customers.AddAsync(customer, cancellationToken).ConfigureAwait(false);
        await _unitOfWork.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CustomerRegistrationResult(customer, RegistrationOutcome.Created, candidates);
    }

    private void Discard()
    {
        _unitOfWork.Discard();
        // The registry's releases were registered in the discarded unit of work: the ids count as erased again.
        (_erasures as Privacy.ErasureRegistry)?.ForgetReleases();
    }

    private async Task EnsureNotErasedAsync(Customer incoming, CancellationToken cancellationToken)
    {
        if (_erasures is null)
        {
            return;
        }
        foreach (var (system, id) in incoming.ExternalIds)
        {
            await _erasures.EnsureNotErasedAsync(system, id, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Customer Build(CustomerRegistration registration, Instant now)
    {
        var customer = Customer.Register(registration.Id, registration.Name, now, registration.TenantId);
        if (registration.BirthDate is { } birthDate)
        {
            customer.SetBirthDate(birthDate, now);
        }
        foreach (var email in registration.Emails)
        {
            customer.AddEmail(email, now);
        }
        foreach (var phone in registration.Phones)
        {
            customer.AddPhone(phone, now);
        }
        foreach (var address in registration.PostalAddresses)
        {
            customer.AddPostalAddress(address, now);
        }
        foreach (var (system, id) in registration.ExternalIds)
        {
            customer.LinkExternalId(system, id, now);
        }
        return customer;
    }

    // Everything is checked on the incoming (already built and validated) customer first; the stored one only
    // receives what it lacks, and a conflicting external id is found before any change.
    private static void ApplyImport(Customer stored, Customer incoming, Instant now)
    {
        foreach (var (system, id) in incoming.ExternalIds)
        {
            if (stored.ExternalIds.TryGetValue(system, out var existing) && existing != id)
            {
                throw new ExternalIdConflictException(stored.Id, system);
            }
        }
        if (stored.Kind != incoming.Kind)
        {
            throw new CustomerKindMismatchException(stored.Id, stored.Kind, incoming.Kind, "import a name of another kind");
        }
        if (stored.Name != incoming.Name)
        {
            stored.Rename(incoming.Name, now);
        }
        if (incoming.BirthDate is { } birthDate && stored.BirthDate != birthDate)
        {
            stored.SetBirthDate(birthDate, now);
        }
        foreach (var (system, id) in incoming.ExternalIds)
        {
            stored.LinkExternalId(system, id, now);
        }
        foreach (var email in incoming.Emails.Where(e => !stored.Emails.Any(s => s.Address == e.Address)))
        {
            stored.AddEmail(email.Address, now);
        }
        foreach (var phone in incoming.Phones.Where(p => !stored.Phones.Any(s => s.Number == p.Number)))
        {
            stored.AddPhone(phone.Number, now);
        }
        foreach (var postal in incoming.PostalAddresses.Where(p => !stored.PostalAddresses.Any(s => s.Address.IsSamePlaceAs(p.Address))))
        {
            stored.AddPostalAddress(postal.Address, now);
        }
    }
}
