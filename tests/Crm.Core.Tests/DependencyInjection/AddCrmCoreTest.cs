using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Crm.Core.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.DependencyInjection;

public class AddCrmCoreTest
{
    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public void Resolves_everything_with_defaults()
    {
        using var provider = Build(s => s.AddCrmCore().UseInMemoryStore());
        using var scope = provider.CreateScope();
        var sp = scope.ServiceProvider;

        Assert.Same(SystemClock.Instance, sp.GetRequiredService<IClock>());
        Assert.Same(NullDomainEventDispatcher.Instance, sp.GetRequiredService<IDomainEventDispatcher>());
        Assert.Equal(DateTimeZone.Utc, sp.GetRequiredService<CrmCoreOptions>().DefaultTimeZone);
        Assert.IsType<InMemoryUnitOfWork>(sp.GetRequiredService<IUnitOfWork>());
        Assert.IsType<InMemoryRepository<Purchase, TransactionId>>(sp.GetRequiredService<IRepository<Purchase, TransactionId>>());
        Assert.IsType<InMemoryRepository<Counter, CounterId>>(sp.GetRequiredService<IReadRepository<Counter, CounterId>>());
        Assert.Same(provider.GetRequiredService<InMemoryStore>(), sp.GetRequiredService<InMemoryStore>());
    }

    [Fact]
    public void Unit_of_work_is_one_per_scope_and_shared_by_its_repositories()
    {
        using var provider = Build(s => s.AddCrmCore().UseInMemoryStore());
        using var scope1 = provider.CreateScope();
        using var scope2 = provider.CreateScope();

        Assert.Same(scope1.ServiceProvider.GetRequiredService<IUnitOfWork>(), scope1.ServiceProvider.GetRequiredService<InMemoryUnitOfWork>());
        Assert.NotSame(scope1.ServiceProvider.GetRequiredService<IUnitOfWork>(), scope2.ServiceProvider.GetRequiredService<IUnitOfWork>());
    }

    [Fact]
    public async Task Repositories_of_a_scope_commit_through_its_unit_of_work_and_events_reach_the_host_dispatcher()
    {
        var dispatcher = new RecordingDomainEventDispatcher();
        using var provider = Build(s =>
        {
            s.AddSingleton<IDomainEventDispatcher>(dispatcher);
            s.AddCrmCore().UseInMemoryStore();
        });
        await using (var scope = provider.CreateAsyncScope())
        {
            var counters = scope.ServiceProvider.GetRequiredService<IRepository<Counter, CounterId>>();
            var counter = new Counter(new CounterId(1));
            counter.Increment(Instant.FromUtc(2026, 1, 1, 0, 0));
            await counters.AddAsync(counter);
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync());
        }
        await using (var scope = provider.CreateAsyncScope())
        {
            var counters = scope.ServiceProvider.GetRequiredService<IReadRepository<Counter, CounterId>>();
            Assert.Equal(1, (await counters.GetByIdAsync(new CounterId(1)))!.Value);
        }
        Assert.IsType<CounterIncremented>(Assert.Single(dispatcher.Events));
    }

    [Fact]
    public void Host_registrations_win_whether_made_before_or_after()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0));
        var dispatcher = new RecordingDomainEventDispatcher();
        var store = new InMemoryStore();
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton(store);
        services.AddCrmCore().UseInMemoryStore();
        services.AddSingleton<IDomainEventDispatcher>(dispatcher); // after: the last registration wins in MS DI

        using var provider = services.BuildServiceProvider();
        Assert.Same(clock, provider.GetRequiredService<IClock>());
        Assert.Same(dispatcher, provider.GetRequiredService<IDomainEventDispatcher>());
        Assert.Same(store, provider.GetRequiredService<InMemoryStore>());
    }

    [Fact]
    public void Host_closed_repository_registration_wins_over_the_open_generic()
    {
        var services = new ServiceCollection();
        services.AddCrmCore().UseInMemoryStore();
        services.AddScoped<IRepository<Counter, CounterId>, CustomCounterRepository>();
        services.AddScoped<InMemoryUnitOfWork>(); // harmless duplicate from a host

        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        Assert.IsType<CustomCounterRepository>(scope.ServiceProvider.GetRequiredService<IRepository<Counter, CounterId>>());
        Assert.IsType<InMemoryRepository<Purchase, TransactionId>>(scope.ServiceProvider.GetRequiredService<IRepository<Purchase, TransactionId>>());
    }

    [Fact]
    public void Calling_twice_registers_nothing_twice_and_applies_both_configurations()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/London"];
        var services = new ServiceCollection();
        services.AddCrmCore().UseInMemoryStore();
        var count = services.Count;
        services.AddCrmCore(o => o.DefaultTimeZone = zone).UseInMemoryStore();

        Assert.Equal(count, services.Count);
        Assert.Equal(services.Count, services.Select(d => d.ServiceType).Distinct().Count());
        using var provider = services.BuildServiceProvider();
        Assert.Equal(zone, provider.GetRequiredService<CrmCoreOptions>().DefaultTimeZone);
    }

    [Fact]
    public void Invalid_options_throw_at_configuration_and_register_nothing()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentNullException>(() => services.AddCrmCore(o => o.DefaultTimeZone = null!));
        Assert.Equal("value", ex.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void Throwing_configure_on_a_second_call_changes_nothing()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Paris"];
        var services = new ServiceCollection();
        services.AddCrmCore(o => o.DefaultTimeZone = zone);
        Assert.Throws<InvalidOperationException>(() => services.AddCrmCore(o =>
        {
            o.DefaultTimeZone = DateTimeZone.Utc;
            throw new InvalidOperationException("host bug");
        }));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(zone, provider.GetRequiredService<CrmCoreOptions>().DefaultTimeZone);
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_the_parameter()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddCrmCore()).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddCrmCore(_ => { })).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddCrmCore(null!)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((ICrmCoreBuilder)null!).UseInMemoryStore()).ParamName);
    }

    [Fact]
    public void Builder_exposes_the_same_services()
    {
        var services = new ServiceCollection();
        Assert.Same(services, services.AddCrmCore().Services);
    }

    private sealed class CustomCounterRepository(InMemoryUnitOfWork uow) : IRepository<Counter, CounterId>
    {
        private readonly InMemoryRepository<Counter, CounterId> _inner = new(uow);

        public Task<Counter?> GetByIdAsync(CounterId id, CancellationToken cancellationToken = default) => _inner.GetByIdAsync(id, cancellationToken);
        public Task<Counter?> FirstOrDefaultAsync(Specification<Counter> specification, CancellationToken cancellationToken = default) => _inner.FirstOrDefaultAsync(specification, cancellationToken);
        public Task<IReadOnlyList<Counter>> ListAsync(Specification<Counter> specification, CancellationToken cancellationToken = default) => _inner.ListAsync(specification, cancellationToken);
        public Task<IReadOnlyList<TResult>> ListAsync<TResult>(Specification<Counter, TResult> specification, CancellationToken cancellationToken = default) => _inner.ListAsync(specification, cancellationToken);
        public Task<long> CountAsync(Specification<Counter> specification, CancellationToken cancellationToken = default) => _inner.CountAsync(specification, cancellationToken);
        public Task<bool> AnyAsync(Specification<Counter> specification, CancellationToken cancellationToken = default) => _inner.AnyAsync(specification, cancellationToken);
        public IAsyncEnumerable<Counter> StreamAsync(Specification<Counter> specification, CancellationToken cancellationToken = default) => _inner.StreamAsync(specification, cancellationToken);
        public IAsyncEnumerable<TResult> StreamAsync<TResult>(Specification<Counter, TResult> specification, CancellationToken cancellationToken = default) => _inner.StreamAsync(specification, cancellationToken);
        public Task AddAsync(Counter aggregate, CancellationToken cancellationToken = default) => _inner.AddAsync(aggregate, cancellationToken);
        public Task UpdateAsync(Counter aggregate, CancellationToken cancellationToken = default) => _inner.UpdateAsync(aggregate, cancellationToken);
        public Task RemoveAsync(Counter aggregate, CancellationToken cancellationToken = default) => _inner.RemoveAsync(aggregate, cancellationToken);
    }
}
