using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Providers;

// One context type per shipped provider: EF Core finds migrations by context type, so the SQLite and the PostgreSQL
// migrations live side by side in this assembly without mixing. Hosts only ever see CrmDbContext.

/// <summary>The context used with SQLite; owns the SQLite migrations.</summary>
internal sealed class SqliteCrmDbContext : CrmDbContext
{
    public SqliteCrmDbContext(DbContextOptions options, Crm.Core.Tenancy.ITenantContext? tenantContext = null)
        : base(options, tenantContext)
    {
    }
}

/// <summary>The context used with PostgreSQL; owns the PostgreSQL migrations.</summary>
internal sealed class NpgsqlCrmDbContext : CrmDbContext
{
    public NpgsqlCrmDbContext(DbContextOptions options, Crm.Core.Tenancy.ITenantContext? tenantContext = null)
        : base(options, tenantContext)
    {
    }
}

/// <summary>The context used with any other provider (no shipped migrations).</summary>
internal sealed class OtherCrmDbContext : CrmDbContext
{
    public OtherCrmDbContext(DbContextOptions options, Crm.Core.Tenancy.ITenantContext? tenantContext = null)
        : base(options, tenantContext)
    {
    }
}
