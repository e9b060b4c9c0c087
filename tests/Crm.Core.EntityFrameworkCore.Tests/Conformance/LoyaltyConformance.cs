using Crm.Core.DependencyInjection;
using Crm.Core.Testing.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Tests.Conformance;

public sealed class InMemoryLoyaltyConformance : LoyaltyAccountRepositoryConformanceTests
{
    protected override void UseStore(ICrmCoreBuilder builder) => builder.UseInMemoryStore();
}

public sealed class SqliteLoyaltyConformance : LoyaltyAccountRepositoryConformanceTests
{
    private const string Name = "loyalty-accounts";

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("sqlite-" + Name, services);
}

public sealed class PostgresLoyaltyConformance : LoyaltyAccountRepositoryConformanceTests
{
    private const string Name = "loyalty-accounts";

    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("pg-" + Name, services);
}
