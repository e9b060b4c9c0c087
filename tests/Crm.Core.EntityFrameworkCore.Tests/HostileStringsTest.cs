using Crm.Core.Customers;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// SQL injection: hostile text (quotes, statement terminators, comments, unicode, control characters) goes through
/// names, tags, attributes, segment names and segment rule values and comes back unchanged; a rule value that looks
/// like SQL matches only the profile that literally holds it. Every query is parameterised by EF Core.
/// </summary>
public abstract class HostileStringsTest : DatabaseTest
{
    private static readonly string[] Hostile =
    [
        "Robert'); DROP TABLE customers;--",
        "x' OR '1'='1",
        "\"; DELETE FROM purchases; --",
        "O'Brien /* comment */ ;",
        "Zoë 🦄 \u202Eevil\u202C",
        "back\\slash %wild_card%",
        "semi;colon -- dash \u00A0nbsp",
    ];

    [SkippableFact]
    public async Task Hostile_text_round_trips_through_customers_segments_and_profiles()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var at = Instant.FromUtc(2025, 3, 1, 12, 0);
        var id = new CustomerId("hostile-" + Guid.NewGuid().ToString("N"));
        await using (var scope = Services.CreateAsyncScope())
        {
            var customer = Customer.Register(id, CustomerName.Person(Hostile[0], Hostile[1], Hostile[4]), at);
            foreach (var text in Hostile)
            {
                customer.AddTag(text, at);
            }
            customer.SetAttribute("note", AttributeValue.OfText(Hostile[2]), isPersonalData: false, at);
            customer.AssignOwnership(Hostile[3], Hostile[5], at);
            await scope.ServiceProvider.GetRequiredService<IRepository<Customer, CustomerId>>().AddAsync(customer);
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
        }
        await using (var scope = Services.CreateAsyncScope())
        {
            var loaded = (await scope.ServiceProvider.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(id))!;
            Assert.Equal(Hostile[0], loaded.Name.GivenName);
            Assert.Equal(Hostile[4], loaded.Name.DisplayName);
            Assert.Equal(Hostile[2], loaded.Attributes["note"].Value.Value);
            Assert.Equal(Hostile[3], loaded.OwnerId);
            Assert.Equal(Hostile.Length, loaded.Tags.Count);
        }

        var segment = new SegmentId("hostile-" + Guid.NewGuid().ToString("N"));
        await using (var scope = Services.CreateAsyncScope())
        {
            var profiles = scope.ServiceProvider.GetRequiredService<ICustomerProfileStore>();
            var prefix = "hp-" + Guid.NewGuid().ToString("N")[..8] + "-";
            for (var i = 0; i < Hostile.Length; i++)
            {
                await profiles.UpsertAsync(new CustomerProfile(new CustomerId(prefix + i)) { City = Hostile[i], Tags = [Hostile[(i + 1) % Hostile.Length]] });
            }
            for (var i = 0; i < Hostile.Length; i++)
            {
                var rule = new AllOf(new FieldCondition("city", RuleOperator.Eq, Hostile[i]), new FieldCondition("tags", RuleOperator.Contains, Hostile[(i + 1) % Hostile.Length]));
                var members = new List<CustomerId>();
                await foreach (var batch in profiles.StreamMatchingAsync(RuleCompiler.Default.Compile(rule, new LocalDate(2025, 3, 1)), 100))
                {
                    members.AddRange(batch);
                }
                Assert.Equal([new CustomerId(prefix + i)], members);
                Assert.Equal(Hostile[i], (await profiles.FindAsync(new CustomerId(prefix + i)))!.City);
            }

            var service = scope.ServiceProvider.GetRequiredService<SegmentService>();
            await service.DefineDynamicAsync(segment, Hostile[1], new FieldCondition("city", RuleOperator.In, Hostile[0], Hostile[2]));
        }
        await using (var scope = Services.CreateAsyncScope())
        {
            var loaded = (await scope.ServiceProvider.GetRequiredService<IReadRepository<Segment, SegmentId>>().GetByIdAsync(segment))!;
            Assert.Equal(Hostile[1], loaded.Name);
            Assert.Equal(SegmentDefinitionJson.Serialize(new FieldCondition("city", RuleOperator.In, Hostile[0], Hostile[2])), SegmentDefinitionJson.Serialize(loaded.Rule!));
        }

        // Nothing was dropped or deleted along the way.
        await using (var scope = Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            Assert.True(await context.Set<Customer>().AnyAsync());
        }
    }
}

public sealed class SqliteHostileStringsTest : HostileStringsTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-hostile";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("hostile"));
}

public sealed class PostgresHostileStringsTest : HostileStringsTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-hostile";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("hostile"));
}
