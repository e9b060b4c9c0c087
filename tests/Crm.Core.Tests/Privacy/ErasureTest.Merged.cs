using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Privacy;
using Crm.Core.Storage;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Privacy;

// A merge says that two records are one person, and the merged record stays behind as a tombstone (name, birth date,
// external ids of conflicting systems, attributes, its drained loyalty account and its lifecycle stay under its id).
// Erasing that person must therefore reach the tombstones too, whichever of the ids the request names.
public partial class ErasureTest
{
    private static async Task MergeAsync(PrivacyTestHost host, CustomerId survivor, CustomerId merged)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CustomerMergeService>().MergeAsync(survivor, merged);
    }

    private static Gen<PersonalDataScenario> Person(int index) =>
        PersonalDataScenario.Gen(index).Select(s => s with { Organisation = false });

    [Property(MaxTest = 20)]
    public Property Erasing_a_customer_erases_the_records_merged_into_it(bool eraseByMergedId) =>
        Prop.ForAll(Person(0).ToArbitrary(), Person(1).ToArbitrary(), Person(2).ToArbitrary(), (survivor, merged, kept) =>
        {
            using var host = new PrivacyTestHost();
            host.SaveAsync(survivor, merged, kept).GetAwaiter().GetResult();
            MergeAsync(host, survivor.CustomerId, merged.CustomerId).GetAwaiter().GetResult();
            var before = host.StoredText();

            var result = host.EraseAsync(eraseByMergedId ? merged.CustomerId : survivor.CustomerId).GetAwaiter().GetResult();
            var after = host.StoredText();

            var needles = survivor.Needles.Concat(merged.Needles).ToList();
            var remaining = ReachableText.Containing(after, needles);
            return (ReachableText.Containing(before, merged.Needles).Count > 0).Label("the tombstone holds data before erasure")
                .And((remaining.Count == 0).Label("remaining: " + string.Join(" | ", remaining)))
                .And(kept.Needles.All(n => ReachableText.Containing(after, [n]).Count > 0).Label("the other customer's data is intact"))
                .And((result.Record.CustomerId == (eraseByMergedId ? merged.CustomerId : survivor.CustomerId)).Label("the record is the requested id's"));
        });

    [Fact]
    public async Task After_erasing_a_survivor_no_external_id_of_its_merged_records_re_identifies_it()
    {
        await using var host = new PrivacyTestHost();
        var survivor = PrivacyTestHost.Ann;
        var merged = PrivacyTestHost.Ann with { CustomerId = new CustomerId("C-ann-dup"), Marker = "wvtsrpnmkqzx", PhoneSuffix = 9 };
        await host.SaveAsync(survivor, merged);
        await MergeAsync(host, survivor.CustomerId, merged.CustomerId);
        await host.EraseAsync(survivor.CustomerId);

        await using var scope = host.Services.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>();
        var tombstone = (await customers.GetByIdAsync(merged.CustomerId))!;
        Assert.True(tombstone.IsErased);
        Assert.Equal(survivor.CustomerId, tombstone.MergedInto); // still redirects: ids are pseudonyms
        Assert.Empty(tombstone.ExternalIds);
        var registry = scope.ServiceProvider.GetRequiredService<IErasureRegistry>();
        Assert.True(await registry.IsErasedAsync("billing", merged.BillingId));
        var registrations = scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>();
        await Assert.ThrowsAsync<ErasedExternalIdException>(() => registrations.ImportAsync("billing", merged.BillingId,
            new CustomerRegistration(new CustomerId("C-back"), CustomerName.Person("Back", null))));
        var erasures = scope.ServiceProvider.GetRequiredService<IReadRepository<ErasureRecord, CustomerId>>();
        Assert.NotNull(await erasures.GetByIdAsync(merged.CustomerId));
        Assert.Equal(2, (await erasures.GetByIdAsync(survivor.CustomerId))!.ExternalIdsErased);
    }
}
