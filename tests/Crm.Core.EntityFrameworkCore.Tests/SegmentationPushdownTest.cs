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
/// Segmentation on the EF Core adapter: profiles stored in <c>customer_profiles</c>, rules run as SQL and select exactly
/// the customers the compiled delegate selects in memory; refreshes through <see cref="SegmentService"/> store
/// memberships and apply exactly the difference.
/// </summary>
public abstract class SegmentationPushdownTest : DatabaseTest
{
    /// <summary>Random populations to check (each with 8 random rules); CRM_DB_PROPERTY_MAXTEST raises it.</summary>
    protected virtual int Cases => int.TryParse(Environment.GetEnvironmentVariable("CRM_DB_PROPERTY_MAXTEST"), out var n) && n > 0 ? n : 6;

    protected FakeClock Clock { get; } = new(Instant.FromUtc(2024, 3, 1, 12, 0));

    protected RecordingDomainEventDispatcher Events { get; } = new();

    protected override void AddServices(IServiceCollection services)
    {
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IDomainEventDispatcher>(Events);
    }

    [SkippableFact]
    public async Task The_database_returns_exactly_the_in_memory_members_for_random_rules()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var cases = (from set in SegmentationArbitraries.ProfileSet().Generator
                     from rules in Gen.ArrayOf(SegmentationArbitraries.RandomRule().Generator, 8)
                     from date in SegmentationArbitraries.EvaluationDate().Generator
                     select (set, rules, date)).Sample(Cases);
        foreach (var (set, rules, date) in cases)
        {
            await using var scope = Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
            Assert.IsType<EfCustomerProfileStore>(store);
            await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Set<CustomerProfile>().ExecuteDeleteAsync();
            foreach (var profile in set.Profiles)
            {
                await store.UpsertAsync(profile);
            }
            foreach (var rule in rules)
            {
                var criterion = RuleCompiler.Default.Compile(rule.Rule, date.Date);
                var inMemory = set.Profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
                var inDatabase = new List<string>();
                await foreach (var batch in store.StreamMatchingAsync(criterion, 7))
                {
                    Assert.InRange(batch.Count, 1, 7);
                    inDatabase.AddRange(batch.Select(c => c.Value));
                }
                inDatabase.Sort(StringComparer.Ordinal);
                Assert.True(inMemory.SequenceEqual(inDatabase), $"{rule} as of {date}: memory [{string.Join(",", inMemory)}] vs database [{string.Join(",", inDatabase)}]");
                Assert.Equal(inMemory.Count, await store.CountAsync(criterion));
            }
        }
    }

    [SkippableFact]
    public async Task Profiles_round_trip_and_upsert_replaces_every_child_row()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var profiles = SegmentationArbitraries.Profile().Sample(10);
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
        foreach (var profile in profiles)
        {
            profile.CustomerId = new CustomerId("rt-" + Guid.NewGuid().ToString("N"));
            await store.UpsertAsync(profile);
            Assert.Equal(Fingerprint(profile), Fingerprint((await store.FindAsync(profile.CustomerId))!));
        }
        // Replace the first profile with the second's content: nothing of the old one may survive.
        var replacement = profiles[1]; // the store keeps copies, so the stored second profile is not affected
        replacement.CustomerId = profiles[0].CustomerId;
        await store.UpsertAsync(replacement);
        Assert.Equal(Fingerprint(replacement), Fingerprint((await store.FindAsync(profiles[0].CustomerId))!));

        await store.RemoveAsync(profiles[0].CustomerId);
        Assert.Null(await store.FindAsync(profiles[0].CustomerId));
        await store.RemoveAsync(profiles[0].CustomerId); // removing twice is harmless
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
        await scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>().UpsertAsync(new CustomerProfile(new CustomerId(id)) { PurchaseCount = purchases });
    }

    private async Task<T> Run<T>(Func<SegmentService, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }

    private static string Fingerprint(CustomerProfile profile) => StateFingerprint.Of(profile);
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
