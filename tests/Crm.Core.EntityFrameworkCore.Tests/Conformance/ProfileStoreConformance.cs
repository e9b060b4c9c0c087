using Crm.Core.DependencyInjection;
using Crm.Core.Testing.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Tests.Conformance;

// Each case writes up to 40 profiles; CRM_DB_PROPERTY_MAXTEST raises the number of random populations checked.
public sealed class InMemoryProfileStoreConformance : CustomerProfileStoreConformanceTests
{
    protected override int Cases => 30;

    protected override void UseStore(ICrmCoreBuilder builder) => builder.UseInMemoryStore();
}

public sealed class SqliteProfileStoreConformance : CustomerProfileStoreConformanceTests
{
    private const string Name = "profiles";

    protected override int Cases => TestDatabases.PropertyCases(6);

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("sqlite-" + Name, services);
}

public sealed class PostgresProfileStoreConformance : CustomerProfileStoreConformanceTests
{
    private const string Name = "profiles";

    protected override int Cases => TestDatabases.PropertyCases(6);

    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("pg-" + Name, services);
}
