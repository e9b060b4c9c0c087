namespace Crm.Core.EntityFrameworkCore;

/// <summary>The database kinds the adapter ships mappings and migrations for.</summary>
public enum CrmStoreProvider
{
    /// <summary>Another EF Core provider: the model works, but no migrations are shipped (create the schema with <c>EnsureCreated</c> or your own migrations).</summary>
    Other = 0,

    /// <summary>SQLite (Microsoft.EntityFrameworkCore.Sqlite): the embedded default.</summary>
    Sqlite = 1,

    /// <summary>PostgreSQL (Npgsql.EntityFrameworkCore.PostgreSQL): the production store.</summary>
    PostgreSql = 2,
}

internal static class CrmStoreProviders
{
    public const string SqliteName = "Microsoft.EntityFrameworkCore.Sqlite";
    public const string NpgsqlName = "Npgsql.EntityFrameworkCore.PostgreSQL";

    public static CrmStoreProvider FromName(string? providerName) => providerName switch
    {
        SqliteName => CrmStoreProvider.Sqlite,
        NpgsqlName => CrmStoreProvider.PostgreSql,
        _ => CrmStoreProvider.Other,
    };
}
