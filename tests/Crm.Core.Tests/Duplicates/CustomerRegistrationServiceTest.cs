using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Duplicates;

public class CustomerRegistrationServiceTest
{
    private static CustomerRegistration Ann(string id = "ANN", string email = "ann@example.com") =>
        new(new CustomerId(id), CustomerName.Person("Ann", "Lee")) { Emails = { email }, Phones = { PhoneNumber.Parse("020 7946 0001", "GB") } };

    private static Task<CustomerRegistrationResult> Register(MergeWorld world, CustomerRegistration registration, DuplicatePolicy policy = DuplicatePolicy.Warn, DuplicateRules? rules = null) =>
        world.Read(sp => sp.GetRequiredService<CustomerRegistrationService>().RegisterAsync(registration, policy, rules));

    private static Task<CustomerRegistrationResult> Import(MergeWorld world, string externalId, CustomerRegistration registration, DuplicatePolicy policy = DuplicatePolicy.Warn) =>
        world.Read(sp => sp.GetRequiredService<CustomerRegistrationService>().ImportAsync("webshop", externalId, registration, policy));

    [Fact]
    public async Task Register_WithoutDuplicates_CreatesTheCustomer()
    {
        await using var world = new MergeWorld();

        var result = await Register(world, Ann());

        Assert.Equal(RegistrationOutcome.Created, result.Outcome);
        Assert.False(result.HasDuplicates);
        Assert.Equal("ann@example.com", (await world.Customer(new CustomerId("ANN"))).PrimaryEmail!.Address.Value);
    }

    [Fact]
    public async Task Register_Warn_CreatesAndReportsTheCandidates()
    {
        await using var world = new MergeWorld();
        await Register(world, Ann());

        var result = await Register(world, Ann("ANN-2", "ANN@Example.com"));

        var candidate = Assert.Single(result.Duplicates);
        Assert.Equal(new CustomerId("ANN"), candidate.CustomerId);
        Assert.Equal([MatchReason.Email, MatchReason.Phone], candidate.Reasons);
        Assert.Equal(1 - (0.05 * 0.1), candidate.Score, 6);
        Assert.NotNull(await world.Customer(new CustomerId("ANN-2")));
    }

    [Fact]
    public async Task Register_Refuse_ThrowsWithCandidateIds_AndRegistersNothing()
    {
        await using var world = new MergeWorld();
        await Register(world, Ann());

        var refused = await Assert.ThrowsAsync<DuplicateCustomerException>(() => Register(world, Ann("ANN-2", "other@example.com"), DuplicatePolicy.Refuse));

        Assert.Equal([new CustomerId("ANN")], refused.CandidateIds);
        Assert.Contains("'ANN'", refused.Message);
        Assert.DoesNotContain("7946", refused.Message);
        Assert.DoesNotContain("Lee", refused.Message);
        Assert.Null(await world.Read(sp => sp.GetRequiredService<Crm.Core.Storage.IRepository<Customer, CustomerId>>().GetByIdAsync(new CustomerId("ANN-2"))));
    }

    [Fact]
    public async Task Register_BadInput_RegistersNothing()
    {
        await using var world = new MergeWorld();

        await Assert.ThrowsAsync<ArgumentException>(() => Register(world, Ann(email: "not an email")));

        Assert.Empty(await world.All<Customer, CustomerId>());
    }

    [Fact]
    public async Task Import_CreatesThenUpdates_ByExternalId()
    {
        await using var world = new MergeWorld();

        var created = await Import(world, "W-1", Ann());
        var second = new CustomerRegistration(new CustomerId("IGNORED"), CustomerName.Person("Ann", "Lee-Smith")) { Emails = { "ann.smith@example.com" } };
        var updated = await Import(world, "W-1", second);

        Assert.Equal(RegistrationOutcome.Created, created.Outcome);
        Assert.Equal(RegistrationOutcome.Updated, updated.Outcome);
        var ann = await world.Customer(new CustomerId("ANN"));
        Assert.Equal("Lee-Smith", ann.Name.FamilyName);
        Assert.Equal(2, ann.Emails.Count());
        Assert.Equal("W-1", ann.ExternalIds["webshop"]);
        Assert.Single(await world.All<Customer, CustomerId>());
    }

    [Fact]
    public async Task Import_NewCustomer_RunsTheDuplicateCheck()
    {
        await using var world = new MergeWorld();
        await Register(world, Ann());

        await Assert.ThrowsAsync<DuplicateCustomerException>(() => Import(world, "W-7", Ann("ANN-7"), DuplicatePolicy.Refuse));
        var warned = await Import(world, "W-7", Ann("ANN-7"));

        Assert.Equal(new CustomerId("ANN"), Assert.Single(warned.Duplicates).CustomerId);
    }

    [Fact]
    public async Task Import_OfAMergedCustomersId_UpdatesTheSurvivor()
    {
        await using var world = new MergeWorld();
        await Register(world, Ann());
        await Import(world, "W-2", Ann("ANNIE", "annie@example.org"));
        await world.Merge(new CustomerId("ANN"), new CustomerId("ANNIE"));

        var result = await Import(world, "W-2", Ann("X", "third@example.net"));

        Assert.Equal(new CustomerId("ANN"), result.Customer.Id);
        Assert.Contains((await world.Customer(new CustomerId("ANN"))).Emails, e => e.Address.Value == "third@example.net");
    }

    [Fact]
    public async Task FuzzyRule_FindsSimilarNamesAtOnePostalCode()
    {
        await using var world = new MergeWorld();
        var first = new CustomerRegistration(new CustomerId("C1"), CustomerName.Person("Katherine", "Johnson"))
        {
            PostalAddresses = { new PostalAddress("1 High Street", "London", "GB", "SW1A 1AA") },
        };
        var second = new CustomerRegistration(new CustomerId("C2"), CustomerName.Person("Katharine", "Johnson"))
        {
            PostalAddresses = { new PostalAddress("1 High St.", "London", "gb", "sw1a 1aa") },
        };
        var elsewhere = new CustomerRegistration(new CustomerId("C3"), CustomerName.Person("Katherine", "Johnson"))
        {
            PostalAddresses = { new PostalAddress("1 Main Street", "Leeds", "GB", "LS1 1AA") },
        };
        await Register(world, first);

        var exactOnly = await Register(world, second, rules: DuplicateRules.Default);
        var fuzzy = await Register(world, elsewhere, rules: DuplicateRules.WithFuzzyNames);
        var fuzzySecond = await world.Read(sp => sp.GetRequiredService<DuplicateFinder>().FindAsync(exactOnly.Customer, DuplicateRules.WithFuzzyNames));

        Assert.Empty(exactOnly.Duplicates);
        Assert.Empty(fuzzy.Duplicates); // same name, other postal code
        var candidate = Assert.Single(fuzzySecond);
        Assert.Equal(new CustomerId("C1"), candidate.CustomerId);
        Assert.Equal([MatchReason.NameAndPostalCode], candidate.Reasons);
        Assert.InRange(candidate.Score, 0.7, 0.8);
    }
}
