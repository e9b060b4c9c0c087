using Crm.Core.Customers;
using Crm.Core.Storage;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public class CustomerSpecificationsTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 3, 1, 9, 0);

    [Fact]
    public async Task Customers_are_found_by_normalised_email_phone_and_external_id_in_the_in_memory_store()
    {
        var store = new InMemoryStore();
        var unitOfWork = new InMemoryUnitOfWork(store, NullDomainEventDispatcher.Instance);
        var repository = new InMemoryRepository<Customer, CustomerId>(unitOfWork);

        var ann = Customer.Register(new CustomerId("00042"), CustomerName.Person("Ann", "Lee"), T0);
        ann.AddEmail("Ann.Lee@Example.com", T0);
        ann.AddPhone("020 7946 0958 x12", "GB", T0);
        ann.LinkExternalId("billing", "B-00042", T0);
        var bob = Customer.Register(new CustomerId("00043"), CustomerName.Person("Bob", "Smith"), T0);
        bob.AddEmail("bob@example.com", T0);
        await repository.AddAsync(ann);
        await repository.AddAsync(bob);
        await unitOfWork.CommitAsync();

        var byEmail = await repository.ListAsync(new CustomersByEmail(new EmailAddress(" ANN.LEE@example.COM ")));
        Assert.Equal([ann.Id], byEmail.Select(c => c.Id));
        var byPhone = await repository.ListAsync(new CustomersByPhone(PhoneNumber.Parse("+44 20 7946 0958", "US")));
        Assert.Equal([ann.Id], byPhone.Select(c => c.Id)); // any extension
        var byExternal = await repository.FirstOrDefaultAsync(new CustomerByExternalId("Billing", "B-00042"));
        Assert.Equal(ann.Id, byExternal!.Id);
        Assert.Empty(await repository.ListAsync(new CustomersByEmail(new EmailAddress("nobody@example.com"))));

        // The stored snapshot is independent of the instance that was added.
        ann.AddEmail("changed@example.com", T0);
        var reloaded = await repository.GetByIdAsync(ann.Id);
        Assert.Single(reloaded!.Emails);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Equal("email", Assert.Throws<ArgumentException>(() => new CustomersByEmail(default)).ParamName);
        Assert.Equal("phone", Assert.Throws<ArgumentException>(() => new CustomersByPhone(default)).ParamName);
        Assert.Equal("phone", Assert.Throws<ArgumentException>(() => new CustomersByPhone(PhoneNumber.Parse("n/a", "GB"))).ParamName);
        Assert.Equal("sourceSystem", Assert.Throws<ArgumentNullException>(() => new CustomerByExternalId(null!, "X")).ParamName);
        Assert.Equal("externalId", Assert.Throws<ArgumentException>(() => new CustomerByExternalId("billing", "")).ParamName);
    }
}
