using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// The shipped migrations create the whole schema on an empty database and match the model exactly. When this fails
/// after a model change, run <c>eng/add-migration.sh SomeName</c> and commit the generated files.
/// </summary>
public abstract class MigrationsTest : DatabaseTest
{
    [SkippableFact]
    public async Task Migrations_are_complete_and_apply_to_an_empty_database()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await using var scope = Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<CrmDbContext>().Database;

        Assert.NotEmpty(database.GetMigrations());
        Assert.False(database.HasPendingModelChanges(), "The model has changes no migration captures: run eng/add-migration.sh <Name>.");
        Assert.Empty(await database.GetPendingMigrationsAsync());
        Assert.Equal(database.GetMigrations(), await database.GetAppliedMigrationsAsync());

        // Every table of the model exists: a query on each runs.
        var context = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        foreach (var entity in context.Model.GetEntityTypes().Where(e => !e.IsOwned()))
        {
            var table = entity.GetTableName()!;
            var sql = "SELECT count(*) FROM \"" + table + "\""; // a table name from our own model: nothing to inject
            await database.ExecuteSqlRawAsync(sql);
        }
    }

    [SkippableFact]
    public async Task Migrating_again_is_harmless()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await CrmDatabase.MigrateAsync(Services);
        await using var scope = Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Database.GetPendingMigrationsAsync());
    }
}

public sealed class SqliteMigrationsTest : MigrationsTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-migrations";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("migrations"));
}

public sealed class PostgresMigrationsTest : MigrationsTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-migrations";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("migrations"));
}
