namespace Crm.Core.Tenancy;

/// <summary>The checks every store makes when tenancy is on; one place so that the in-memory and database stores agree.</summary>
internal static class TenantGuard
{
    /// <summary>Null when tenancy is off (no context); otherwise the current tenant.</summary>
    /// <exception cref="TenantRequiredException">Tenancy is on and there is no current tenant.</exception>
    public static TenantId? Current(ITenantContext? context)
    {
        if (context is null)
        {
            return null;
        }
        return context.CurrentTenant is { IsDefault: false } tenant ? tenant : throw new TenantRequiredException();
    }

    /// <summary>Whether a row of <paramref name="owner"/> is visible when <paramref name="current"/> is the tenant (null: tenancy off, everything is).</summary>
    public static bool IsVisible(TenantId? owner, TenantId? current) => current is null || owner == current;

    /// <summary>
    /// Before a write: refuses an aggregate that carries another tenant. Does not assign (see <see cref="Claim{TId}"/>), so a
    /// write refused later by another check leaves the caller's aggregate unchanged.
    /// </summary>
    /// <exception cref="TenantMismatchException">The aggregate belongs to another tenant.</exception>
    public static void CheckWritable<TId>(AggregateRoot<TId> aggregate, TenantId current)
        where TId : struct, IEquatable<TId>
    {
        if (aggregate.TenantId is { } own && own != current)
        {
            throw new TenantMismatchException($"{aggregate.GetType().Name} '{aggregate.Id}'", current);
        }
    }

    /// <summary>Once every check of a write passed: a new aggregate without a tenant gets the current one.</summary>
    public static void Claim<TId>(AggregateRoot<TId> aggregate, TenantId current)
        where TId : struct, IEquatable<TId>
    {
        if (aggregate.TenantId is null)
        {
            aggregate.AssignTenant(current);
        }
    }
}
