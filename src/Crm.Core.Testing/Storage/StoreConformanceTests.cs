using Crm.Core.DependencyInjection;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The base of the storage conformance kit: builds a service provider with the store under test and gives the
/// tests fresh scopes. Derive from one of the per-aggregate kits (e.g. <see cref="PurchaseRepositoryConformanceTests"/>)
/// and say how to plug your store in:
/// <code>
/// public sealed class MyStorePurchases : PurchaseRepositoryConformanceTests
/// {
///     protected override void UseStore(ICrmCoreBuilder builder) =&gt; builder.UseMyStore(...);
/// }
/// </code>
/// </summary>
/// <remarks>
/// xunit creates one instance per test; the provider is built per test and disposed after it. Tests never assume
/// an empty store: every test writes under a fresh <see cref="Tenancy.TenantId"/> and reads only that tenant back,
/// so the kit can run against a shared, long-lived database.
/// </remarks>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>The domain events dispatched by the store's unit of work during the test.</summary>
    protected RecordingDomainEventDispatcher Dispatcher { get; } = new();

    private string? _unavailable;

    /// <summary>
    /// The root provider (available once the test started). When <see cref="UnavailableReason"/> gave a reason, reading
    /// it skips the test (the kit's tests are <c>[SkippableFact]</c>s), which is how a database-backed run is skipped locally.
    /// </summary>
    protected IServiceProvider Services
    {
        get
        {
            Skip.If(_unavailable is not null, _unavailable);
            return _services ?? throw new InvalidOperationException("The test has not been initialised.");
        }
    }

    /// <summary>
    /// Why the store cannot be tested here (e.g. "set CRM_TEST_POSTGRES to run against PostgreSQL"), or null when it can.
    /// Return null on CI, so that an unreachable database fails the run instead of skipping it.
    /// </summary>
    protected virtual string? UnavailableReason => null;

    /// <summary>Plugs the store under test into Crm.Core, e.g. <c>builder.UseEntityFrameworkCore(o =&gt; o.UseSqlite(...))</c>.</summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    protected abstract void UseStore(ICrmCoreBuilder builder);

    /// <summary>
    /// Registers what a kit needs beyond the store (e.g. the tenant isolation kit switches tenancy on); runs after
    /// <see cref="UseStore"/>. The default does nothing.
    /// </summary>
    /// <param name="builder">The builder from <c>AddCrmCore</c>.</param>
    protected virtual void ConfigureCrmCore(ICrmCoreBuilder builder)
    {
    }

    /// <summary>Prepares the store once the provider exists (create or migrate the schema). The default does nothing.</summary>
    /// <param name="services">The root provider.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    protected virtual Task InitializeStoreAsync(IServiceProvider services) => Task.CompletedTask;

    /// <inheritdoc/>
    public virtual async Task InitializeAsync()
    {
        _unavailable = UnavailableReason;
        if (_unavailable is not null)
        {
            return;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IDomainEventDispatcher>(Dispatcher);
        var builder = services.AddCrmCore();
        UseStore(builder);
        ConfigureCrmCore(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await InitializeStoreAsync(_services).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a new scope (one unit of work, as one use case would).</summary>
    /// <typeparam name="TResult">What the work returns.</typeparam>
    /// <param name="work">The work.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    protected async Task<TResult> InScopeAsync<TResult>(Func<IServiceProvider, Task<TResult>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var scope = Services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await work(scope.ServiceProvider).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a new scope.</summary>
    /// <param name="work">The work.</param>
    /// <returns>A task that completes with the work.</returns>
    protected Task InScopeAsync(Func<IServiceProvider, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InScopeAsync<bool>(async sp =>
        {
            await work(sp).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>The unit of work of <paramref name="scope"/>.</summary>
    /// <param name="scope">A scope's provider.</param>
    /// <returns>The scope's unit of work.</returns>
    protected static IUnitOfWork UnitOfWork(IServiceProvider scope) => scope.GetRequiredService<IUnitOfWork>();
}
