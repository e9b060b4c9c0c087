using System.Collections.Concurrent;
using Crm.Core.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// Where the database-backed tests run: a SQLite file per test class in the temp folder, and a PostgreSQL database
/// per test class on the server named by CRM_TEST_POSTGRES (.ci/run starts a throwaway one).
/// </summary>
internal static class TestDatabases
{
    public const string PostgresVariable = "CRM_TEST_POSTGRES";

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Prepared = new();

    public static readonly string RunId = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Null when PostgreSQL tests can run; otherwise why not and how to make them run.</summary>
    public static string? PostgresUnavailable()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable)))
        {
            return null;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null; // on CI a missing database is a failure, not a skip: the test then fails to connect
        }
        return $"PostgreSQL tests need {PostgresVariable}, e.g. Host=127.0.0.1;Port=55432;Username=postgres. "
            + "Start a throwaway server as README.md 'Running the PostgreSQL tests' shows, or run .ci/run.";
    }

    /// <summary>Random cases for database-backed properties: <paramref name="ciDefault"/>, or CRM_DB_PROPERTY_MAXTEST when set.</summary>
    public static int PropertyCases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("CRM_DB_PROPERTY_MAXTEST"), out var n) && n > 0 ? n : ciDefault;

    public static string SqliteConnectionString(string name) =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"crm-efcore-tests-{RunId}-{name}.db")};Pooling=False";

    public static string PostgresConnectionString(string name)
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable)
            ?? throw new InvalidOperationException($"CI=true but {PostgresVariable} is not set: .ci/run must start PostgreSQL and export it.");
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = $"crm_test_{RunId}_{name}".ToLowerInvariant() };
        return builder.ConnectionString;
    }

    /// <summary>Creates the database of <paramref name="name"/> from scratch with the shipped migrations, once per run.</summary>
    public static Task PrepareAsync(string name, IServiceProvider services) =>
        Prepared.GetOrAdd(name, _ => new Lazy<Task>(async () =>
        {
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Database.EnsureDeletedAsync();
            }
            await CrmDatabase.MigrateAsync(services);
        })).Value;
}
