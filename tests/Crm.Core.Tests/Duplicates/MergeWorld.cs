using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Duplicates;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Duplicates;

/// <summary>An in-memory store with a fake clock and the services of one scope at a time, for merge, registration and purchase recording tests.</summary>
internal sealed class MergeWorld : IAsyncDisposable
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 1, 9, 0);

    private readonly ServiceProvider _provider;

    public MergeWorld(Action<IServiceCollection>? configure = null, Instant? start = null)
    {
        Clock = new FakeClock(start ?? T0);
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IDomainEventDispatcher>(Events);
        configure?.Invoke(services);
        services.AddCrmCore().UseInMemoryStore().AddPrivacy(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        _provider = services.BuildServiceProvider();
    }

    public FakeClock Clock { get; }

    public RecordingDispatcher Events { get; } = new();

    public Instant Now => Clock.GetCurrentInstant();

    public T Get<T>(AsyncServiceScope scope)
        where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    public AsyncServiceScope Scope() => _provider.CreateAsyncScope();

    /// <summary>Runs <paramref name="work"/> in a fresh scope and commits what it registered.</summary>
    public async Task Do(Func<IServiceProvider, Task> work)
    {
        await using var scope = Scope();
        await work(scope.ServiceProvider);
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
    }

    public async Task<TResult> Read<TResult>(Func<IServiceProvider, Task<TResult>> read)
    {
        await using var scope = Scope();
        return await read(scope.ServiceProvider);
    }

    public Task<Customer> Customer(CustomerId id) => Read(async sp => (await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(id))!);

    public Task AddCustomer(Customer customer) => Do(sp => sp.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(customer));

    public Task Add<T, TId>(T aggregate)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> =>
        Do(sp => sp.GetRequiredService<IRepository<T, TId>>().AddAsync(aggregate));

    public Task<IReadOnlyList<T>> All<T, TId>()
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> =>
        Read(sp => sp.GetRequiredService<IRepository<T, TId>>().ListAsync(new Everything<T>()));

    public Task<CustomerMergeResult> Merge(CustomerId survivor, CustomerId merged, CustomerMergeOptions? options = null) =>
        Read(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(survivor, merged, options));

    public Task<CustomerMergeResult> Preview(CustomerId survivor, CustomerId merged, CustomerMergeOptions? options = null) =>
        Read(sp => sp.GetRequiredService<CustomerMergeService>().PreviewAsync(survivor, merged, options));

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private sealed class Everything<T> : Crm.Core.Specifications.Specification<T>
        where T : class;
}

internal sealed class RecordingDispatcher : IDomainEventDispatcher
{
    public List<IDomainEvent> Dispatched { get; } = [];

    public ValueTask DispatchAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken = default)
    {
        lock (Dispatched)
        {
            Dispatched.AddRange(events);
        }
        return ValueTask.CompletedTask;
    }
}
