using Crm.Core.Customers;
using Crm.Core.Segmentation;
using Crm.Core.Testing;
using Crm.Core.Testing.Fakes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// Consent in the SQL path: a marketing segment refreshed through <see cref="SegmentService"/> on the EF Core adapter
/// holds exactly the rule's matches whose consent is in force at the evaluation instant (the consent test runs in SQL
/// with the rule), over random consent histories; withdrawals leave at the next refresh, audiences re-check at once.
/// </summary>
public abstract class ConsentPushdownTest : DatabaseTest
{
    protected FakeClock Clock { get; } = new(ConsentArbitraries.Epoch);

    protected override void AddServices(IServiceCollection services)
    {
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IDomainEventDispatcher>(new RecordingDomainEventDispatcher());
    }

    /// <summary>How many random populations a run checks (each a dozen database round trips per customer at most).</summary>
    protected virtual int Cases => TestDatabases.PropertyCases(12);

    [SkippableFact]
    public void A_marketing_segment_in_sql_holds_exactly_the_consenting_matches_at_each_evaluation()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var property = Prop.ForAll(ConsentArbitraries.Population(), population => Check(population).GetAwaiter().GetResult());
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), property);
    }

    [SkippableFact]
    public async Task A_withdrawal_that_takes_effect_later_removes_the_customer_at_the_next_refresh()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var run = "w" + Guid.NewGuid().ToString("N")[..8];
        var at = ConsentArbitraries.Epoch;
        var ann = Customer.Register(new CustomerId(run + "-ann"), CustomerName.Person("Test", "Person"), at - Duration.FromDays(1));
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, at - Duration.FromDays(1), "web");
        ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, at + Duration.FromDays(2), "unsubscribe-link");
        var bob = Customer.Register(new CustomerId(run + "-bob"), CustomerName.Person("Test", "Person"), at - Duration.FromDays(1));
        await Upsert(run, [Profile(ann, at, run), Profile(bob, at, run)]);
        var segment = new SegmentId(run + "-buyers");
        Clock.Reset(at);
        await Run(s => s.DefineDynamicAsync(segment, "Buyers", Rule(run)));
        Assert.Equal([ann.Id], (await Run(s => s.RefreshAsync(segment))).Entered);

        Clock.Reset(at + Duration.FromDays(2));
        Assert.Empty(await Run(s => s.GetAudienceAsync(segment)));
        var next = await Run(s => s.RefreshAsync(segment));
        Assert.Equal([ann.Id], next.Left);
        Assert.Empty(await Run(s => s.GetMembersAsync(segment)));
    }

    [SkippableFact]
    public async Task The_consent_test_is_sql_over_the_consent_rows()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await using var scope = Services.CreateAsyncScope();
        var sql = scope.ServiceProvider.GetRequiredService<CrmDbContext>().Set<CustomerProfile>()
            .Where(ConsentCriteria.InForce(ConsentPurpose.Marketing, ContactChannel.Email, ConsentArbitraries.Epoch).Expression).ToQueryString();
        Assert.Contains("EXISTS", sql, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("customer_profile_consents", sql, StringComparison.Ordinal);
        Assert.Contains("purposeCode", sql, StringComparison.Ordinal); // a parameter, not a literal: one cached plan
    }

    private async Task<bool> Check(ConsentPopulation population)
    {
        var run = "p" + Guid.NewGuid().ToString("N")[..8];
        var customers = population.BuildCustomers(run + "-");
        // Projected before any consent was given: only the consent periods can make the evaluations right.
        await Upsert(run, customers.Select((c, i) =>
        {
            var profile = Profile(c, ConsentArbitraries.Epoch - Duration.FromMinutes(5), run);
            profile.PurchaseCount = population.PurchaseCounts[i];
            return profile;
        }).ToList());
        var segment = new SegmentId(run + "-marketing");
        Clock.Reset(ConsentArbitraries.Epoch - Duration.FromMinutes(5));
        await Run(s => s.DefineDynamicAsync(segment, "Marketing", Rule(run), PurposeOfUse.Marketing(population.Channel)));
        foreach (var i in population.Included)
        {
            await Run(s => s.IncludeAsync(segment, customers[i].Id));
        }
        foreach (var i in population.Excluded)
        {
            await Run(s => s.ExcludeAsync(segment, customers[i].Id));
        }

        List<CustomerId> Expected(Instant at) => customers
            .Where((c, i) => (population.PurchaseCounts[i] >= 1 || population.Included.Contains(i)) && !population.Excluded.Contains(i))
            .Where(c => c.MayContact(ConsentPurpose.Marketing, population.Channel, at))
            .Select(c => c.Id).Order().ToList();

        Clock.Reset(population.FirstAt);
        await Run(s => s.RefreshAsync(segment));
        var first = await Run(s => s.GetMembersAsync(segment));
        Clock.Reset(population.SecondAt);
        var audience = await Run(s => s.GetAudienceAsync(segment));
        var second = await Run(s => s.RefreshAsync(segment));
        var members = await Run(s => s.GetMembersAsync(segment));
        var count = await Run(s => s.PreviewAsync(Rule(run), PurposeOfUse.Marketing(population.Channel)));

        var expectedFirst = Expected(population.FirstAt);
        var expectedSecond = Expected(population.SecondAt);
        var ruleOnly = customers.Where((c, i) => population.PurchaseCounts[i] >= 1 && c.MayContact(ConsentPurpose.Marketing, population.Channel, population.SecondAt)).Count();
        Assert.True(first.SequenceEqual(expectedFirst), $"{population}: first [{string.Join(",", first)}] expected [{string.Join(",", expectedFirst)}]");
        Assert.True(members.SequenceEqual(expectedSecond), $"{population}: second [{string.Join(",", members)}] expected [{string.Join(",", expectedSecond)}]");
        Assert.Equal(expectedFirst.Intersect(expectedSecond).Order(), audience);
        Assert.Equal(expectedFirst.Except(expectedSecond).Order(), second.Left);
        Assert.Equal(expectedSecond.Except(expectedFirst).Order(), second.Entered);
        Assert.Equal(ruleOnly, count);
        return true;
    }

    private static RuleNode Rule(string run) =>
        new AllOf(new FieldCondition("purchases.count", RuleOperator.Gte, 1), new FieldCondition("tags", RuleOperator.Contains, run));

    private static CustomerProfile Profile(Customer customer, Instant at, string run)
    {
        var profile = new CustomerProfile(customer.Id).Project(customer, at, DateTimeZone.Utc);
        profile.PurchaseCount = 1;
        profile.Tags = [run]; // this run's customers only: the database is shared by the test's cases
        return profile;
    }

    private async Task Upsert(string run, IReadOnlyList<CustomerProfile> profiles)
    {
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
        foreach (var profile in profiles)
        {
            Assert.Contains(run, profile.Tags);
            await store.UpsertAsync(profile);
        }
    }

    private async Task<T> Run<T>(Func<SegmentService, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
    }
}

public sealed class SqliteConsentPushdownTest : ConsentPushdownTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-consent";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("consent"));
}

public sealed class PostgresConsentPushdownTest : ConsentPushdownTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-consent";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("consent"));
}
