using Crm.Core.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// A test class over one database (SQLite or PostgreSQL): builds the services with the EF Core adapter and creates
/// the schema once per run. Derived classes choose the database; tests call <c>Skip.If(UnavailableReason ...)</c>.
/// </summary>
public abstract class DatabaseTest : IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>Null when the database is available, else why not (and how to make it available).</summary>
    protected abstract string? UnavailableReason { get; }

    /// <summary>The database's name; it is created from scratch once per test run.</summary>
    protected abstract string DatabaseName { get; }

    /// <summary>The services, once initialised.</summary>
    protected ServiceProvider Services => _services ?? throw new InvalidOperationException("The database is unavailable: " + UnavailableReason);

    /// <summary>Chooses the database.</summary>
    protected abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>Registers test doubles (clock, event dispatcher) before Crm.Core's defaults.</summary>
    protected virtual void AddServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        if (UnavailableReason is not null)
        {
            return;
        }
        var services = new ServiceCollection();
        AddServices(services);
        services.AddCrmCore().UseEntityFrameworkCore(Configure);
        _services = services.BuildServiceProvider();
        await TestDatabases.PrepareAsync(DatabaseName, _services);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
