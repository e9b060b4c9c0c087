using Crm.Core.EntityFrameworkCore;
using Crm.Core.EntityFrameworkCore.Providers;
using Crm.Core.EntityFrameworkCore.Storage;
using Crm.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Crm.Core.DependencyInjection;

/// <summary>Plugs the EF Core adapter into <c>AddCrmCore()</c>.</summary>
public static class CrmCoreEntityFrameworkCoreExtensions
{
    /// <summary>
    /// Stores every aggregate in a relational database through EF Core: SQLite (<c>options.UseSqlite("Data Source=crm.db")</c>)
    /// or PostgreSQL (<c>options.UseNpgsql(connectionString)</c>; the NodaTime plugin is switched on for you). Registers
    /// <see cref="CrmDbContext"/>, <see cref="IUnitOfWork"/>, <see cref="IRepository{T, TId}"/> / <see cref="IReadRepository{T, TId}"/>
    /// for every aggregate root type, <see cref="PurchaseIngestion"/>, <see cref="Crm.Core.EntityFrameworkCore.Rfm.DatabaseRfmCalculator"/> and the
    /// segmentation read model's <see cref="Crm.Core.Segmentation.ICustomerProfileStore"/>, all per scope.
    /// </summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    /// <param name="configure">Chooses the provider and connection; runs once, here.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="configure"/> did not choose a database provider.</exception>
    /// <remarks>
    /// Create or upgrade the schema at start-up with <see cref="CrmDatabase.MigrateAsync"/> (shipped migrations for SQLite
    /// and PostgreSQL). Use one store per application: a store registered earlier (e.g. <c>UseInMemoryStore()</c>)
    /// wins, as with every <c>TryAdd</c>; a second call is harmless.
    /// </remarks>
    public static ICrmCoreBuilder UseEntityFrameworkCore(this ICrmCoreBuilder builder, Action<DbContextOptionsBuilder> configure)
    {
        Preconditions.CheckNotNull(builder);
        Preconditions.CheckNotNull(configure);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(CrmDbContext)))
        {
            return builder;
        }

        var optionsBuilder = new DbContextOptionsBuilder<CrmDbContext>();
        configure(optionsBuilder);
        var provider = DetectProvider(optionsBuilder.Options);
        if (provider == CrmStoreProvider.PostgreSql)
        {
            // Instants, dates and intervals need the plugin; switching it on here spares hosts a silent misconfiguration.
            new Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder(optionsBuilder).UseNodaTime();
        }
        var options = optionsBuilder.Options;

        // The tenant context is looked up when a context is created, so UseTenancy() may come before or after this call.
        services.TryAddScoped<CrmDbContext>(sp =>
        {
            var tenants = sp.GetService<Crm.Core.Tenancy.ITenantContext>();
            return provider switch
            {
                CrmStoreProvider.Sqlite => new SqliteCrmDbContext(options, tenants),
                CrmStoreProvider.PostgreSql => new NpgsqlCrmDbContext(options, tenants),
                _ => new OtherCrmDbContext(options, tenants),
            };
        });
        services.TryAddScoped<EfUnitOfWork>();
        services.TryAddScoped<IUnitOfWork>(static sp => sp.GetRequiredService<EfUnitOfWork>());
        services.TryAdd(ServiceDescriptor.Scoped(typeof(IRepository<,>), typeof(EfRepository<,>)));
        services.TryAdd(ServiceDescriptor.Scoped(typeof(IReadRepository<,>), typeof(EfRepository<,>)));
        services.TryAddScoped<PurchaseIngestion>();
        services.TryAddScoped<Crm.Core.EntityFrameworkCore.Rfm.DatabaseRfmCalculator>();
        services.TryAddScoped<Crm.Core.Segmentation.ICustomerProfileStore, Crm.Core.EntityFrameworkCore.Segmentation.EfCustomerProfileStore>();
        return builder;
    }

    private static CrmStoreProvider DetectProvider(DbContextOptions options)
    {
        var extension = options.Extensions.FirstOrDefault(e => e.Info.IsDatabaseProvider)
            ?? throw new ArgumentException("The options choose no database provider: call options.UseSqlite(...) or options.UseNpgsql(...) in the configure delegate.", "configure");
        // The provider's assembly names it without touching EF Core's internal types.
        return CrmStoreProviders.FromName(extension.GetType().Assembly.GetName().Name);
    }
}
