namespace Crm.Core.Tenancy;

/// <summary>
/// Thrown when tenancy is on (an <see cref="ITenantContext"/> is registered) but the operation has no current tenant.
/// Isolation never falls back to "all tenants": enter a tenant first.
/// </summary>
public sealed class TenantRequiredException : CrmException
{
    /// <summary>Creates the exception.</summary>
    public TenantRequiredException()
        : base("Tenancy is on (UseTenancy) but there is no current tenant, so no data can be read or written. "
            + "Enter a tenant first (AmbientTenantContext.Enter(tenantId) around the request or job), or make your ITenantContext return the caller's tenant.")
    {
    }
}

/// <summary>
/// Thrown when tenancy is on and a caller hands a store data that belongs to another tenant than the current one: an
/// aggregate loaded or created for another tenant, a profile or purchase carrying another tenant, or a request for
/// another tenant's figures. Nothing is read or written.
/// </summary>
/// <remarks>The message names the current tenant and what was refused (a type and an id), never stored data.</remarks>
public sealed class TenantMismatchException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="subject">What was refused, e.g. <c>Customer 'c-1'</c>; no personal data.</param>
    /// <param name="currentTenant">The current tenant.</param>
    public TenantMismatchException(string subject, TenantId currentTenant)
        : base($"{subject} belongs to another tenant than the current one ('{currentTenant}'); a store only reads and writes the current tenant's data. "
            + "Work on it with its own tenant entered, or use data created for the current tenant.")
    {
        Subject = subject;
        CurrentTenant = currentTenant;
    }

    /// <summary>What was refused (a type and an id).</summary>
    public string Subject { get; }

    /// <summary>The tenant that was current.</summary>
    public TenantId CurrentTenant { get; }
}
