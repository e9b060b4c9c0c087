using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace Crm.Core.DependencyInjection;

/// <summary>Registers Crm.Core with a host's <see cref="IServiceCollection"/>.</summary>
/// <remarks>
/// Everything is registered with <c>TryAdd*</c>: a service the host registered (before or after) is kept, e.g. its
/// own <see cref="IClock"/> or <see cref="IDomainEventDispatcher"/>. Calling <c>AddCrmCore</c> again is harmless:
/// nothing is registered twice and a later <c>configure</c> is applied on top of the earlier one.
/// </remarks>
public static class CrmCoreServiceCollectionExtensions
{
    /// <summary>Registers Crm.Core's services with default options. Add a store next, e.g. <c>.UseInMemoryStore()</c>.</summary>
    /// <param name="services">The host's services.</param>
    /// <returns>A builder to add a store and optional capabilities to.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static ICrmCoreBuilder AddCrmCore(this IServiceCollection services)
    {
        Preconditions.CheckNotNull(services);
        return AddCrmCore(services, static _ => { });
    }

    /// <summary>Registers Crm.Core's services and configures its options. Add a store next, e.g. <c>.UseInMemoryStore()</c>.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options; runs at once, so invalid values throw here.</param>
    /// <returns>A builder to add a store and optional capabilities to.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="configure"/> set an invalid option value.</exception>
    public static ICrmCoreBuilder AddCrmCore(this IServiceCollection services, Action<CrmCoreOptions> configure)
    {
        Preconditions.CheckNotNull(services);
        Preconditions.CheckNotNull(configure);

        // Options are a plain singleton (no Microsoft.Extensions.Options dependency); a second call configures the same instance.
        // Configure a copy first so that a configure delegate that throws half-way changes nothing.
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(CrmCoreOptions) && !d.IsKeyedService)?.ImplementationInstance as CrmCoreOptions;
        var options = existing?.Clone() ?? new CrmCoreOptions();
        configure(options);
        if (existing is null)
        {
            services.TryAddSingleton(options);
        }
        else
        {
            existing.CopyFrom(options);
        }

        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton<IDomainEventDispatcher>(NullDomainEventDispatcher.Instance);

        // Capabilities register their services here, one TryAdd line each (keep the block grouped by folder).
        services.TryAddScoped<Customers.CustomerRegistrationService>();
        services.TryAddScoped<Duplicates.DuplicateFinder>();
        services.TryAddScoped<Duplicates.CustomerMergeService>();
        // Stateless over the scope's unit of work (see its remarks). Built by hand so that it can reach the customer
        // repository only when it opens an account (a merged customer gets none), without resolving it per request.
        services.TryAddTransient(static sp => new Loyalty.LoyaltyService(
            sp.GetRequiredService<IRepository<Loyalty.LoyaltyAccount, Loyalty.LoyaltyAccountId>>(), sp.GetRequiredService<IUnitOfWork>(), sp.GetRequiredService<IClock>())
        {
            Services = sp,
        });
        services.TryAddTransient<Purchases.PurchaseRecorder>(); // likewise
        services.TryAddSingleton(Segmentation.ProfileFieldRegistry.Default);
        services.TryAddScoped<Segmentation.SegmentService>();

        return new CrmCoreBuilder(services);
    }

    /// <summary>
    /// Stores aggregates in process memory: one <see cref="InMemoryStore"/> per application, one
    /// <see cref="IUnitOfWork"/> per scope, and <see cref="IRepository{T, TId}"/> / <see cref="IReadRepository{T, TId}"/>
    /// for every aggregate root type (open generics: no per-type registration).
    /// </summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>Use one store per application: a store registered earlier (e.g. the EF Core adapter) wins, as with every <c>TryAdd</c>.</remarks>
    public static ICrmCoreBuilder UseInMemoryStore(this ICrmCoreBuilder builder)
    {
        Preconditions.CheckNotNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<InMemoryStore>();
        services.TryAddScoped<InMemoryUnitOfWork>();
        services.TryAddScoped<IUnitOfWork>(static sp => sp.GetRequiredService<InMemoryUnitOfWork>());
        services.TryAdd(ServiceDescriptor.Scoped(typeof(IRepository<,>), typeof(InMemoryRepository<,>)));
        services.TryAdd(ServiceDescriptor.Scoped(typeof(IReadRepository<,>), typeof(InMemoryRepository<,>)));
        services.TryAddSingleton<Segmentation.ICustomerProfileStore, Segmentation.InMemoryCustomerProfileStore>();
        return builder;
    }
}
