using Crm.Core.DependencyInjection;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Storage;

public class ConcurrencyRetryTest
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 1, 1, 0, 0);

    [Fact]
    public async Task Parallel_increments_with_retry_never_lose_a_write()
    {
        var services = new ServiceCollection();
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var scopes = provider.GetRequiredService<IServiceScopeFactory>();
        await scopes.ExecuteWithConcurrencyRetryAsync(async (sp, ct) =>
        {
            await sp.GetRequiredService<IRepository<Counter, CounterId>>().AddAsync(new Counter(new CounterId(1)), ct);
            await sp.GetRequiredService<IUnitOfWork>().CommitAsync(ct);
        });

        const int Workers = 8;
        const int IncrementsPerWorker = 25;
        var attempts = 0;
        var successes = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < IncrementsPerWorker; i++)
            {
                await scopes.ExecuteWithConcurrencyRetryAsync(async (sp, ct) =>
                {
                    Interlocked.Increment(ref attempts);
                    var counters = sp.GetRequiredService<IRepository<Counter, CounterId>>();
                    var counter = (await counters.GetByIdAsync(new CounterId(1), ct))!;
                    await Task.Yield(); // widen the race window between read and commit
                    counter.Increment(T0);
                    await counters.UpdateAsync(counter, ct);
                    await sp.GetRequiredService<IUnitOfWork>().CommitAsync(ct);
                }, maxAttempts: ConcurrencyRetry.MaxAttemptsLimit);
                Interlocked.Increment(ref successes);
            }
        })));

        await using var scope = provider.CreateAsyncScope();
        var final = (await scope.ServiceProvider.GetRequiredService<IReadRepository<Counter, CounterId>>().GetByIdAsync(new CounterId(1)))!;
        Assert.Equal(Workers * IncrementsPerWorker, successes);
        Assert.Equal(successes, final.Value);
        Assert.Equal(successes + 1, final.Version);
        Assert.True(attempts >= successes);
    }

    [Fact]
    public async Task Without_retry_the_loser_of_a_race_gets_a_conflict()
    {
        var store = new InMemoryStore();
        var seed = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        await new InMemoryRepository<Counter, CounterId>(seed).AddAsync(new Counter(new CounterId(1)));
        await seed.CommitAsync();

        var uowA = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        var uowB = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        var repoA = new InMemoryRepository<Counter, CounterId>(uowA);
        var repoB = new InMemoryRepository<Counter, CounterId>(uowB);
        var a = (await repoA.GetByIdAsync(new CounterId(1)))!;
        var b = (await repoB.GetByIdAsync(new CounterId(1)))!;
        a.Increment(T0);
        b.Increment(T0);
        await repoA.UpdateAsync(a);
        await repoB.UpdateAsync(b);
        await uowA.CommitAsync();
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => uowB.CommitAsync());
        Assert.Equal(1, (await repoA.GetByIdAsync(new CounterId(1)))!.Value);
    }

    [Fact]
    public async Task Retries_only_conflicts_and_rethrows_the_last_one()
    {
        var calls = 0;
        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConcurrencyRetry.ExecuteAsync((_, _) =>
        {
            calls++;
            throw new ConcurrencyConflictException("Counter", "1", calls, calls + 1);
        }, maxAttempts: 3));
        Assert.Equal(3, calls);
        Assert.Equal(3, ex.ExpectedVersion);

        calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ConcurrencyRetry.ExecuteAsync((_, _) =>
        {
            calls++;
            throw new InvalidOperationException("not a conflict");
        }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Returns_the_result_of_the_successful_attempt_with_its_number()
    {
        var result = await ConcurrencyRetry.ExecuteAsync((attempt, _) =>
            attempt < 3 ? throw new ConcurrencyConflictException("Counter", "1", 1, 2) : Task.FromResult(attempt * 10));
        Assert.Equal(30, result);
    }

    [Fact]
    public async Task Bad_arguments_are_rejected()
    {
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => ConcurrencyRetry.ExecuteAsync(null!))).ParamName);
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => ConcurrencyRetry.ExecuteAsync<int>(null!))).ParamName);
        Assert.Equal("maxAttempts", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConcurrencyRetry.ExecuteAsync((_, _) => Task.CompletedTask, 0))).ParamName);
        Assert.Equal("maxAttempts", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConcurrencyRetry.ExecuteAsync((_, _) => Task.CompletedTask, ConcurrencyRetry.MaxAttemptsLimit + 1))).ParamName);
        Assert.Equal("scopeFactory", (await Assert.ThrowsAsync<ArgumentNullException>(() => ((IServiceScopeFactory)null!).ExecuteWithConcurrencyRetryAsync((_, _) => Task.CompletedTask))).ParamName);
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => scopes.ExecuteWithConcurrencyRetryAsync(null!))).ParamName);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConcurrencyRetry.ExecuteAsync((_, _) => Task.CompletedTask, cancellationToken: new CancellationToken(true)));
    }
}
