namespace Crm.Core.Tenancy;

/// <summary>
/// The ready-made <see cref="ITenantContext"/>: the current tenant flows with the logical call (an <see cref="AsyncLocal{T}"/>),
/// set with <see cref="Enter"/> around the work of one request, message or job. Registered by <c>AddCrmCore().UseTenancy()</c>;
/// resolve it as <see cref="AmbientTenantContext"/> to enter a tenant.
/// </summary>
/// <remarks>
/// Thread-safe. A tenant entered in an async method is seen by everything it awaits and starts (tasks inherit the flow),
/// and disappears when the returned scope is disposed or the method returns. Scopes nest: disposing the inner one restores
/// the outer tenant. Each instance has its own flow, so two service providers never see each other's tenant.
/// </remarks>
public sealed class AmbientTenantContext : ITenantContext
{
    private readonly AsyncLocal<TenantId?> _current = new();

    /// <inheritdoc/>
    public TenantId? CurrentTenant => _current.Value;

    /// <summary>Makes <paramref name="tenant"/> the current tenant until the returned scope is disposed.</summary>
    /// <param name="tenant">The tenant to work for.</param>
    /// <returns>A scope whose disposal restores the tenant that was current before (if any).</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is the uninitialised default.</exception>
    public IDisposable Enter(TenantId tenant)
    {
        Preconditions.CheckNotDefault(tenant);
        var previous = _current.Value;
        _current.Value = tenant;
        return new Scope(this, previous);
    }

    private sealed class Scope(AmbientTenantContext owner, TenantId? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                owner._current.Value = previous;
            }
        }
    }
}
