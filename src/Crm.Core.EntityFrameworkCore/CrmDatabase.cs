using Microsoft.EntityFrameworkCore;
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
}
