using Crm.Core.Customers;
using Crm.Core.Privacy;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Privacy;

public partial class ErasureTest
{
    [Fact]
    public async Task An_erasure_that_fails_on_the_way_leaves_nothing_registered_for_the_scopes_next_commit()
    {
        await using var host = new PrivacyTestHost(services => services.AddSingleton<ICustomerProfileStore>(new FailingRemovals()));
        await host.SaveAsync(PrivacyTestHost.Ann);
        await using var scope = host.Services.CreateAsyncScope();

        await Assert.ThrowsAsync<IOException>(() => scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(PrivacyTestHost.Ann.CustomerId, "art17-request", "dpo-1"));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync(); // the host's next use case in the same scope

        await using var check = host.Services.CreateAsyncScope();
        var customer = (await check.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(PrivacyTestHost.Ann.CustomerId))!;
        Assert.False(customer.IsErased);
        Assert.NotEmpty(customer.ContactPoints);
        Assert.Null(await check.ServiceProvider.GetRequiredService<IReadRepository<ErasureRecord, CustomerId>>().GetByIdAsync(PrivacyTestHost.Ann.CustomerId));
    }

    [Fact]
    public async Task A_refused_import_after_a_release_leaves_the_release_unwritten()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann, PrivacyTestHost.Bob);
        await host.EraseAsync(PrivacyTestHost.Ann.CustomerId);
        await using var scope = host.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().ReleaseAsync("billing", PrivacyTestHost.Ann.BillingId));
        // Bob's id is taken: the import is refused after the release was registered.
        var duplicate = new CustomerRegistration(PrivacyTestHost.Bob.CustomerId, CustomerName.Person("Again", null));

        await Assert.ThrowsAsync<DuplicateAggregateException>(() =>
            scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>().ImportAsync("billing", PrivacyTestHost.Ann.BillingId, duplicate));
        Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync(); // the batch's next record

        await using var check = host.Services.CreateAsyncScope();
        Assert.True(await check.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", PrivacyTestHost.Ann.BillingId));
    }

    // The read model fails when the erasure removes the profile, after every aggregate change was registered.
    private sealed class FailingRemovals : ICustomerProfileStore
    {
        private readonly InMemoryCustomerProfileStore _inner = new();

        public IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, CancellationToken cancellationToken = default) =>
            _inner.StreamMatchingAsync(criterion, batchSize, cancellationToken);

        public Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default) => _inner.CountAsync(criterion, cancellationToken);

        public Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default) => _inner.UpsertAsync(profile, cancellationToken);

        public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default) => _inner.FindAsync(customerId, cancellationToken);

        public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default) => throw new IOException("The profile store is unreachable.");
    }
}
