using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// What every store must do for one aggregate type: round-trip random aggregates unchanged, enforce optimistic
/// concurrency, commit atomically, evaluate specifications exactly as LINQ to Objects does, stream, and honour
/// cancellation. The per-aggregate kits derive from it and supply generators; integrators derive from those.
/// </summary>
/// <typeparam name="T">The aggregate root type.</typeparam>
/// <typeparam name="TId">Its identifier type.</typeparam>
public abstract class RepositoryConformanceTests<T, TId> : StoreConformanceTests
    where T : AggregateRoot<TId>
    where TId : struct, IEquatable<TId>, IComparable<TId>
{
    /// <summary>How many random aggregates each test writes; keep it modest for database-backed stores.</summary>
    protected virtual int SampleSize => 12;

    /// <summary>Fresh (never saved) aggregates, all belonging to <paramref name="tenant"/>, with unique ids.</summary>
    /// <param name="tenant">The tenant every generated aggregate must carry.</param>
    /// <returns>The generator.</returns>
    protected abstract Gen<T> Aggregates(TenantId tenant);

    /// <summary>Applies a legal change to <paramref name="aggregate"/> (or none, for immutable aggregates).</summary>
    /// <param name="aggregate">A loaded aggregate.</param>
    protected abstract void Change(T aggregate);

    /// <summary>
    /// Specifications over <typeparamref name="T"/> whose results the store must return exactly as LINQ to Objects does
    /// (filters, order, paging). Each must filter on <paramref name="tenant"/> and order by a unique key last when ordered.
    /// </summary>
    /// <param name="tenant">The test's tenant.</param>
    /// <param name="data">The aggregates stored for the test (for picking thresholds from the data).</param>
    /// <returns>The specifications.</returns>
    protected abstract IEnumerable<Specification<T>> Specifications(TenantId tenant, IReadOnlyList<T> data);

    /// <summary>Adds, commits and returns <see cref="SampleSize"/> random aggregates of a fresh tenant.</summary>
    /// <returns>The tenant and the saved aggregates (at version 1).</returns>
    protected async Task<(TenantId Tenant, IReadOnlyList<T> Saved)> SeedAsync()
    {
        var tenant = new TenantId("conformance-" + Guid.NewGuid().ToString("N"));
        var aggregates = Aggregates(tenant).Sample(SampleSize)
            .GroupBy(a => a.Id).Select(g => g.First()).ToList();
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            foreach (var aggregate in aggregates)
            {
                await repository.AddAsync(aggregate);
            }
            Assert.Equal(aggregates.Count, await UnitOfWork(sp).CommitAsync());
        });
        return (tenant, aggregates);
    }

    /// <summary>The specification "every aggregate of <paramref name="tenant"/>, by id".</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The specification.</returns>
    protected static Specification<T> OfTenant(TenantId tenant) =>
        Specification.Create<T>(q => q.Where(a => a.TenantId == tenant).OrderBy(a => a.Id));

    /// <summary>Random aggregates come back from a new scope exactly as they were saved.</summary>
    [SkippableFact]
    public async Task Added_aggregates_round_trip_unchanged()
    {
        var (_, saved) = await SeedAsync();
        Assert.All(saved, a => Assert.Equal(1, a.Version));
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IReadRepository<T, TId>>();
            foreach (var aggregate in saved)
            {
                var loaded = await repository.GetByIdAsync(aggregate.Id);
                Assert.NotNull(loaded);
                Assert.NotSame(aggregate, loaded);
                Assert.Equal(StateFingerprint.Of(aggregate), StateFingerprint.Of(loaded));
            }
        });
    }

    /// <summary>An update is saved with the next version and read back as changed.</summary>
    [SkippableFact]
    public async Task Update_saves_the_change_and_advances_the_version()
    {
        var (_, saved) = await SeedAsync();
        var id = saved[0].Id;
        var changed = await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            var loaded = (await repository.GetByIdAsync(id))!;
            Change(loaded);
            await repository.UpdateAsync(loaded);
            await UnitOfWork(sp).CommitAsync();
            Assert.Equal(2, loaded.Version);
            return StateFingerprint.Of(loaded);
        });
        await InScopeAsync(async sp =>
        {
            var reloaded = await sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id);
            Assert.Equal(changed, StateFingerprint.Of(reloaded));
        });
    }

    /// <summary>Saving a copy loaded before someone else's save fails, and keeps the other save.</summary>
    [SkippableFact]
    public async Task Stale_update_is_rejected()
    {
        var (_, saved) = await SeedAsync();
        var id = saved[0].Id;
        var stale = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id));
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            var fresh = (await repository.GetByIdAsync(id))!;
            Change(fresh);
            await repository.UpdateAsync(fresh);
            await UnitOfWork(sp).CommitAsync();
        });
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            {
                Change(stale!);
                await repository.UpdateAsync(stale!);
                await UnitOfWork(sp).CommitAsync();
            });
            Assert.Equal(1, conflict.ExpectedVersion);
            Assert.Equal(1, stale!.Version); // the caller's copy is left as it was
        });
        var stored = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id));
        Assert.Equal(2, stored!.Version);
    }

    /// <summary>Removing a stale copy fails; removing a current one deletes it.</summary>
    [SkippableFact]
    public async Task Remove_checks_the_version_and_deletes()
    {
        var (_, saved) = await SeedAsync();
        var id = saved[0].Id;
        var stale = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id));
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            var fresh = (await repository.GetByIdAsync(id))!;
            await repository.UpdateAsync(fresh);
            await UnitOfWork(sp).CommitAsync();
        });
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            {
                await repository.RemoveAsync(stale!);
                await UnitOfWork(sp).CommitAsync();
            });
        });
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            await repository.RemoveAsync((await repository.GetByIdAsync(id))!);
            Assert.Equal(1, await UnitOfWork(sp).CommitAsync());
        });
        Assert.Null(await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(id)));
    }

    /// <summary>A commit that fails on one aggregate writes none of the others (all or nothing).</summary>
    [SkippableFact]
    public async Task Failed_commit_writes_nothing()
    {
        var (tenant, saved) = await SeedAsync();
        var fresh = Aggregates(tenant).Sample(4).Where(a => saved.All(s => !s.Id.Equals(a.Id))).GroupBy(a => a.Id).Select(g => g.First()).ToList();
        await InScopeAsync(async sp =>
        {
            // Everything is registered while it is still valid; the conflict only arises at commit time.
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            foreach (var aggregate in fresh)
            {
                await repository.AddAsync(aggregate);
            }
            var current = (await repository.GetByIdAsync(saved[0].Id))!;
            await repository.UpdateAsync(current);
            await InScopeAsync(async other =>
            {
                var otherRepository = other.GetRequiredService<IRepository<T, TId>>();
                await otherRepository.UpdateAsync((await otherRepository.GetByIdAsync(saved[0].Id))!);
                await UnitOfWork(other).CommitAsync();
            });
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => UnitOfWork(sp).CommitAsync());
            Assert.False(UnitOfWork(sp).HasChanges);
            Assert.Equal(1, current.Version);
        });
        Assert.All(fresh, a => Assert.Equal(0, a.Version));
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IReadRepository<T, TId>>();
            foreach (var aggregate in fresh)
            {
                Assert.Null(await repository.GetByIdAsync(aggregate.Id));
            }
            Assert.Equal(saved.Count, await repository.CountAsync(OfTenant(tenant)));
        });
    }

    /// <summary>Adding an id that is already stored fails, at the latest on commit, and writes nothing.</summary>
    [SkippableFact]
    public async Task Duplicate_add_is_rejected()
    {
        var (tenant, saved) = await SeedAsync();
        var duplicate = Aggregates(tenant).Sample(1)[0];
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            var copy = (await repository.GetByIdAsync(saved[0].Id))!;
            copy.SetVersion(0); // the same id as a never-saved aggregate
            await Assert.ThrowsAsync<DuplicateAggregateException>(async () =>
            {
                await repository.AddAsync(duplicate);
                await repository.AddAsync(copy);
                await UnitOfWork(sp).CommitAsync();
            });
        });
        Assert.Null(await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(duplicate.Id)));
    }

    /// <summary>Updating an aggregate that was never saved is an error, not an insert.</summary>
    [SkippableFact]
    public async Task Update_of_a_never_saved_aggregate_is_rejected()
    {
        var tenant = new TenantId("conformance-" + Guid.NewGuid().ToString("N"));
        var aggregate = Aggregates(tenant).Sample(1)[0];
        await InScopeAsync(async sp =>
            await Assert.ThrowsAsync<AggregateNotFoundException>(() => sp.GetRequiredService<IRepository<T, TId>>().UpdateAsync(aggregate)));
    }

    /// <summary>Every specification returns what LINQ to Objects returns over the same data: filters, order and page.</summary>
    [SkippableFact]
    public async Task Specifications_return_what_linq_returns()
    {
        var (tenant, saved) = await SeedAsync();
        var specifications = Specifications(tenant, saved).Append(OfTenant(tenant))
            .Append(Specification.Create<T>(q => q.Where(a => a.TenantId == tenant).OrderByDescending(a => a.Id).Skip(2).Take(3)))
            .ToList();
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IReadRepository<T, TId>>();
            foreach (var specification in specifications)
            {
                var expected = SpecificationEvaluator.GetQuery(saved.AsQueryable(), specification).ToList();
                var actual = await repository.ListAsync(specification);
                var ordered = specification.OrderExpressions.Count > 0;
                Assert.Equal(Fingerprints(expected, ordered), Fingerprints(actual, ordered));
                var expectedCount = SpecificationEvaluator.GetFilterQuery(saved.AsQueryable(), specification).LongCount();
                Assert.Equal(expectedCount, await repository.CountAsync(specification)); // counts ignore paging
                Assert.Equal(expectedCount > 0, await repository.AnyAsync(specification));
                var first = await repository.FirstOrDefaultAsync(specification);
                if (ordered)
                {
                    Assert.Equal(StateFingerprint.Of(expected.FirstOrDefault()), StateFingerprint.Of(first));
                }
                else
                {
                    Assert.Equal(expected.Count == 0, first is null);
                }
            }
        });
    }

    /// <summary>A projection returns the projected values, in order.</summary>
    [SkippableFact]
    public async Task Projections_return_what_linq_returns()
    {
        var (tenant, saved) = await SeedAsync();
        var specification = new IdsOf(tenant);
        var expected = SpecificationEvaluator.GetQuery(saved.AsQueryable(), specification).ToList();
        var actual = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().ListAsync(specification));
        Assert.Equal(expected, actual);
        var streamed = await InScopeAsync(async sp =>
        {
            var items = new List<TId>();
            await foreach (var id in sp.GetRequiredService<IReadRepository<T, TId>>().StreamAsync(specification))
            {
                items.Add(id);
            }
            return items;
        });
        Assert.Equal(expected, streamed);
    }

    /// <summary>Streaming returns the same aggregates, in the same order, as listing.</summary>
    [SkippableFact]
    public async Task Streaming_returns_what_listing_returns()
    {
        var (tenant, _) = await SeedAsync();
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IReadRepository<T, TId>>();
            var listed = await repository.ListAsync(OfTenant(tenant));
            var streamed = new List<T>();
            await foreach (var aggregate in repository.StreamAsync(OfTenant(tenant)))
            {
                streamed.Add(aggregate);
            }
            Assert.Equal(Fingerprints(listed, true), Fingerprints(streamed, true));
        });
    }

    /// <summary>A cancelled token stops reads, streams and commits; a cancelled commit writes nothing.</summary>
    [SkippableFact]
    public async Task Cancellation_is_honoured()
    {
        var (tenant, saved) = await SeedAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await InScopeAsync(async sp =>
        {
            var repository = sp.GetRequiredService<IRepository<T, TId>>();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.GetByIdAsync(saved[0].Id, cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.ListAsync(OfTenant(tenant), cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.CountAsync(OfTenant(tenant), cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in repository.StreamAsync(OfTenant(tenant), cancelled.Token))
                {
                }
            });

            // Cancelling in the middle of a stream stops it.
            using var midway = new CancellationTokenSource();
            var seen = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in repository.StreamAsync(OfTenant(tenant), midway.Token))
                {
                    seen++;
                    await midway.CancelAsync();
                }
            });
            Assert.Equal(1, seen);

            var fresh = Aggregates(tenant).Sample(1)[0];
            await repository.AddAsync(fresh);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => UnitOfWork(sp).CommitAsync(cancelled.Token));
            Assert.Null(await repository.GetByIdAsync(fresh.Id));
        });
    }

    /// <summary>Mutating an aggregate after saving it, without saving again, does not change what is stored.</summary>
    [SkippableFact]
    public async Task Stored_state_is_not_shared_with_callers()
    {
        var (_, saved) = await SeedAsync();
        var before = StateFingerprint.Of(saved[0]);
        Change(saved[0]);
        var loaded = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(saved[0].Id));
        Change(loaded!);
        var again = await InScopeAsync(sp => sp.GetRequiredService<IReadRepository<T, TId>>().GetByIdAsync(saved[0].Id));
        Assert.Equal(before, StateFingerprint.Of(again));
    }

    private static List<string> Fingerprints(IEnumerable<T> items, bool ordered)
    {
        var list = items.Select(StateFingerprint.Of).ToList();
        if (!ordered)
        {
            list.Sort(StringComparer.Ordinal);
        }
        return list;
    }

    private sealed class IdsOf : Specification<T, TId>
    {
        public IdsOf(TenantId tenant)
        {
            Query.Select(a => a.Id);
            Query.Where(a => a.TenantId == tenant).OrderBy(a => a.Id);
        }
    }
}
