using Crm.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Crm.Core.DependencyInjection;

/// <summary>Adds the privacy capability (export, erasure, erased-id registry) to <c>AddCrmCore()</c>.</summary>
public static class CrmCorePrivacyExtensions
{
    /// <summary>
    /// Registers <see cref="PrivacyService"/> and <see cref="IErasureRegistry"/> per scope, with the host's secret for
    /// the keyed hashes of erased external ids. Works with any store (in memory, EF Core).
    /// </summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    /// <param name="externalIdHashKey">A random secret of at least 32 bytes, kept by the host outside the database (see <see cref="PrivacyOptions"/>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="externalIdHashKey"/> is shorter than 32 bytes.</exception>
    /// <remarks>A second call is harmless: the first key stays (<c>TryAdd</c>), as do services the host registered itself.</remarks>
    public static ICrmCoreBuilder AddPrivacy(this ICrmCoreBuilder builder, byte[] externalIdHashKey)
    {
        Preconditions.CheckNotNull(builder);
        var options = new PrivacyOptions(externalIdHashKey);
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddScoped<IErasureRegistry, ErasureRegistry>();
        builder.Services.TryAddScoped<PrivacyService>();
        return builder;
    }
}
