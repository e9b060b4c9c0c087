using System.Security.Cryptography;
using System.Text;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit;

namespace Crm.Core.Testing.Storage;

// The property of No_read_returns_and_no_write_touches_another_tenants_data covers customers, purchases and profiles in
// depth (stale copies, rows changing hands); this one covers every other aggregate type a store keeps, so that a store
// whose filter or write check misses one type (a separate table, a state document, a composite key) fails here.
public abstract partial class TenantIsolationConformanceTests
{
    /// <summary>
    /// The property for every other aggregate type (interactions, loyalty accounts, lifecycles, segments, segment
    /// memberships, erasure records, erased-external-id tombstones): random adds, loads, changes and removes by three
    /// tenants over a few global ids, and writes of one tenant's copy under another tenant, behave like a model in which
    /// each tenant has its own rows; after every write, every tenant's reads of every type (by id, list, count, any,
    /// stream) return exactly its own rows, at the versions the model expects.
    /// </summary>
    /// <returns>A task that completes when the property has been checked.</returns>
    [SkippableFact]
    public async Task No_aggregate_of_any_type_is_read_or_written_across_tenants()
    {
        var kinds = AggregateKinds();
        Gen<AggregateOperation> Operation(int[] focus) =>
            from kind in Gen.Elements(focus)
            from action in Gen.Frequency(
                (4, Gen.Constant(AggregateAction.Add)), (2, Gen.Constant(AggregateAction.Change)), (2, Gen.Constant(AggregateAction.Remove)),
                (2, Gen.Constant(AggregateAction.WriteAnotherTenantsCopy)), (2, Gen.Constant(AggregateAction.RemoveAnotherTenantsCopy)))
            from tenant in Gen.Choose(0, 2)
            from item in Gen.Choose(0, Items - 1)
            select new AggregateOperation(kind, kinds[kind].Name, action, tenant, item);
        // Each sequence works on two of the types (or one, drawn twice): spread over all seven, the few ids of a type
        // would rarely meet across tenants, and a store that misses the check of one type would often pass a whole run.
        // Every check still reads every type, so a leak into a type the sequence does not touch is seen all the same.
        var sequences = from focus in Gen.ArrayOf(Gen.Choose(0, kinds.Length - 1), 2)
                        from length in Gen.Choose(4, 24)
                        from operations in Gen.ArrayOf(Operation(focus), length)
                        select operations;
        _ = Services; // skips here when the store is unavailable (inside a scenario the skip would be reported as a failure)
        await CheckOperationSequencesAsync(sequences, operations => new AggregateScenario(this, kinds).RunAsync(operations)).ConfigureAwait(false);
    }

    private enum AggregateAction
    {
        Add,
        Change,
        Remove,
        WriteAnotherTenantsCopy,
        RemoveAnotherTenantsCopy,
    }

    private sealed record AggregateOperation(int Kind, string KindName, AggregateAction Action, int Tenant, int Item)
    {
        public override string ToString() => $"{Action}({KindName}, t{Tenant}, item {Item})";
    }

    // Every change is a real domain operation that alters the stored state (so a store cannot pass by skipping an
    // unchanged write), and a null change means the type has none: segment memberships are entered (added) and left
    // (removed) and never change in between (SegmentService applies a refresh as exactly that difference); erasure
    // records and erased-external-id tombstones are write-once evidence (a repeated erasure keeps the first record
    // unchanged, see docs/privacy.md; a tombstone is only ever added or released). For those the property still writes
    // an unchanged copy under another tenant, which must be refused like any other write.

    private static IAggregateKind[] AggregateKinds() =>
    [
        new AggregateKind<Interaction, InteractionId>("interaction",
            (run, item) => new InteractionId($"ta-{run}-i{item}"),
            (id, run, item, at) => Interaction.Record(id, new CustomerId($"ta-{run}-c{item}"), Channel.Web, InteractionDirection.Inbound, InteractionType.Enquiry, at),
            ids => Specification.Create<Interaction>(q => q.Where(i => ids.Contains(i.Id)).OrderBy(i => i.Id)),
            (interaction, step, at) => interaction.RecordOutcome($"outcome {step}", at),
            interaction => interaction.Outcome ?? ""),
        new AggregateKind<LoyaltyAccount, LoyaltyAccountId>("loyalty account",
            (run, item) => new LoyaltyAccountId(PersonalDataScenario.Programme.Id, new CustomerId($"ta-{run}-c{item}")),
            (id, run, item, at) => LoyaltyAccount.Open(id, PersonalDataScenario.Programme, at),
            ids => Specification.Create<LoyaltyAccount>(q => q.Where(a => ids.Contains(a.Id))),
            (account, step, at) => account.Adjust(PersonalDataScenario.Programme, 1, "tenancy check", "kit", $"k{step}", at),
            account => $"{account.Entries.Count} entries"),
        new AggregateKind<CustomerLifecycle, CustomerId>("lifecycle",
            (run, item) => new CustomerId($"ta-{run}-l{item}"),
            (id, run, item, at) => CustomerLifecycle.Start(id, LifecycleModel.B2C, at, "kit"),
            ids => Specification.Create<CustomerLifecycle>(q => q.Where(l => ids.Contains(l.Id)).OrderBy(l => l.Id)),
            (lifecycle, step, at) =>
            {
                // Up and down the ladder in turn: every change adds a transition to the history, however often it runs.
                if (lifecycle.CurrentRank == 0)
                {
                    lifecycle.Advance(LifecycleModel.B2CStages.Lead, at, "kit");
                }
                else
                {
                    lifecycle.Regress(LifecycleModel.B2CStages.Prospect, "tenancy check", at, "kit");
                }
            },
            lifecycle => $"{lifecycle.CurrentStage.Id} after {lifecycle.History.Count} transitions"),
        new AggregateKind<Segment, SegmentId>("segment",
            (run, item) => new SegmentId($"ta-{run}-s{item}"),
            (id, run, item, at) => Segment.CreateStaticList(id, "Tenancy check"),
            ids => Specification.Create<Segment>(q => q.Where(s => ids.Contains(s.Id)).OrderBy(s => s.Id)),
            (segment, step, at) => segment.Include(new CustomerId($"member-{step}")),
            segment => string.Join(",", segment.Includes.Order())),
        new AggregateKind<SegmentMember, SegmentMemberId>("segment membership",
            (run, item) => new SegmentMemberId(new SegmentId($"ta-{run}-m"), new CustomerId($"ta-{run}-c{item}")),
            (id, run, item, at) => SegmentMember.Enter(id.SegmentId, id.CustomerId, at),
            ids => Specification.Create<SegmentMember>(q => q.Where(m => ids.Contains(m.Id))),
            null,
            member => member.Since.ToString()),
        new AggregateKind<ErasureRecord, CustomerId>("erasure record",
            (run, item) => new CustomerId($"ta-{run}-e{item}"),
            (id, run, item, at) => ErasureRecord.Create(id, at, "tenancy check", "kit", 0),
            ids => Specification.Create<ErasureRecord>(q => q.Where(r => ids.Contains(r.Id)).OrderBy(r => r.Id)),
            null,
            record => $"{record.ErasedAt} {record.Reason}"),
        new AggregateKind<ErasedExternalId, ErasedExternalIdKey>("erased external id",
            (run, item) => new ErasedExternalIdKey(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{run}-{item}")))),
            (id, run, item, at) => ErasedExternalId.Create(id, "billing", at),
            ids => Specification.Create<ErasedExternalId>(q => q.Where(e => ids.Contains(e.Id))),
            null,
            tombstone => tombstone.SourceSystem),
    ];

    private interface IAggregateKind
    {
        string Name { get; }

        bool CanChange { get; }

        /// <summary>Adds the item's aggregate; returns its fingerprint.</summary>
        Task<string> AddAsync(IServiceProvider scope, string run, int item, Instant at);

        Task<object?> LoadAsync(IServiceProvider scope, string run, int item);

        /// <summary>Changes and saves the copy; returns its fingerprint after the change.</summary>
        Task<string> ChangeAsync(IServiceProvider scope, object copy, int step, Instant at);

        Task RemoveAsync(IServiceProvider scope, object copy);

        Task UpdateUnchangedAsync(IServiceProvider scope, object copy);

        long VersionOf(object copy);

        TenantId? TenantOf(object copy);

        /// <summary>Every read of the type for the run's ids, each checked against the others: (item, version, fingerprint), sorted.</summary>
        Task<List<(int Item, long Version, string State)>> ReadAllAsync(IServiceProvider scope, string run, TenantId tenant);
    }

    private sealed class AggregateKind<T, TId>(
        string name,
        Func<string, int, TId> idOf,
        Func<TId, string, int, Instant, T> create,
        Func<IReadOnlyList<TId>, Specification<T>> ofIds,
        Action<T, int, Instant>? change,
        Func<T, string> fingerprint) : IAggregateKind
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        private Specification<T>? _ofRun;
        private string? _run;

        public string Name => name;

        public bool CanChange => change is not null;

        public async Task<string> AddAsync(IServiceProvider scope, string run, int item, Instant at)
        {
            var aggregate = create(idOf(run, item), run, item, at);
            await scope.GetRequiredService<IRepository<T, TId>>().AddAsync(aggregate).ConfigureAwait(false);
            await UnitOfWork(scope).CommitAsync().ConfigureAwait(false);
            return fingerprint(aggregate);
        }

        public async Task<object?> LoadAsync(IServiceProvider scope, string run, int item) =>
            await scope.GetRequiredService<IRepository<T, TId>>().GetByIdAsync(idOf(run, item)).ConfigureAwait(false);

        public async Task<string> ChangeAsync(IServiceProvider scope, object copy, int step, Instant at)
        {
            change!((T)copy, step, at);
            await scope.GetRequiredService<IRepository<T, TId>>().UpdateAsync((T)copy).ConfigureAwait(false);
            await UnitOfWork(scope).CommitAsync().ConfigureAwait(false);
            return fingerprint((T)copy);
        }

        public async Task RemoveAsync(IServiceProvider scope, object copy)
        {
            await scope.GetRequiredService<IRepository<T, TId>>().RemoveAsync((T)copy).ConfigureAwait(false);
            await UnitOfWork(scope).CommitAsync().ConfigureAwait(false);
        }

        public async Task UpdateUnchangedAsync(IServiceProvider scope, object copy)
        {
            await scope.GetRequiredService<IRepository<T, TId>>().UpdateAsync((T)copy).ConfigureAwait(false);
            await UnitOfWork(scope).CommitAsync().ConfigureAwait(false);
        }

        public long VersionOf(object copy) => ((T)copy).Version;

        public TenantId? TenantOf(object copy) => ((T)copy).TenantId;

        public async Task<List<(int Item, long Version, string State)>> ReadAllAsync(IServiceProvider scope, string run, TenantId tenant)
        {
            var ids = Enumerable.Range(0, Items).Select(i => idOf(run, i)).ToList();
            if (_run != run)
            {
                (_run, _ofRun) = (run, ofIds(ids)); // built once per scenario (in memory, a specification compiles on first use)
            }
            var repository = scope.GetRequiredService<IRepository<T, TId>>();
            var listed = await repository.ListAsync(_ofRun!).ConfigureAwait(false);
            Assert.All(listed, a => Assert.Equal(tenant, a.TenantId));
            // The fingerprint catches a store that bumps the version but keeps (or mixes up) the content.
            var result = listed.Select(a => (Item: ids.IndexOf(a.Id), a.Version, State: fingerprint(a))).OrderBy(p => p.Item).ToList();
            Assert.Equal(result.Count, await repository.CountAsync(_ofRun!).ConfigureAwait(false));
            Assert.Equal(result.Count > 0, await repository.AnyAsync(_ofRun!).ConfigureAwait(false));
            var streamed = new List<(int, long, string)>();
            await foreach (var aggregate in repository.StreamAsync(_ofRun!).ConfigureAwait(false))
            {
                streamed.Add((ids.IndexOf(aggregate.Id), aggregate.Version, fingerprint(aggregate)));
            }
            Assert.Equal(result, streamed.OrderBy(p => p.Item1));
            for (var item = 0; item < Items; item++)
            {
                var byId = await repository.GetByIdAsync(ids[item]).ConfigureAwait(false);
                var listedRow = result.FindIndex(r => r.Item == item);
                Assert.Equal(listedRow >= 0, byId is not null);
                if (byId is not null)
                {
                    Assert.Equal(result[listedRow], (item, byId.Version, fingerprint(byId)));
                }
            }
            return result;
        }
    }

    private sealed class AggregateScenario(TenantIsolationConformanceTests kit, IAggregateKind[] kinds)
    {
        private readonly string _run = Guid.NewGuid().ToString("N")[..10];
        private readonly TenantId[] _tenants = [FreshTenant("a0"), FreshTenant("a1"), FreshTenant("a2")];
        // Per kind and item: the owning tenant, and the version and fingerprint the store should report.
        private readonly Dictionary<(int Kind, int Item), (int Owner, long Version, string State)> _rows = new();
        private readonly List<string> _log = new();
        private int _step;

        public async Task RunAsync(AggregateOperation[] operations)
        {
            foreach (var operation in operations)
            {
                _step++;
                _log.Add(operation.ToString());
                try
                {
                    await ApplyAsync(operation).ConfigureAwait(false);
                    await CheckAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"After {string.Join(" ; ", _log)}: {e.GetType().Name}: {e.Message}", e);
                }
            }
        }

        private async Task ApplyAsync(AggregateOperation op)
        {
            var kind = kinds[op.Kind];
            var key = (op.Kind, op.Item);
            var tenant = _tenants[op.Tenant];
            var at = At + Duration.FromMinutes(_step);
            var exists = _rows.TryGetValue(key, out var row);
            switch (op.Action)
            {
                case AggregateAction.Add:
                {
                    // Ids are global: an id another tenant holds is a duplicate exactly as one of the same tenant.
                    var state = "";
                    var ok = await TryAsync<DuplicateAggregateException>(tenant, async sp => state = await kind.AddAsync(sp, _run, op.Item, at).ConfigureAwait(false)).ConfigureAwait(false);
                    Assert.True(ok != exists, $"Add: expected {(exists ? "DuplicateAggregateException" : "success")}");
                    if (ok)
                    {
                        _rows[key] = (op.Tenant, 1, state);
                    }
                    break;
                }
                case AggregateAction.Change:
                case AggregateAction.Remove:
                {
                    await kit.InTenantAsync(tenant, async sp =>
                    {
                        var copy = await kind.LoadAsync(sp, _run, op.Item).ConfigureAwait(false);
                        Assert.Equal(exists && row.Owner == op.Tenant, copy is not null);
                        if (copy is null)
                        {
                            return;
                        }
                        if (op.Action == AggregateAction.Remove)
                        {
                            await kind.RemoveAsync(sp, copy).ConfigureAwait(false);
                            _rows.Remove(key);
                        }
                        else if (kind.CanChange)
                        {
                            var state = await kind.ChangeAsync(sp, copy, _step, at).ConfigureAwait(false);
                            _rows[key] = (row.Owner, row.Version + 1, state);
                        }
                    }).ConfigureAwait(false);
                    break;
                }
                default:
                {
                    if (!exists || row.Owner == op.Tenant)
                    {
                        break;
                    }
                    var copy = await kit.InTenantAsync(_tenants[row.Owner], sp => kind.LoadAsync(sp, _run, op.Item)).ConfigureAwait(false);
                    Assert.NotNull(copy);
                    var before = (kind.VersionOf(copy), kind.TenantOf(copy));
                    // Which write is part of the operation, not of its position, so that a shrunk sequence still makes the same one.
                    var remove = op.Action == AggregateAction.RemoveAnotherTenantsCopy;
                    var ok = await TryAsync<TenantMismatchException>(tenant, sp => remove || !kind.CanChange
                        ? (remove ? kind.RemoveAsync(sp, copy) : kind.UpdateUnchangedAsync(sp, copy))
                        : kind.ChangeAsync(sp, copy, _step, at)).ConfigureAwait(false);
                    Assert.False(ok, $"a copy of tenant {row.Owner} was {(remove ? "removed" : "written")} under tenant {op.Tenant}");
                    Assert.Equal(before, (kind.VersionOf(copy), kind.TenantOf(copy)));
                    break;
                }
            }
        }

        private async Task CheckAsync()
        {
            for (var t = 0; t < _tenants.Length; t++)
            {
                var tenant = _tenants[t];
                await kit.InTenantAsync(tenant, async sp =>
                {
                    for (var k = 0; k < kinds.Length; k++)
                    {
                        var expected = _rows.Where(r => r.Key.Kind == k && r.Value.Owner == t).Select(r => (r.Key.Item, r.Value.Version, r.Value.State)).OrderBy(r => r.Item).ToList();
                        var actual = await kinds[k].ReadAllAsync(sp, _run, tenant).ConfigureAwait(false);
                        Assert.True(expected.SequenceEqual(actual),
                            $"tenant {t} reads {kinds[k].Name}s [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
                    }
                }).ConfigureAwait(false);
            }
        }

        private async Task<bool> TryAsync<TExpected>(TenantId tenant, Func<IServiceProvider, Task> write)
            where TExpected : Exception
        {
            try
            {
                await kit.InTenantAsync(tenant, write).ConfigureAwait(false);
                return true;
            }
            catch (TExpected)
            {
                return false;
            }
        }
    }
}
