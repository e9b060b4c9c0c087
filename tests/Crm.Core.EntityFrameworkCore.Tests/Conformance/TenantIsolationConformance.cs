using Crm.Core.DependencyInjection;
using Crm.Core.Testing.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Tests.Conformance;

public sealed class InMemoryTenantIsolationConformance : TenantIsolationConformanceTests
{
    protected override int Cases => 60;

    protected override void UseStore(ICrmCoreBuilder builder) => builder.UseInMemoryStore();
}

public sealed class SqliteTenantIsolationConformance : TenantIsolationConformanceTests
{
    private const string Name = "tenancy";

    protected override int Cases => TestDatabases.PropertyCases(3);

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("sqlite-" + Name, services);
}

public sealed class PostgresTenantIsolationConformance : TenantIsolationConformanceTests
{
    private const string Name = "tenancy";

    protected override int Cases => TestDatabases.PropertyCases(3);

    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("pg-" + Name, services);
}
