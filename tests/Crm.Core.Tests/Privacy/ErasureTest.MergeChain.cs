using System.Text.Json.Nodes;
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

// Merges chain: C merged into B, later B into A. A then knows C only through B's merge record (its "earlier merged"
// ids), and C redirects to A through B. Erasure and export must reach all three from any of the ids.
public partial class ErasureTest
{
    [Property(MaxTest = 15)]
    public Property Erasing_any_id_of_a_merge_chain_erases_the_whole_chain() =>
        Prop.ForAll(
            (from a in Person(0) from b in Person(1) from c in Person(2) select (A: a, B: b, C: c)).ToArbitrary(),
            Person(3).ToArbitrary(),
            Gen.Choose(0, 2).ToArbitrary(),
            (people, kept, erased) =>
            {
                var (a, b, c) = people;
                using var host = new PrivacyTestHost();
                host.SaveAsync(a, b, c, kept).GetAwaiter().GetResult();
                MergeAsync(host, b.CustomerId, c.CustomerId).GetAwaiter().GetResult();
                MergeAsync(host, a.CustomerId, b.CustomerId).GetAwaiter().GetResult();
                var chain = new[] { a, b, c };
                var before = host.StoredText();

                var result = host.EraseAsync(chain[erased].CustomerId).GetAwaiter().GetResult();
                var after = host.StoredText();

                var remaining = ReachableText.Containing(after, chain.SelectMany(p => p.Needles).ToList());
                var records = ErasureRecordsAsync(host, chain.Select(p => p.CustomerId)).GetAwaiter().GetResult();
                return chain.All(p => ReachableText.Containing(before, p.Needles).Count > 0).Label("every record holds data before erasure")
                    .And((remaining.Count == 0).Label("remaining: " + string.Join(" | ", remaining)))
                    .And(kept.Needles.All(n => ReachableText.Containing(after, [n]).Count > 0).Label("the other customer's data is intact"))
                    .And((records.Count(r => r is not null) == 3).Label("every record of the chain has its erasure record"))
                    .And((result.Record.CustomerId == chain[erased].CustomerId).Label("the result is the requested id's record"));
            });

    [Fact]
    public async Task An_export_by_any_id_of_a_merge_chain_covers_the_survivor_and_every_merged_record_with_its_erasure()
    {
        await using var host = new PrivacyTestHost();
        var (a, b, c) = (PrivacyTestHost.Ann, ChainMember(PrivacyTestHost.Ann, "C-b", "wvtsrpnmkqzx", 5), ChainMember(PrivacyTestHost.Ann, "C-c", "xzqkmnprstvw", 6));
        await host.SaveAsync(a, b, c);
        await MergeAsync(host, b.CustomerId, c.CustomerId);
        await MergeAsync(host, a.CustomerId, b.CustomerId);

        foreach (var requested in new[] { a, b, c })
        {
            var export = await host.ExportAsync(requested.CustomerId);
            Assert.Equal(a.CustomerId.Value, export["customerId"]!.GetValue<string>());
            Assert.Equal(requested.CustomerId.Value, export["requestedCustomerId"]!.GetValue<string>());
            Assert.Equal(["C-b", "C-c"], MergedIds(export));
            var exported = PrivacyTestHost.StringValues(export);
            foreach (var needle in new[] { a, b, c }.SelectMany(p => p.Needles))
            {
                Assert.Contains(exported, v => v.Contains(needle, StringComparison.OrdinalIgnoreCase));
            }
            Assert.All(export["mergedRecords"]!.AsArray(), r => Assert.Null(r!["erasure"]));
        }

        await host.EraseAsync(b.CustomerId);
        var erasedExport = await host.ExportAsync(c.CustomerId);
        Assert.Equal(a.CustomerId.Value, erasedExport["customerId"]!.GetValue<string>());
        Assert.NotNull(erasedExport["erasure"]);
        Assert.All(erasedExport["mergedRecords"]!.AsArray(), r => Assert.Equal("art17-request", r!["erasure"]!["reason"]!.GetValue<string>()));
        Assert.Equal(["C-b", "C-c"], MergedIds(erasedExport));
    }

    [Fact]
    public async Task A_record_merged_into_a_customer_erased_alone_is_not_imported_until_erased_again_and_released()
    {
        await using var host = new PrivacyTestHost();
        var survivor = PrivacyTestHost.Ann;
        var merged = ChainMember(survivor, "C-ann-dup", "wvtsrpnmkqzx", 9);
        await host.SaveAsync(survivor, merged);
        await MergeAsync(host, survivor.CustomerId, merged.CustomerId);
        await EraseSurvivorOnlyAsync(host, survivor.CustomerId);
        var comeBack = new CustomerRegistration(new CustomerId("C-back"), CustomerName.Person("Back", null));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<IErasureRegistry>();
            Assert.False(await registry.ReleaseAsync("billing", merged.BillingId)); // nothing hashed yet: no tombstone to release
            var refused = await Assert.ThrowsAsync<ErasedExternalIdException>(() =>
                scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>().ImportAsync("billing", merged.BillingId, comeBack));
            Assert.Equal(survivor.CustomerId, refused.ErasedCustomerId);
            Assert.Contains("C-ann", refused.Message, StringComparison.Ordinal);
            Assert.Contains("EraseAsync", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(merged.Marker, refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        // What the message says: erase again (reaches the merged record, hashes its ids), then release and import.
        var again = await host.EraseAsync(survivor.CustomerId);
        Assert.True(again.AlreadyErased);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var refused = await Assert.ThrowsAsync<ErasedExternalIdException>(() =>
                scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>().ImportAsync("billing", merged.BillingId, comeBack));
            Assert.Null(refused.ErasedCustomerId); // now an ordinary tombstone: releasable
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().ReleaseAsync("billing", merged.BillingId));
            var result = await scope.ServiceProvider.GetRequiredService<CustomerRegistrationService>().ImportAsync("billing", merged.BillingId, comeBack);
            Assert.Equal(RegistrationOutcome.Created, result.Outcome);
            Assert.Equal(merged.BillingId, result.Customer.ExternalIds["billing"]);
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var tombstone = (await scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(merged.CustomerId))!;
            Assert.True(tombstone.IsErased); // the re-created person is a new record; the old one stays erased
            Assert.Empty(tombstone.ExternalIds);
        }
    }

    [Fact]
    public async Task A_segment_override_naming_a_merged_id_is_exported_with_that_record()
    {
        await using var host = new PrivacyTestHost();
        var merged = ChainMember(PrivacyTestHost.Ann, "C-ann-dup", "wvtsrpnmkqzx", 9);
        await host.SaveAsync(PrivacyTestHost.Ann, merged);
        var listId = new Crm.Core.Segmentation.SegmentId("press-list");
        await EditListAsync(host, list => list.Include(merged.CustomerId), create: true);
        await MergeAsync(host, PrivacyTestHost.Ann.CustomerId, merged.CustomerId);

        // The merge moved the list entry to the survivor; nothing names the merged id any more.
        var export = await host.ExportAsync(merged.CustomerId);
        Assert.Contains(export["segmentOverrides"]!.AsArray(), o => o!["segmentId"]!.GetValue<string>() == listId.Value);
        Assert.Empty(export["mergedRecords"]!.AsArray().Single()!["segmentOverrides"]!.AsArray());

        // A host that later lists the old id (from a stale system) holds data about the person under it: exported there.
        await EditListAsync(host, list => list.Include(merged.CustomerId), create: false);
        export = await host.ExportAsync(merged.CustomerId);
        var mergedOverride = Assert.Single(export["mergedRecords"]!.AsArray().Single()!["segmentOverrides"]!.AsArray())!;
        Assert.Equal((listId.Value, "include"), (mergedOverride["segmentId"]!.GetValue<string>(), mergedOverride["override"]!.GetValue<string>()));
    }

    private static async Task EditListAsync(PrivacyTestHost host, Action<Crm.Core.Segmentation.Segment> edit, bool create)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var segments = scope.ServiceProvider.GetRequiredService<IRepository<Crm.Core.Segmentation.Segment, Crm.Core.Segmentation.SegmentId>>();
        var id = new Crm.Core.Segmentation.SegmentId("press-list");
        var list = create ? Crm.Core.Segmentation.Segment.CreateStaticList(id, "Press list") : (await segments.GetByIdAsync(id))!;
        edit(list);
        await (create ? segments.AddAsync(list) : segments.UpdateAsync(list));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
    }

    [Fact]
    public async Task A_chain_of_any_length_is_erased_whole_from_its_oldest_id()
    {
        // Longer than a fixed redirect guard would allow (redirects are followed without a hop limit).
        const int Length = 19;
        await using var host = new PrivacyTestHost();
        var chain = Enumerable.Range(0, Length)
            .Select(i => ChainMember(PrivacyTestHost.Ann, $"C-chain-{i:D2}", "qzxchain" + (char)('a' + i) + (char)('a' + i) + "wv", 100 + i)).ToList();
        await host.SaveAsync([.. chain]);
        for (var i = 0; i + 1 < Length; i++)
        {
            await MergeAsync(host, chain[i + 1].CustomerId, chain[i].CustomerId);
        }

        var export = await host.ExportAsync(chain[0].CustomerId);
        Assert.Equal(chain[^1].CustomerId.Value, export["customerId"]!.GetValue<string>());
        Assert.Equal(Length - 1, MergedIds(export).Count);
        await host.EraseAsync(chain[0].CustomerId);

        Assert.Empty(ReachableText.Containing(host.StoredText(), chain.SelectMany(p => p.Needles).ToList()));
        Assert.All(await ErasureRecordsAsync(host, chain.Select(p => p.CustomerId)), Assert.NotNull);
    }

    private static PersonalDataScenario ChainMember(PersonalDataScenario like, string id, string marker, int phoneSuffix) =>
        like with { CustomerId = new CustomerId(id), Marker = marker, PhoneSuffix = phoneSuffix };

    private static List<string> MergedIds(JsonObject export) =>
        export["mergedRecords"]!.AsArray().Select(r => r!["customerId"]!.GetValue<string>()).ToList();

    private static async Task<List<ErasureRecord?>> ErasureRecordsAsync(PrivacyTestHost host, IEnumerable<CustomerId> ids)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var erasures = scope.ServiceProvider.GetRequiredService<IReadRepository<ErasureRecord, CustomerId>>();
        var records = new List<ErasureRecord?>();
        foreach (var id in ids)
        {
            records.Add(await erasures.GetByIdAsync(id));
        }
        return records;
    }

    // The state an erasure left before it reached merge families: the survivor erased, its merged record untouched
    // (name, external ids and all), with no erasure record of its own and no tombstone for its ids.
    private static async Task EraseSurvivorOnlyAsync(PrivacyTestHost host, CustomerId survivorId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>();
        var survivor = (await customers.GetByIdAsync(survivorId))!;
        var now = host.Clock.GetCurrentInstant();
        var linked = survivor.ErasePersonalData(now);
        await customers.UpdateAsync(survivor);
        await scope.ServiceProvider.GetRequiredService<IRepository<ErasureRecord, CustomerId>>()
            .AddAsync(ErasureRecord.Create(survivorId, now, "art17-request", "dpo-1", linked.Count, survivor.TenantId));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
    }
}
