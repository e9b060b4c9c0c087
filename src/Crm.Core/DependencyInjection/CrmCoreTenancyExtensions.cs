using Crm.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Crm.Core.DependencyInjection;

/// <summary>Switches tenant isolation on for <c>AddCrmCore()</c> (off by default).</summary>
public static class CrmCoreTenancyExtensions
{
    /// <summary>
    /// Turns tenant isolation on with the ready-made <see cref="AmbientTenantContext"/> (registered as a singleton, also
    /// resolvable as itself so that hosts can <see cref="AmbientTenantContext.Enter"/> a tenant). Every store then reads
    /// and writes only the current tenant's data, assigns the current tenant to new aggregates and profiles, and fails with
    /// <see cref="TenantRequiredException"/> when there is no current tenant.
    /// </summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>Order does not matter relative to the store registration; a second call, or a tenant context registered earlier, wins.</remarks>
    public static ICrmCoreBuilder UseTenancy(this ICrmCoreBuilder builder)
    {
        Preconditions.CheckNotNull(builder);
        builder.Services.TryAddSingleton<AmbientTenantContext>();
        builder.Services.TryAddSingleton<ITenantContext>(static sp => sp.GetRequiredService<AmbientTenantContext>());
        return builder;
    }

    /// <summary>
    /// Turns tenant isolation on with the host's own <see cref="ITenantContext"/> (e.g. one reading the tenant claim of the
    /// current HTTP request through <c>IHttpContextAccessor</c>), registered as a singleton.
    /// </summary>
    /// <typeparam name="TContext">The host's tenant context; resolved once, so it must read ambient state rather than hold a request's tenant.</typeparam>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICrmCoreBuilder UseTenancy<TContext>(this ICrmCoreBuilder builder)
        where TContext : class, ITenantContext
    {
        Preconditions.CheckNotNull(builder);
        builder.Services.TryAddSingleton<TContext>();
        builder.Services.TryAddSingleton<ITenantContext>(static sp => sp.GetRequiredService<TContext>());
        return builder;
    }
}
