using Crm.Core.Customers;
using Crm.Core.Storage;
using Crm.Core.Testing;
using Crm.Core.Testing.Storage;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Customers;

/// <summary>Generated customers survive the in-memory store unchanged: what is saved is what is loaded, and updates stick.</summary>
public class CustomerStorageTest
{
    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 30)]
    public void Customers_round_trip_and_update_through_the_in_memory_store(Customer customer)
    {
        var store = new InMemoryStore();
        Save(store, r => r.AddAsync(customer));
        var expected = StateFingerprint.Of(customer);

        var loaded = Load(store, customer.Id);
        Assert.Equal(expected.Replace("Version=0", "Version=1", StringComparison.Ordinal), StateFingerprint.Of(loaded));
        Assert.Equal(1, loaded.Version);

        var at = loaded.UpdatedAt + Duration.FromHours(1);
        loaded.AddEmail("stored.update@example.net", at);
        loaded.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, at, "storage-test");
        loaded.SetAttribute("loyalty-score", AttributeValue.OfNumber(7.25m), false, at);
        Save(store, r => r.UpdateAsync(loaded));

        var reloaded = Load(store, customer.Id);
        Assert.Equal(2, reloaded.Version);
        Assert.Contains(reloaded.Emails, e => e.Address.Value == "stored.update@example.net");
        Assert.False(reloaded.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, at));
        Assert.Equal(7.25m, reloaded.Attributes["loyalty-score"].Value.AsNumber());
        Assert.Equal(StateFingerprint.Of(loaded).Replace("Version=1", "Version=2", StringComparison.Ordinal), StateFingerprint.Of(reloaded));
    }

    private static void Save(InMemoryStore store, Func<IRepository<Customer, CustomerId>, Task> change)
    {
        var unitOfWork = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        change(new InMemoryRepository<Customer, CustomerId>(unitOfWork)).GetAwaiter().GetResult();
        unitOfWork.CommitAsync().GetAwaiter().GetResult();
    }

    private static Customer Load(InMemoryStore store, CustomerId id)
    {
        var unitOfWork = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        return new InMemoryRepository<Customer, CustomerId>(unitOfWork).GetByIdAsync(id).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("The customer was not stored.");
    }
}
