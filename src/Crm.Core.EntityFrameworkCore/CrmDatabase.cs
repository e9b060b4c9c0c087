using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.EntityFrameworkCore;

/// <summary>Creates or upgrades the Crm.Core schema at host start-up.</summary>
public static class CrmDatabase
{
    /// <summary>
    /// Applies the shipped migrations of the configured provider (SQLite or PostgreSQL) that the database lacks,
    /// creating the database when it does not exist. With another provider, which has no shipped migrations, creates
    /// the schema from the model when the database is new.
    /// </summary>
    /// <param name="services">The host's root service provider (a scope is created and disposed here).</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><c>UseEntityFrameworkCore</c> was not called.</exception>
    /// <remarks>Safe to call on every start: applied migrations are skipped. Run it from one instance at a time.</remarks>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(services);
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetService<CrmDbContext>()
                ?? throw new InvalidOperationException("CrmDbContext is not registered: call services.AddCrmCore().UseEntityFrameworkCore(...) first.");
            if (context.Database.GetMigrations().Any())
            {
                await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await context.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Purges the bytes of deleted and overwritten rows from the database, so that erased personal data
    /// (<c>PrivacyService.EraseAsync</c>) does not linger in free space: on SQLite <c>PRAGMA secure_delete = ON</c>, then
    /// <c>VACUUM</c> (the file is rebuilt from live rows only) and a WAL checkpoint that truncates the log; on PostgreSQL
    /// <c>VACUUM</c> of every Crm.Core table (dead tuples removed; with <paramref name="rewriteTables"/>, <c>VACUUM FULL</c>
    /// rewrites the table files, which also leaves no old bytes in them but locks each table while it runs).
    /// </summary>
    /// <param name="services">The host's root service provider (a scope is created and disposed here).</param>
    /// <param name="rewriteTables">PostgreSQL only: <c>VACUUM FULL</c> instead of <c>VACUUM</c>.</param>
    /// <param name="cancellationToken">Cancels the purge between statements.</param>
    /// <returns>A task that completes when the purge is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><c>UseEntityFrameworkCore</c> was not called.</exception>
    /// <exception cref="NotSupportedException">The provider is neither SQLite nor PostgreSQL.</exception>
    /// <remarks>
    /// Run it after erasures (e.g. nightly), outside a transaction, from one instance at a time: <c>VACUUM</c> needs
    /// exclusive access to an SQLite file and cannot run inside a transaction on either database. Backups and, on
    /// PostgreSQL, write-ahead log segments not yet recycled still hold old bytes: expire them by your retention policy.
    /// </remarks>
    public static async Task PurgeDeletedDataAsync(IServiceProvider services, bool rewriteTables = false, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(services);
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetService<CrmDbContext>()
                ?? throw new InvalidOperationException("CrmDbContext is not registered: call services.AddCrmCore().UseEntityFrameworkCore(...) first.");
            switch (context.Provider)
            {
                case CrmStoreProvider.Sqlite:
                    // One connection for all three: secure_delete is a per-connection setting.
                    await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await context.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON;", cancellationToken).ConfigureAwait(false);
                        await context.Database.ExecuteSqlRawAsync("VACUUM;", cancellationToken).ConfigureAwait(false);
                        await context.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        await context.Database.CloseConnectionAsync().ConfigureAwait(false);
                    }
                    break;
                case CrmStoreProvider.PostgreSql:
                    var sqlHelper = context.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>();
                    var tables = context.Model.GetEntityTypes()
                        .Where(e => e.GetTableName() is not null)
                        .Select(e => sqlHelper.DelimitIdentifier(e.GetTableName()!, e.GetSchema()))
                        .Distinct(StringComparer.Ordinal)
                        .Order(StringComparer.Ordinal)
                        .ToList();
                    foreach (var table in tables)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        // Table names come from the model (never from input); VACUUM takes no parameters.
#pragma warning disable EF1002, EF1003
                        await context.Database.ExecuteSqlRawAsync((rewriteTables ? "VACUUM (FULL) " : "VACUUM ") + table, cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002, EF1003
                    }
                    break;
                default:
                    throw new NotSupportedException("Purging deleted data is implemented for SQLite and PostgreSQL; use your database's own command (e.g. VACUUM).");
            }
        }
    }
}
