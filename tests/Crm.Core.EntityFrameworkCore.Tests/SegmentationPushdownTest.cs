using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.EntityFrameworkCore.Segmentation;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Segmentation;
using Crm.Core.Testing;
using Crm.Core.Testing.Fakes;
using Crm.Core.Testing.Storage;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// Segmentation on the EF Core adapter: refreshes through <see cref="SegmentService"/> store memberships and apply
/// exactly the difference, and a rule SQL cannot express fails naming its condition. (That rules select exactly the
/// in-memory members is the profile-store kit's job: Conformance/ProfileStoreConformance.cs.)
/// </summary>
public abstract class SegmentationPushdownTest : DatabaseTest
{
    protected FakeClock Clock { get; } = new(Instant.FromUtc(2024, 3, 1, 12, 0));

    protected RecordingDomainEventDispatcher Events { get; } = new();

    protected override void AddServices(IServiceCollection services)
    {
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IDomainEventDispatcher>(Events);
    }

    [SkippableFact]
    public async Task Refresh_through_SegmentService_stores_memberships_and_applies_only_the_difference()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var prefix = "seg-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var segment = new SegmentId(prefix + "frequent");
        var rule = new FieldCondition("purchases.count", RuleOperator.Gte, 2);
        await using (var scope = Services.CreateAsyncScope())
        {
            // Tests of one class run one after another: this one owns the profile table while it runs.
            await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Set<CustomerProfile>().ExecuteDeleteAsync();
        }
        await Upsert(prefix + "a", 1);
        await Upsert(prefix + "b", 2);
        await Upsert(prefix + "c", 5);
        await Run(s => s.DefineDynamicAsync(segment, "Frequent buyers", rule));

        var first = await Run(s => s.RefreshAsync(segment));
        Assert.Equal([prefix + "b", prefix + "c"], first.Entered.Select(c => c.Value));
        Assert.Empty(first.Left);

        await Upsert(prefix + "a", 3);
        await Upsert(prefix + "b", 0);
        Events.Clear();
        var second = await Run(s => s.RefreshAsync(segment));
        Assert.Equal([prefix + "a"], second.Entered.Select(c => c.Value));
        Assert.Equal([prefix + "b"], second.Left.Select(c => c.Value));
        Assert.Equal(2, second.MemberCount);
        Assert.Equal(2, Events.Events.Count);

        var members = await Run(s => s.GetMembersAsync(segment));
        Assert.Equal([prefix + "a", prefix + "c"], members.Select(c => c.Value).Order(StringComparer.Ordinal));
        Assert.Equal([segment], await Run(s => s.GetSegmentsOfAsync(new CustomerId(prefix + "c"))));

        Events.Clear();
        var third = await Run(s => s.RefreshAsync(segment));
        Assert.Empty(third.Entered);
        Assert.Empty(third.Left);
        Assert.Empty(Events.Events);
    }

    [SkippableFact]
    public async Task UpsertMany_writes_in_batches_replaces_existing_profiles_and_keeps_the_last_duplicate()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var prefix = "bulk-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var profiles = SegmentationArbitraries.Profile().Sample(25);
        for (var i = 0; i < profiles.Length; i++)
        {
            profiles[i].CustomerId = new CustomerId(prefix + i);
        }
        await using var scope = Services.CreateAsyncScope();
        var store = (EfCustomerProfileStore)scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
        Assert.Equal(25, await store.UpsertManyAsync(profiles, batchSize: 7));

        // Again, with the first profile replaced and a duplicate at the end: the last one wins.
        var replacement = new CustomerProfile(new CustomerId(prefix + "0")) { PurchaseCount = 42, Tags = ["replaced"] };
        var duplicate = new CustomerProfile(new CustomerId(prefix + "1")) { PurchaseCount = 7 };
        await store.UpsertManyAsync([replacement, profiles[1], duplicate], batchSize: 10);
        Assert.Equal(StateFingerprint.Of(replacement), StateFingerprint.Of(await store.FindAsync(replacement.CustomerId)));
        Assert.Equal(StateFingerprint.Of(duplicate), StateFingerprint.Of(await store.FindAsync(duplicate.CustomerId)));
        Assert.Equal(StateFingerprint.Of(profiles[24]), StateFingerprint.Of(await store.FindAsync(profiles[24].CustomerId)));

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.UpsertManyAsync(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpsertManyAsync([], batchSize: 0));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertManyAsync([new CustomerProfile()]));
    }

    [SkippableFact]
    public async Task A_rule_the_database_cannot_run_fails_naming_the_condition()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
        var criterion = Criterion<CustomerProfile>.Where(p => p.PurchaseCount > 1) & Criterion<CustomerProfile>.Where(p => Local(p.City));
        var error = await Assert.ThrowsAsync<UntranslatableSpecificationException>(() => store.CountAsync(criterion));
        Assert.Contains("Local", error.Condition, StringComparison.Ordinal);
        Assert.DoesNotContain("PurchaseCount", error.Condition, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UntranslatableSpecificationException>(async () =>
        {
            await foreach (var _ in store.StreamMatchingAsync(criterion, 10))
            {
            }
        });
    }

    private static bool Local(string? city) => city == "Berlin";

    private async Task Upsert(string id, int purchases)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(new CustomerId(id)) { PurchaseCount = purchases }.WithEmailMarketingConsent());
    }

    private async Task<T> Run<T>(Func<SegmentService, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }

}

public sealed class SqliteSegmentationPushdownTest : SegmentationPushdownTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-segments";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("segments"));
}

public sealed class PostgresSegmentationPushdownTest : SegmentationPushdownTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-segments";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("segments"));
}
