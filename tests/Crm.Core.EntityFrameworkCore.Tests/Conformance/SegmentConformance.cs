using Crm.Core.DependencyInjection;
using Crm.Core.Testing.Storage;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Tests.Conformance;

public sealed class InMemorySegmentConformance : SegmentRepositoryConformanceTests
{
    protected override void UseStore(ICrmCoreBuilder builder) => builder.UseInMemoryStore();
}

public sealed class SqliteSegmentConformance : SegmentRepositoryConformanceTests
{
    private const string Name = "segments";

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseSqlite(TestDatabases.SqliteConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("sqlite-" + Name, services);
}

public sealed class PostgresSegmentConformance : SegmentRepositoryConformanceTests
{
    private const string Name = "segments";

    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override void UseStore(ICrmCoreBuilder builder) =>
        builder.UseEntityFrameworkCore(o => o.UseNpgsql(TestDatabases.PostgresConnectionString(Name)));

    protected override Task InitializeStoreAsync(IServiceProvider services) => TestDatabases.PrepareAsync("pg-" + Name, services);
}
