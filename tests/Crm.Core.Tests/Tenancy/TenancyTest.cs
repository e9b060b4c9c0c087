using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Tenancy;

public class TenancyTest
{
    private static readonly TenantId Acme = new("acme");
    private static readonly TenantId Globex = new("globex");

    private static ServiceProvider Build(Action<ICrmCoreBuilder> configure)
    {
        var services = new ServiceCollection();
        configure(services.AddCrmCore());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public void Ambient_context_flows_nests_and_restores()
    {
        var context = new AmbientTenantContext();
        Assert.Null(context.CurrentTenant);
        using (context.Enter(Acme))
        {
            Assert.Equal(Acme, context.CurrentTenant);
            var inner = context.Enter(Globex);
            Assert.Equal(Globex, context.CurrentTenant);
            inner.Dispose();
            inner.Dispose(); // twice is harmless
            Assert.Equal(Acme, context.CurrentTenant);
        }
        Assert.Null(context.CurrentTenant);
    }

    [Fact]
    public async Task Ambient_context_flows_into_awaited_work_and_not_out_of_it()
    {
        var context = new AmbientTenantContext();
        using (context.Enter(Acme))
        {
            Assert.Equal(Acme, await Task.Run(() => context.CurrentTenant));
        }
        await EnterInsideAsync(context);
        Assert.Null(context.CurrentTenant); // an async method's changes do not leak to its caller

        static async Task EnterInsideAsync(AmbientTenantContext context)
        {
            context.Enter(Globex); // deliberately not disposed
            await Task.Yield();
            Assert.Equal(Globex, context.CurrentTenant);
        }
    }

    [Fact]
    public void Ambient_contexts_are_independent_and_reject_the_default_tenant()
    {
        var first = new AmbientTenantContext();
        var second = new AmbientTenantContext();
        using (first.Enter(Acme))
        {
            Assert.Null(second.CurrentTenant);
        }
        Assert.Equal("tenant", Assert.Throws<ArgumentException>(() => first.Enter(default)).ParamName);
    }

    [Fact]
    public void Tenancy_is_off_unless_switched_on()
    {
        using var off = Build(b => b.UseInMemoryStore());
        Assert.Null(off.GetService<ITenantContext>());

        using var on = Build(b => b.UseTenancy().UseInMemoryStore());
        Assert.Same(on.GetRequiredService<AmbientTenantContext>(), on.GetRequiredService<ITenantContext>());
        Assert.Throws<ArgumentNullException>(() => CrmCoreTenancyExtensions.UseTenancy(null!));
        Assert.Throws<ArgumentNullException>(() => CrmCoreTenancyExtensions.UseTenancy<FixedTenant>(null!));
    }

    [Fact]
    public async Task A_host_context_is_used_and_a_second_registration_is_harmless()
    {
        using var provider = Build(b => b.UseInMemoryStore().UseTenancy<FixedTenant>().UseTenancy());
        Assert.IsType<FixedTenant>(provider.GetRequiredService<ITenantContext>());
        await using var scope = provider.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>();
        var customer = Customer.Register(new CustomerId("c-1"), CustomerName.Person("A", "B"), Instant.FromUtc(2026, 1, 1, 0, 0));
        await customers.AddAsync(customer);
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
        Assert.Equal(FixedTenant.Tenant, customer.TenantId);
        await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(customer.Id));
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().FindAsync(customer.Id));
    }

    [Fact]
    public async Task Without_tenancy_tenants_are_ignored_as_before()
    {
        using var provider = Build(b => b.UseInMemoryStore());
        await using var scope = provider.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>();
        var customer = Customer.Register(new CustomerId("c-1"), CustomerName.Person("A", "B"), Instant.FromUtc(2026, 1, 1, 0, 0), Acme);
        await customers.AddAsync(customer);
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
        Assert.NotNull(await customers.GetByIdAsync(customer.Id));
        var store = new InMemoryCustomerProfileStore();
        await store.UpsertAsync(new CustomerProfile(customer.Id));
        Assert.NotNull(await store.FindAsync(customer.Id));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Exceptions_say_what_to_do_and_name_no_stored_data()
    {
        var required = new TenantRequiredException();
        Assert.IsAssignableFrom<CrmException>(required);
        Assert.Contains("Enter a tenant", required.Message, StringComparison.Ordinal);

        var mismatch = new TenantMismatchException("Customer 'c-1'", Acme);
        Assert.IsAssignableFrom<CrmException>(mismatch);
        Assert.Equal(Acme, mismatch.CurrentTenant);
        Assert.Equal("Customer 'c-1'", mismatch.Subject);
        Assert.Contains("'acme'", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_in_memory_stores_check_their_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new InMemoryCustomerProfileStore(null!));
        Assert.Throws<ArgumentNullException>(() => new InMemoryUnitOfWork(new InMemoryStore(), NullDomainEventDispatcher.Instance, null!));
    }

    private sealed class FixedTenant : ITenantContext
    {
        public static readonly TenantId Tenant = new("fixed");

        public TenantId? CurrentTenant => Tenant;
    }
}
