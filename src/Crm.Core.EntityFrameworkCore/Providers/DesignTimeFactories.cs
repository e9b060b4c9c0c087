using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Core.EntityFrameworkCore.Providers;

// Used only by `dotnet ef migrations add` (eng/add-migration.sh) to build each provider's model; no database is
// contacted. Hosts never see these: at run time UseEntityFrameworkCore creates the contexts.

/// <summary>Builds the SQLite model for the migrations tool.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCrmDbContext>
{
    public SqliteCrmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CrmDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Builds the PostgreSQL model (with the NodaTime plugin, as at run time) for the migrations tool.</summary>
internal sealed class NpgsqlDesignTimeFactory : IDesignTimeDbContextFactory<NpgsqlCrmDbContext>
{
    public NpgsqlCrmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CrmDbContext>().UseNpgsql("Host=localhost;Database=design_time", o => o.UseNodaTime()).Options);
}
