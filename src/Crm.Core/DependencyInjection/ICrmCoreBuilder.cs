using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.DependencyInjection;

/// <summary>
/// Returned by <see cref="CrmCoreServiceCollectionExtensions.AddCrmCore(IServiceCollection)"/>; storage adapters and
/// optional capabilities extend it (<c>.UseInMemoryStore()</c>, <c>.UseEntityFrameworkCore(...)</c>).
/// </summary>
public interface ICrmCoreBuilder
{
    /// <summary>The host's service collection.</summary>
    IServiceCollection Services { get; }
}

internal sealed class CrmCoreBuilder : ICrmCoreBuilder
{
    public CrmCoreBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }
}
