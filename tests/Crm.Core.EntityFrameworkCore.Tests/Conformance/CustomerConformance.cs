using Crm.Core.DependencyInjection;
using Crm.Core.Testing.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Tests.Conformance;

public sealed class InMemoryCustomerConformance : CustomerRepositoryConformanceTests
{
    protected override void UseStore(ICrmCoreBuilder builder) => builder.UseInMemoryStore();
}

public sealed class SqliteCustomerConformance : CustomerRepositoryConformanceTests
{
    private const string Name = "customers";

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("sqlite-" + Name, services);
}

public sealed class PostgresCustomerConformance : CustomerRepositoryConformanceTests
{
    private const string Name = "customers";

    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("pg-" + Name, services);
}
