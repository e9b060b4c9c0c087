using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The conformance kit for tenant isolation (<c>AddCrmCore().UseTenancy()</c>): with tenancy on, no read returns and no
/// write touches another tenant's data, through the repositories, the unit of work and the profile store; a missing
/// tenant is an error, never "all tenants"; ids are global, so an id of another tenant can neither be added again nor seen.
/// </summary>
/// <remarks>
/// The kit switches tenancy on itself (<see cref="ConfigureCrmCore"/>) with the ready-made <see cref="AmbientTenantContext"/>.
/// Every test uses fresh tenants and ids, so a shared database is fine. <see cref="Cases"/> sets how many random
/// operation sequences the property checks.
/// </remarks>
public abstract partial class TenantIsolationConformanceTests : StoreConformanceTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 1, 1, 0, 0);

    /// <summary>How many random multi-tenant operation sequences the property checks (each up to 30 operations).</summary>
    protected virtual int Cases => 20;

    /// <summary>
    /// Replays a failure of the properties: the seed FsCheck printed, <c>"seed,gamma"</c> (the whole run again) or
    /// <c>"seed,gamma,size"</c> (from "Replay directly at failing step with"), or null (the default) for random runs.
    /// </summary>
    /// <remarks>Each run uses fresh tenants and ids, so a replay generates and checks the same operations against any store.</remarks>
    protected virtual string? Replay => null;

    /// <inheritdoc/>
    protected override void ConfigureCrmCore(ICrmCoreBuilder builder) => builder.UseTenancy();

    /// <summary>The tenant context the kit enters tenants with.</summary>
    protected AmbientTenantContext Tenants => Services.GetRequiredService<AmbientTenantContext>();

    /// <summary>Runs <paramref name="work"/> in a new scope with <paramref name="tenant"/> current.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="work">The work.</param>
    /// <returns>A task that completes with the work.</returns>
    protected async Task InTenantAsync(TenantId tenant, Func<IServiceProvider, Task> work)
    {
        using (Tenants.Enter(tenant))
        {
            await InScopeAsync(work).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a new scope with <paramref name="tenant"/> current.</summary>
    /// <typeparam name="TResult">What the work returns.</typeparam>
    /// <param name="tenant">The tenant.</param>
    /// <param name="work">The work.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    protected async Task<TResult> InTenantAsync<TResult>(TenantId tenant, Func<IServiceProvider, Task<TResult>> work)
    {
        using (Tenants.Enter(tenant))
        {
            return await InScopeAsync(work).ConfigureAwait(false);
        }
    }

    /// <summary>A tenant no other test uses.</summary>
    /// <param name="name">A readable prefix.</param>
    /// <returns>The tenant.</returns>
    protected static TenantId FreshTenant(string name) => new($"{name}-{Guid.NewGuid():N}");

    /// <summary>A customer with an owner (a query column) and an optional email (a look-up key).</summary>
    /// <param name="id">The id.</param>
    /// <param name="owner">The owner id, used as the value the tests compare.</param>
    /// <param name="tenant">The tenant it carries, or null to let the store assign the current one.</param>
    /// <param name="email">An email address, or null.</param>
    /// <returns>The new customer.</returns>
    protected static Customer NewCustomer(CustomerId id, string owner, TenantId? tenant = null, string? email = null)
    {
        var customer = Customer.Register(id, CustomerName.Person("Test", "Person"), At, tenant);
        customer.AssignOwnership(owner, null, At);
        if (email is not null)
        {
            customer.AddEmail(email, At);
        }
        return customer;
    }

    private static IRepository<Customer, CustomerId> Customers(IServiceProvider scope) => scope.GetRequiredService<IRepository<Customer, CustomerId>>();

    private static IRepository<Purchase, TransactionId> Purchases(IServiceProvider scope) => scope.GetRequiredService<IRepository<Purchase, TransactionId>>();

    private static ICustomerProfileStore Profiles(IServiceProvider scope) => scope.GetRequiredService<ICustomerProfileStore>();

    /// <summary>Without a current tenant every repository and profile store call fails with <see cref="TenantRequiredException"/>.</summary>
    [SkippableFact]
    public async Task Missing_tenant_is_an_error_not_all_tenants()
    {
        var tenant = FreshTenant("missing");
        var id = new CustomerId("tm-" + Guid.NewGuid().ToString("N"));
        await InTenantAsync(tenant, async sp =>
        {
            await Customers(sp).AddAsync(NewCustomer(id, "o"));
            await UnitOfWork(sp).CommitAsync();
            await Profiles(sp).UpsertAsync(new CustomerProfile(id));
        });

        Assert.Null(Tenants.CurrentTenant);
        await InScopeAsync(async sp =>
        {
            var customers = Customers(sp);
            var all = Specification.Create<Customer>(q => q.Where(c => c.Id == id));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.GetByIdAsync(id));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.FirstOrDefaultAsync(all));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.ListAsync(all));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.ListAsync(new IdsOf([id])));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.CountAsync(all));
            await Assert.ThrowsAsync<TenantRequiredException>(() => customers.AnyAsync(all));
            await Assert.ThrowsAsync<TenantRequiredException>(async () =>
            {
                await foreach (var _ in customers.StreamAsync(all))
                {
                }
            });
            await Assert.ThrowsAsync<TenantRequiredException>(async () =>
            {
                await foreach (var _ in customers.StreamAsync(new IdsOf([id])))
                {
                }
            });
            var fresh = NewCustomer(new CustomerId("tm-" + Guid.NewGuid().ToString("N")), "o");
            await Assert.ThrowsAsync<TenantRequiredException>(async () =>
            {
                await customers.AddAsync(fresh);
                await UnitOfWork(sp).CommitAsync();
            });
            Assert.Null(fresh.TenantId);

            var profiles = Profiles(sp);
            var criterion = Criterion<CustomerProfile>.Where(p => p.CustomerId == id);
            await Assert.ThrowsAsync<TenantRequiredException>(() => profiles.FindAsync(id));
            await Assert.ThrowsAsync<TenantRequiredException>(() => profiles.CountAsync(criterion));
            await Assert.ThrowsAsync<TenantRequiredException>(() => profiles.UpsertAsync(new CustomerProfile(id)));
            await Assert.ThrowsAsync<TenantRequiredException>(() => profiles.RemoveAsync(id));
            await Assert.ThrowsAsync<TenantRequiredException>(async () =>
            {
                await foreach (var _ in profiles.StreamMatchingAsync(criterion, 10))
                {
                }
            });
        });

        // Nothing was touched: the tenant still has its customer and profile.
        await InTenantAsync(tenant, async sp =>
        {
            Assert.NotNull(await Customers(sp).GetByIdAsync(id));
            Assert.NotNull(await Profiles(sp).FindAsync(id));
        });
    }

    /// <summary>New aggregates get the current tenant; ones carrying another tenant are refused and left unchanged.</summary>
    [SkippableFact]
    public async Task Writes_get_the_current_tenant_and_refuse_another_tenants_data()
    {
        var mine = FreshTenant("mine");
        var theirs = FreshTenant("theirs");
        var id = new CustomerId("tw-" + Guid.NewGuid().ToString("N"));
        var foreign = NewCustomer(new CustomerId("tw-" + Guid.NewGuid().ToString("N")), "o", theirs);
        await InTenantAsync(mine, async sp =>
        {
            var customer = NewCustomer(id, "o");
            await Customers(sp).AddAsync(customer);
            await UnitOfWork(sp).CommitAsync();
            Assert.Equal(mine, customer.TenantId);
            Assert.Equal(mine, (await Customers(sp).GetByIdAsync(id))!.TenantId);

            var error = await Assert.ThrowsAsync<TenantMismatchException>(async () =>
            {
                await Customers(sp).AddAsync(foreign);
                await UnitOfWork(sp).CommitAsync();
            });
            Assert.Equal(mine, error.CurrentTenant);
            Assert.Equal(theirs, foreign.TenantId);
            Assert.Equal(0, foreign.Version);
            Assert.Null(await Customers(sp).GetByIdAsync(foreign.Id));

            await Profiles(sp).UpsertAsync(new CustomerProfile(id) { PurchaseCount = 3 });
            Assert.Equal(3, (await Profiles(sp).FindAsync(id))!.PurchaseCount);
        });
        await InTenantAsync(theirs, async sp =>
        {
            Assert.Null(await Customers(sp).GetByIdAsync(foreign.Id));
            Assert.Null(await Profiles(sp).FindAsync(foreign.Id));
        });
    }

    /// <summary>
    /// Ids are global: an id stored under another tenant cannot be added again (<see cref="DuplicateAggregateException"/>,
    /// exactly as for an id of the same tenant), its row stays unchanged and invisible, and a profile upsert for it is refused.
    /// </summary>
    [SkippableFact]
    public async Task An_id_of_another_tenant_can_neither_be_added_nor_seen()
    {
        var first = FreshTenant("first");
        var second = FreshTenant("second");
        var id = new CustomerId("ti-" + Guid.NewGuid().ToString("N"));
        await InTenantAsync(first, async sp =>
        {
            await Customers(sp).AddAsync(NewCustomer(id, "first-owner"));
            await UnitOfWork(sp).CommitAsync();
            await Profiles(sp).UpsertAsync(new CustomerProfile(id) { PurchaseCount = 1 });
        });
        await InTenantAsync(second, async sp =>
        {
            var clash = NewCustomer(id, "second-owner");
            await Assert.ThrowsAsync<DuplicateAggregateException>(async () =>
            {
                await Customers(sp).AddAsync(clash);
                await UnitOfWork(sp).CommitAsync();
            });
            UnitOfWork(sp).Discard();
            Assert.Null(await Customers(sp).GetByIdAsync(id));
            Assert.Equal(0, await Customers(sp).CountAsync(Specification.Create<Customer>(q => q.Where(c => c.Id == id))));
            await Assert.ThrowsAsync<TenantMismatchException>(() => Profiles(sp).UpsertAsync(new CustomerProfile(id) { PurchaseCount = 2 }));
            await Profiles(sp).RemoveAsync(id); // not found here: a no-op
            Assert.Null(await Profiles(sp).FindAsync(id));
        });
        await InTenantAsync(first, async sp =>
        {
            var stored = await Customers(sp).GetByIdAsync(id);
            Assert.Equal("first-owner", stored!.OwnerId);
            Assert.Equal(1, stored.Version);
            Assert.Equal(1, (await Profiles(sp).FindAsync(id))!.PurchaseCount);
        });
    }

    /// <summary>
    /// A stale copy whose row was removed and re-created by another tenant (same id) can neither update nor remove that
    /// row: the write fails as if the row did not exist (<see cref="ConcurrencyConflictException"/>) and the other tenant's row is untouched.
    /// </summary>
    [SkippableFact]
    public async Task A_stale_copy_cannot_reach_a_row_another_tenant_now_owns()
    {
        var first = FreshTenant("first");
        var second = FreshTenant("second");
        var id = new CustomerId("ts-" + Guid.NewGuid().ToString("N"));
        Customer? stale = null;
        await InTenantAsync(first, async sp =>
        {
            await Customers(sp).AddAsync(NewCustomer(id, "first-owner"));
            await UnitOfWork(sp).CommitAsync();
        });
        await InTenantAsync(first, async sp => stale = await Customers(sp).GetByIdAsync(id));
        await InTenantAsync(first, async sp =>
        {
            await Customers(sp).RemoveAsync((await Customers(sp).GetByIdAsync(id))!);
            await UnitOfWork(sp).CommitAsync();
        });
        await InTenantAsync(second, async sp =>
        {
            await Customers(sp).AddAsync(NewCustomer(id, "second-owner"));
            await UnitOfWork(sp).CommitAsync();
        });
        await InTenantAsync(first, async sp =>
        {
            stale!.AssignOwnership("hijack", null, At + Duration.FromHours(1));
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            {
                await Customers(sp).UpdateAsync(stale);
                await UnitOfWork(sp).CommitAsync();
            });
            UnitOfWork(sp).Discard();
        });
        await InTenantAsync(first, async sp =>
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            {
                await Customers(sp).RemoveAsync(stale!);
                await UnitOfWork(sp).CommitAsync();
            });
        });
        await InTenantAsync(second, async sp =>
        {
            var stored = await Customers(sp).GetByIdAsync(id);
            Assert.Equal("second-owner", stored!.OwnerId);
            Assert.Equal(1, stored.Version);
            Assert.Equal(second, stored.TenantId);
        });
    }

    /// <summary>The same email in two tenants: a look-up by email finds only the current tenant's customer.</summary>
    [SkippableFact]
    public async Task The_same_email_in_two_tenants_is_found_only_in_its_own_tenant()
    {
        var email = $"shared-{Guid.NewGuid():N}@example.test";
        var tenants = new[] { FreshTenant("mail-a"), FreshTenant("mail-b") };
        var ids = new List<CustomerId>();
        foreach (var tenant in tenants)
        {
            var id = new CustomerId("te-" + Guid.NewGuid().ToString("N"));
            ids.Add(id);
            await InTenantAsync(tenant, async sp =>
            {
                await Customers(sp).AddAsync(NewCustomer(id, tenant.Value, email: email));
                await UnitOfWork(sp).CommitAsync();
            });
        }
        for (var i = 0; i < tenants.Length; i++)
        {
            var found = await InTenantAsync(tenants[i], sp => Customers(sp).ListAsync(Specification.Create<Customer>(q => q.Where(c => c.Emails.Any(e => e.Address.Value == email)))));
            Assert.Equal([ids[i]], found.Select(c => c.Id));
        }
    }

    /// <summary>
    /// The property: random operations of three tenants over a few shared ids (add, load, update and remove through the
    /// unit of work, with fresh and stale copies and copies of another tenant; purchases; profile upserts and removals)
    /// behave exactly like a model in which every tenant has its own data and ids are global, and after every operation
    /// every read of every tenant (by id, by specification, counts, any, streams, projections, look-ups by email,
    /// profile finds, counts and rule streams) returns exactly that tenant's data.
    /// </summary>
    [SkippableFact]
    public async Task No_read_returns_and_no_write_touches_another_tenants_data()
    {
        // Weighted towards adds and loads, so that rows change hands between tenants and stale copies are common.
        var kinds = Gen.Frequency(
            (4, Gen.Constant(OperationKind.Add)), (4, Gen.Constant(OperationKind.Load)), (2, Gen.Constant(OperationKind.Update)),
            (3, Gen.Constant(OperationKind.Remove)), (1, Gen.Constant(OperationKind.UpdateWithAnotherTenantsCopy)),
            (1, Gen.Constant(OperationKind.RemoveWithAnotherTenantsCopy)), (1, Gen.Constant(OperationKind.AddPurchase)),
            (2, Gen.Constant(OperationKind.UpsertProfile)), (1, Gen.Constant(OperationKind.RemoveProfile)));
        var operation = from kind in kinds
                        from tenant in Gen.Choose(0, 2)
                        from item in Gen.Choose(0, Items - 1)
                        from value in Gen.Choose(0, 9)
                        select new Operation(kind, tenant, item, value);
        _ = Services; // skips here when the store is unavailable (inside a scenario the skip would be reported as a failure)
        await CheckOperationSequencesAsync(Gen.Choose(4, 30).SelectMany(n => Gen.ArrayOf(operation, n)), operations => new Scenario(this).RunAsync(operations));
    }

    /// <summary>
    /// Checks that <paramref name="run"/> succeeds for <see cref="Cases"/> random operation sequences, as an FsCheck
    /// property: a failure is reported with the seed that replays it (<see cref="Replay"/>) and the sequence shrunk to
    /// the operations it needs, each run on fresh tenants and ids.
    /// </summary>
    private async Task CheckOperationSequencesAsync<TOperation>(Gen<TOperation[]> generator, Func<TOperation[], Task> run)
    {
        var sequences = Arb.From(generator.Select(operations => new OperationSequence<TOperation>(operations)), sequence => sequence.Shrinks());
        var property = Prop.ForAll(sequences, sequence => run(sequence.Operations).GetAwaiter().GetResult());
        // FsCheck runs a property synchronously; on the thread pool (no xunit synchronization context) the blocking wait
        // for each scenario cannot starve the continuations it waits for.
        await Task.Run(() => Check.One(PropertyConfig(), property)).ConfigureAwait(false);
    }

    private Config PropertyConfig()
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(Cases);
        if (Replay is not { } replay)
        {
            return config;
        }
        var parts = replay.Split(',', StringSplitOptions.TrimEntries);
        var size = -1; // FsCheck's "no size": the run's sizes from the start
        if (parts.Length is < 2 or > 3 || !ulong.TryParse(parts[0], CultureInfo.InvariantCulture, out var seed)
            || !ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var gamma)
            || (parts.Length == 3 && !int.TryParse(parts[2], CultureInfo.InvariantCulture, out size)))
        {
            throw new FormatException($"Replay is \"{replay}\"; expected \"seed,gamma\" or \"seed,gamma,size\" as FsCheck prints them, e.g. \"4634178042318107378,3227321581270446469\".");
        }
        return config.WithReplay(seed, gamma, size);
    }

    /// <summary>One generated sequence of operations, printed one operation after the other (FsCheck prints the counterexample with <see cref="ToString"/>).</summary>
    private sealed class OperationSequence<TOperation>(TOperation[] operations)
    {
        public TOperation[] Operations => operations;

        /// <summary>
        /// Shorter sequences, largest cuts first: each half (a failure usually needs only a prefix, or the operations
        /// after some point), then the sequence without one operation, for every operation.
        /// </summary>
        public IEnumerable<OperationSequence<TOperation>> Shrinks()
        {
            if (operations.Length > 1)
            {
                yield return new(operations[..(operations.Length / 2)]);
                yield return new(operations[(operations.Length / 2)..]);
            }
            if (operations.Length > 2)
            {
                for (var i = 0; i < operations.Length; i++)
                {
                    yield return new([.. operations[..i], .. operations[(i + 1)..]]);
                }
            }
        }

        public override string ToString() => $"{operations.Length} operations: {string.Join(" ; ", operations)}";
    }

    // Few ids, so that tenants often meet on one id (global ids: adds collide, rows change hands).
    private const int Items = 2;

    private enum OperationKind
    {
        Add,
        Load,
        Update,
        Remove,
        UpdateWithAnotherTenantsCopy,
        AddPurchase,
        UpsertProfile,
        RemoveProfile,
        RemoveWithAnotherTenantsCopy,
    }

    private sealed record Operation(OperationKind Kind, int Tenant, int Item, int Value)
    {
        public override string ToString() => $"{Kind}(t{Tenant}, item {Item}, value {Value})";
    }

    private sealed class Scenario(TenantIsolationConformanceTests kit)
    {
        private readonly string _run = Guid.NewGuid().ToString("N")[..10];
        private readonly TenantId[] _tenants = [FreshTenant("p0"), FreshTenant("p1"), FreshTenant("p2")];
        private readonly Dictionary<int, (int Owner, long Version, string Owned, string Email)> _customers = new();
        // Copies loaded by some tenant (the last few): they go stale once another copy of the row is saved, or once the row
        // is removed and its id taken by another tenant.
        private readonly List<(int Tenant, int Item, Customer Copy)> _copies = new();
        private readonly Dictionary<int, int> _purchases = new();
        private readonly Dictionary<int, (int Owner, int Count)> _profiles = new();
        private readonly List<string> _log = new();
        private int _step;

        private CustomerId Id(int item) => new($"tp-{_run}-c{item}");

        private TransactionId Transaction(int item) => new($"tp-{_run}-t{item}");

        private string Email(int value) => $"tp-{_run}-{value % 2}@example.test";

        private List<CustomerId> AllIds => Enumerable.Range(0, Items).Select(Id).ToList();

        private (int Tenant, int Item, Customer Copy)? CopyOf(int value) =>
            _copies.Count > 0 ? _copies[value % _copies.Count] : null;

        private void Forget(Customer copy) => _copies.RemoveAll(c => ReferenceEquals(c.Copy, copy));

        public async Task RunAsync(Operation[] operations)
        {
            foreach (var operation in operations)
            {
                _step++;
                _log.Add(operation.ToString());
                try
                {
                    await ApplyAsync(operation);
                    // After every write (a load checks its own result; the final state is checked below).
                    if (operation.Kind != OperationKind.Load)
                    {
                        await CheckAllAsync();
                    }
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.StartsWith("After ", StringComparison.Ordinal))
                {
                    throw new Xunit.Sdk.XunitException($"After {string.Join(" ; ", _log)}: {e.GetType().Name}: {e.Message}", e);
                }
            }
            await CheckAllAsync();
        }

        private async Task CheckAllAsync()
        {
            for (var tenant = 0; tenant < _tenants.Length; tenant++)
            {
                await CheckAsync(tenant);
            }
        }

        private async Task ApplyAsync(Operation op)
        {
            var at = At + Duration.FromMinutes(_step);
            var tenant = _tenants[op.Tenant];
            var item = op.Item;
            switch (op.Kind)
            {
                case OperationKind.Add:
                {
                    var owned = $"v{_step}";
                    var email = Email(op.Value);
                    var expected = !_customers.ContainsKey(item);
                    var ok = await TryAsync<DuplicateAggregateException>(tenant, async sp =>
                    {
                        var customer = NewCustomer(Id(item), owned, email: email);
                        await Customers(sp).AddAsync(customer);
                        await UnitOfWork(sp).CommitAsync();
                        Assert.Equal(tenant, customer.TenantId);
                    });
                    Assert.True(expected == ok, $"Add: expected {(expected ? "success" : "DuplicateAggregateException")}");
                    if (ok)
                    {
                        _customers[item] = (op.Tenant, 1, owned, email);
                    }
                    break;
                }
                case OperationKind.Load:
                {
                    // Mostly by the owner (to collect copies); reads by the others are checked to see nothing anyway.
                    var reader = op.Value < 7 && _customers.TryGetValue(item, out var owned) ? owned.Owner : op.Tenant;
                    // Two independent copies: once one is saved or removed, the other is stale.
                    var loaded = await kit.InTenantAsync(_tenants[reader], async sp => (await Customers(sp).GetByIdAsync(Id(item)), await Customers(sp).GetByIdAsync(Id(item))));
                    Assert.Equal(_customers.TryGetValue(item, out var row) && row.Owner == reader, loaded.Item1 is not null);
                    if (loaded is ({ } first, { } second))
                    {
                        _copies.Add((reader, item, first));
                        _copies.Add((reader, item, second));
                        if (_copies.Count > 4)
                        {
                            _copies.RemoveRange(0, _copies.Count - 4);
                        }
                    }
                    break;
                }
                case OperationKind.Update:
                case OperationKind.Remove:
                {
                    if (CopyOf(op.Value) is not { } picked)
                    {
                        break;
                    }
                    // The copy's own tenant writes it: success exactly when the row is still that tenant's, at the copy's version.
                    (item, tenant) = (picked.Item, _tenants[picked.Tenant]);
                    var copy = picked.Copy;
                    var expected = _customers.TryGetValue(item, out var row) && row.Owner == picked.Tenant && row.Version == copy.Version;
                    var owned = $"v{_step}";
                    var remove = op.Kind == OperationKind.Remove;
                    if (!remove)
                    {
                        copy.AssignOwnership(owned, null, at);
                    }
                    var ok = await TryAsync<ConcurrencyConflictException>(tenant, async sp =>
                    {
                        if (remove)
                        {
                            await Customers(sp).RemoveAsync(copy);
                        }
                        else
                        {
                            await Customers(sp).UpdateAsync(copy);
                        }
                        await UnitOfWork(sp).CommitAsync();
                    });
                    Assert.True(expected == ok, $"{op.Kind} of a copy at version {copy.Version}: expected {(expected ? "success" : "ConcurrencyConflictException")}");
                    if (ok && remove)
                    {
                        _customers.Remove(item);
                        Forget(copy);
                    }
                    else if (ok)
                    {
                        // The copy's whole state is written: after a remove and re-add by the same tenant, an older copy at
                        // the same version legitimately wins (versions cannot tell the rows apart), email included.
                        _customers[item] = (picked.Tenant, row.Version + 1, owned, copy.Emails.First().Address.Value);
                    }
                    else
                    {
                        Forget(copy); // changed but not saved: no longer a copy of anything
                    }
                    break;
                }
                case OperationKind.UpdateWithAnotherTenantsCopy:
                case OperationKind.RemoveWithAnotherTenantsCopy:
                {
                    if (CopyOf(op.Value) is not { } picked || picked.Tenant == op.Tenant)
                    {
                        break;
                    }
                    var copy = picked.Copy;
                    var before = (copy.Version, copy.OwnerId, copy.TenantId);
                    var ok = await TryAsync<TenantMismatchException>(tenant, async sp =>
                    {
                        if (op.Kind == OperationKind.RemoveWithAnotherTenantsCopy)
                        {
                            await Customers(sp).RemoveAsync(copy);
                        }
                        else
                        {
                            await Customers(sp).UpdateAsync(copy);
                        }
                        await UnitOfWork(sp).CommitAsync();
                    });
                    Assert.False(ok, $"{op.Kind}: a copy of tenant {picked.Tenant} was written under tenant {op.Tenant}");
                    Assert.Equal(before, (copy.Version, copy.OwnerId, copy.TenantId));
                    break;
                }
                case OperationKind.AddPurchase:
                {
                    var expected = !_purchases.ContainsKey(item);
                    var ok = await TryAsync<DuplicateAggregateException>(tenant, async sp =>
                    {
                        await Purchases(sp).AddAsync(Purchase.Create(Transaction(item), Id(item), at, Channel.Web, new Money(op.Value + 1, Currency.EUR)));
                        await UnitOfWork(sp).CommitAsync();
                    });
                    Assert.True(expected == ok, $"AddPurchase: expected {(expected ? "success" : "DuplicateAggregateException")}");
                    if (ok)
                    {
                        _purchases[item] = op.Tenant;
                    }
                    break;
                }
                case OperationKind.UpsertProfile:
                {
                    var expected = !_profiles.TryGetValue(item, out var profile) || profile.Owner == op.Tenant;
                    var ok = await TryAsync<TenantMismatchException>(tenant, sp => Profiles(sp).UpsertAsync(new CustomerProfile(Id(item)) { PurchaseCount = op.Value }));
                    Assert.True(expected == ok, $"UpsertProfile: expected {(expected ? "success" : "TenantMismatchException")}");
                    if (ok)
                    {
                        _profiles[item] = (op.Tenant, op.Value);
                    }
                    break;
                }
                default:
                {
                    await kit.InTenantAsync(tenant, sp => Profiles(sp).RemoveAsync(Id(item)));
                    if (_profiles.TryGetValue(item, out var profile) && profile.Owner == op.Tenant)
                    {
                        _profiles.Remove(item);
                    }
                    break;
                }
            }
        }

        /// <summary>Runs a write; false when it failed with <typeparamref name="TExpected"/> (any other failure fails the test).</summary>
        private async Task<bool> TryAsync<TExpected>(TenantId tenant, Func<IServiceProvider, Task> write)
            where TExpected : Exception
        {
            try
            {
                await kit.InTenantAsync(tenant, write);
                return true;
            }
            catch (TExpected)
            {
                return false;
            }
        }

        // The queries of the checks, built once per scenario (in memory, a specification compiles on first use).
        private Specification<Customer>? _ofRun;
        private IdsOf? _idsOf;
        private Specification<Customer>[]? _byEmail;
        private Specification<Purchase>? _purchasesOfRun;
        private Criterion<CustomerProfile>? _profilesOfRun;

        private async Task CheckAsync(int t)
        {
            var tenant = _tenants[t];
            var ids = AllIds;
            var transactions = Enumerable.Range(0, Items).Select(Transaction).ToList();
            var emails = new[] { Email(0), Email(1) };
            var ofRun = _ofRun ??= Specification.Create<Customer>(q => q.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id));
            var idsOf = _idsOf ??= new IdsOf(ids);
            var byEmailSpecs = _byEmail ??= emails.Select(email => Specification.Create<Customer>(q => q.Where(c => c.Emails.Any(e => e.Address.Value == email)).OrderBy(c => c.Id))).ToArray();
            var purchasesOfRun = _purchasesOfRun ??= Specification.Create<Purchase>(q => q.Where(p => transactions.Contains(p.Id)));
            var criterion = _profilesOfRun ??= Criterion<CustomerProfile>.Where(p => ids.Contains(p.CustomerId));
            var expected = _customers.Where(c => c.Value.Owner == t).OrderBy(c => c.Key).Select(c => (Id(c.Key).Value, c.Value.Version, c.Value.Owned)).ToList();
            var expectedPurchases = _purchases.Where(p => p.Value == t).Select(p => Transaction(p.Key).Value).Order(StringComparer.Ordinal).ToList();
            var expectedProfiles = _profiles.Where(p => p.Value.Owner == t).OrderBy(p => p.Key).Select(p => (Id(p.Key).Value, p.Value.Count)).ToList();
            await kit.InTenantAsync(tenant, async sp =>
            {
                var customers = Customers(sp);
                var listed = (await customers.ListAsync(ofRun)).Select(c => (c.Id.Value, c.Version, c.OwnerId!)).ToList();
                Assert.Equal(expected, listed);
                Assert.All(await customers.ListAsync(ofRun), c => Assert.Equal(tenant, c.TenantId));
                Assert.Equal(expected.Count, await customers.CountAsync(ofRun));
                Assert.Equal(expected.Count > 0, await customers.AnyAsync(ofRun));
                var first = await customers.FirstOrDefaultAsync(ofRun);
                Assert.Equal(expected.Select(e => e.Value).FirstOrDefault(), first?.Id.Value);
                var streamed = new List<string>();
                await foreach (var customer in customers.StreamAsync(ofRun))
                {
                    streamed.Add(customer.Id.Value);
                }
                Assert.Equal(expected.Select(e => e.Value), streamed);
                var projected = (await customers.ListAsync(idsOf)).Select(c => c.Value).ToList();
                Assert.Equal(expected.Select(e => e.Value), projected);
                var streamedIds = new List<string>();
                await foreach (var id in customers.StreamAsync(idsOf))
                {
                    streamedIds.Add(id.Value);
                }
                Assert.Equal(expected.Select(e => e.Value), streamedIds);
                for (var value = 0; value < emails.Length; value++)
                {
                    var email = emails[value];
                    var byEmail = (await customers.ListAsync(byEmailSpecs[value])).Select(c => c.Id.Value).ToList();
                    Assert.Equal(_customers.Where(c => c.Value.Owner == t && c.Value.Email == email).OrderBy(c => c.Key).Select(c => Id(c.Key).Value), byEmail);
                }
                for (var item = 0; item < Items; item++)
                {
                    var byId = await customers.GetByIdAsync(Id(item));
                    Assert.Equal(_customers.TryGetValue(item, out var row) && row.Owner == t, byId is not null);
                }

                var purchases = await Purchases(sp).ListAsync(purchasesOfRun);
                Assert.Equal(expectedPurchases, purchases.Select(p => p.Id.Value).Order(StringComparer.Ordinal));
                Assert.All(purchases, p => Assert.Equal(tenant, p.TenantId));

                var profiles = Profiles(sp);
                Assert.Equal(expectedProfiles.Count, await profiles.CountAsync(criterion));
                var matched = new List<string>();
                await foreach (var batch in profiles.StreamMatchingAsync(criterion, 2))
                {
                    matched.AddRange(batch.Select(c => c.Value));
                }
                matched.Sort(StringComparer.Ordinal);
                Assert.Equal(expectedProfiles.Select(p => p.Value), matched);
                for (var item = 0; item < Items; item++)
                {
                    var found = await profiles.FindAsync(Id(item));
                    var visible = _profiles.TryGetValue(item, out var profile) && profile.Owner == t;
                    Assert.Equal(visible, found is not null);
                    if (found is not null)
                    {
                        Assert.Equal(profile.Count, found.PurchaseCount);
                    }
                }
            });
        }
    }

    private sealed class IdsOf : Specification<Customer, CustomerId>
    {
        public IdsOf(IReadOnlyList<CustomerId> ids)
        {
            Query.Select(c => c.Id);
            Query.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id);
        }
    }
}
