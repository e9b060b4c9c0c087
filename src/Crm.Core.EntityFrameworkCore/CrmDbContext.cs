using System.Reflection;
using System.Text;
using Crm.Core.EntityFrameworkCore.Conversions;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore;

/// <summary>
/// The EF Core model of every Crm.Core aggregate. Registered by <c>UseEntityFrameworkCore(...)</c>; hosts resolve it
/// to create or migrate the schema (<c>await context.Database.MigrateAsync()</c>) and for their own reporting
/// queries. Use cases read and write through <c>IRepository&lt;T, TId&gt;</c> and <c>IUnitOfWork</c>, not through it.
/// </summary>
/// <remarks>
/// <para>
/// Tables and columns are snake_case. Identifiers are stored verbatim as text (at most 200 characters; binary
/// "C" collation on PostgreSQL so that ordering is ordinal, as in memory). Money is two columns: amount (decimal)
/// and currency (ISO code). Every aggregate has a <c>version</c> column (its optimistic-concurrency token) and a
/// <c>tenant_id</c> column. Customer-owned tables have the customer id as the first key column, so the schema
/// distributes by customer (docs/scaling.md).
/// </para>
/// <para>
/// NodaTime: on PostgreSQL through the Npgsql NodaTime plugin (<see cref="Instant"/> as <c>timestamptz</c>, microsecond
/// precision; <see cref="LocalDate"/> as <c>date</c>); on SQLite as integers that keep the values' order
/// (<see cref="Instant"/> as ticks since the Unix epoch, <see cref="LocalDate"/> as days since 1970-01-01).
/// Not thread-safe, like every <see cref="DbContext"/>: one per scope.
/// </para>
/// <para>
/// Tenant isolation: a context created with an <see cref="ITenantContext"/> (as <c>UseEntityFrameworkCore</c> does once
/// <c>UseTenancy()</c> is registered) has a global query filter <c>tenant_id = @current</c> on every entity with a tenant
/// (every aggregate, the customer profiles, the customer look-up keys), so every LINQ query, including the host's own and
/// <c>ExecuteDelete</c>/<c>ExecuteUpdate</c>, sees the current tenant only; a query without a current tenant fails (see
/// <see cref="CurrentTenant"/>). Raw SQL bypasses filters: hosts add <c>tenant_id = @tenant</c> themselves, with
/// <see cref="CurrentTenant"/> as the value. Without a tenant context the model has no filter at all.
/// </para>
/// </remarks>
public class CrmDbContext : DbContext
{
    /// <summary>The longest identifier a column holds, equal to Crm.Core's identifier limit.</summary>
    public const int IdentifierMaxLength = 200;

    private static readonly MethodInfo FilterByTenantMethod =
        typeof(CrmDbContext).GetMethod(nameof(FilterByTenant), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private readonly ITenantContext? _tenantContext;

    /// <summary>Creates the context from options built by <c>UseEntityFrameworkCore</c> (or by a host's own <c>AddDbContext</c>).</summary>
    /// <param name="options">The options; they choose the database provider.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public CrmDbContext(DbContextOptions<CrmDbContext> options)
        : base(Preconditions.CheckNotNull(options))
    {
    }

    /// <summary>Creates a tenant-isolated context: every query sees only <paramref name="tenantContext"/>'s current tenant.</summary>
    /// <param name="options">The options; they choose the database provider.</param>
    /// <param name="tenantContext">Supplies the current tenant; null for a context without tenant isolation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public CrmDbContext(DbContextOptions<CrmDbContext> options, ITenantContext? tenantContext)
        : base(Preconditions.CheckNotNull(options))
    {
        _tenantContext = tenantContext;
    }

    /// <summary>For derived contexts (the provider-specific contexts that own the migrations).</summary>
    /// <param name="options">The options; they choose the database provider.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    protected CrmDbContext(DbContextOptions options)
        : base(Preconditions.CheckNotNull(options))
    {
    }

    /// <summary>For derived contexts, with tenant isolation when <paramref name="tenantContext"/> is not null.</summary>
    /// <param name="options">The options; they choose the database provider.</param>
    /// <param name="tenantContext">Supplies the current tenant; null for a context without tenant isolation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    protected CrmDbContext(DbContextOptions options, ITenantContext? tenantContext)
        : base(Preconditions.CheckNotNull(options))
    {
        _tenantContext = tenantContext;
    }

    /// <summary>Which kind of database this context talks to.</summary>
    public CrmStoreProvider Provider => CrmStoreProviders.FromName(Database.ProviderName);

    /// <summary>Whether this context isolates tenants (it was created with an <see cref="ITenantContext"/>).</summary>
    public bool IsTenantIsolated => _tenantContext is not null;

    /// <summary>
    /// The tenant every query of this context is limited to, or null when the context does not isolate tenants. Use it as
    /// the <c>tenant_id</c> parameter of your own raw SQL, which query filters do not reach.
    /// </summary>
    /// <exception cref="TenantRequiredException">The context isolates tenants but there is no current tenant.</exception>
    public TenantId? CurrentTenant => TenantGuard.Current(_tenantContext);

    /// <inheritdoc/>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        Preconditions.CheckNotNull(optionsBuilder);
        // Restores aggregates stored as state documents (customers, loyalty accounts, lifecycles).
        optionsBuilder.AddInterceptors(Snapshots.SnapshotMaterializer.Instance);
        // Contexts with and without tenant isolation need different models (with and without the query filters).
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, TenancyModelCacheKeyFactory>();
    }

    /// <inheritdoc/>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        Preconditions.CheckNotNull(configurationBuilder);
        var postgres = Provider == CrmStoreProvider.PostgreSql;
        foreach (var idType in IdentifierTypes.In(typeof(AggregateRoot<>).Assembly))
        {
            var property = configurationBuilder.Properties(idType)
                .HaveConversion(typeof(IdentifierConverter<>).MakeGenericType(idType))
                .HaveMaxLength(IdentifierMaxLength);
            if (postgres)
            {
                property.UseCollation("C");
            }
        }
        configurationBuilder.Properties<Currency>().HaveConversion<CurrencyConverter>().HaveMaxLength(3).AreFixedLength();
        configurationBuilder.Properties<DateTimeZone>().HaveConversion<DateTimeZoneIdConverter>().HaveMaxLength(64);
        if (Provider == CrmStoreProvider.Sqlite)
        {
            configurationBuilder.Properties<Instant>().HaveConversion<InstantTicksConverter>();
            configurationBuilder.Properties<LocalDate>().HaveConversion<LocalDateDaysConverter>();
            configurationBuilder.Properties<LocalDateTime>().HaveConversion<LocalDateTimeTicksConverter>();
            configurationBuilder.Properties<Duration>().HaveConversion<DurationTicksConverter>();
            configurationBuilder.Properties<Period>().HaveConversion<PeriodTextConverter>();
        }
        // Money amounts: enough digits for any currency and for ledger sums, exact (never floating point).
        configurationBuilder.Properties<decimal>().HavePrecision(28, 8);
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        Preconditions.CheckNotNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CrmDbContext).Assembly);
        ApplySnakeCase(modelBuilder.Model);
        if (IsTenantIsolated)
        {
            foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => !e.IsOwned() && e.BaseType is null && e.FindProperty(TenantProperty) is not null).ToList())
            {
                FilterByTenantMethod.MakeGenericMethod(entity.ClrType).Invoke(this, [modelBuilder]);
            }
        }
    }

    internal const string TenantProperty = "TenantId";

    // The filter reads CurrentTenant of the context running the query (EF Core parameterises members of the context),
    // so one cached model serves every tenant; without a current tenant the property throws instead of matching nothing.
    private void FilterByTenant<T>(ModelBuilder modelBuilder)
        where T : class =>
        modelBuilder.Entity<T>().HasQueryFilter(e => EF.Property<TenantId?>(e, TenantProperty) == CurrentTenant);

    private static void ApplySnakeCase(IMutableModel model)
    {
        foreach (var entity in model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && !entity.IsOwned())
            {
                entity.SetTableName(SnakeCase(table));
            }
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.GetColumnName()));
            }
            foreach (var complex in entity.GetComplexProperties())
            {
                ApplySnakeCase(complex.ComplexType, SnakeCase(complex.Name) + "_");
            }
        }
    }

    // Complex properties are flattened into their owner's table: total -> total_amount, total_currency.
    private static void ApplySnakeCase(IMutableComplexType complexType, string prefix)
    {
        foreach (var property in complexType.GetProperties())
        {
            property.SetColumnName(prefix + SnakeCase(property.Name));
        }
        foreach (var nested in complexType.GetComplexProperties())
        {
            ApplySnakeCase(nested.ComplexType, prefix + SnakeCase(nested.Name) + "_");
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' && (builder.Length == 0 || builder[^1] == '_'))
            {
                continue; // "_lines" -> "lines", "Total_Amount" -> "total_amount"
            }
            if (char.IsUpper(c))
            {
                if (builder.Length > 0 && builder[^1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}

/// <summary>Keys the cached model by whether the context isolates tenants: only the isolated model has query filters.</summary>
internal sealed class TenancyModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), context is CrmDbContext { IsTenantIsolated: true }, designTime);
}
