namespace Crm.Core.Tenancy;

/// <summary>
/// Supplies the tenant that the current operation works for. Registering one (<c>AddCrmCore().UseTenancy()</c>) switches
/// tenant isolation on: every store then reads and writes only the current tenant's data, and an operation without a
/// current tenant fails with <see cref="TenantRequiredException"/> instead of seeing every tenant.
/// </summary>
/// <remarks>
/// Implementations are resolved once per application (as singletons), because the in-memory stores are singletons:
/// read the tenant from ambient state (<see cref="AmbientTenantContext"/>, an <c>IHttpContextAccessor</c>), not from a
/// scoped service. <see cref="CurrentTenant"/> is read on every store call, so it must be cheap and thread-safe.
/// </remarks>
public interface ITenantContext
{
    /// <summary>The tenant of the current operation, or null when there is none (which is an error when tenancy is on).</summary>
    TenantId? CurrentTenant { get; }
}
