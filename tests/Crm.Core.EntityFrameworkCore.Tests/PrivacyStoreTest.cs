using System.Data.Common;
using System.Text;
using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Privacy;
using Crm.Core.Testing.Privacy;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// Erasure in a real database (issue #9 §5): after <see cref="PrivacyService.EraseAsync"/>, no personal value of the
/// erased customer is in any text column of any table (tables and columns read from the database's catalog, not from a
/// list here), and on SQLite, after the documented purge step, not in the raw bytes of the database file either.
/// Another customer's values are found by the same scans, which proves the scans look where the data is.
/// </summary>
public abstract class PrivacyStoreTest : DatabaseTest
{
    private static readonly byte[] Key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    protected int Cases => TestDatabases.PropertyCases(3);

    protected override void AddServices(IServiceCollection services) => services.AddCrmCore().AddPrivacy(Key);

    [SkippableFact]
    public async Task After_erasure_no_text_column_of_any_table_holds_a_personal_value_of_the_erased_customer()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var run = Guid.NewGuid().ToString("N")[..6];
        var cases = (from erased in PersonalDataScenario.Gen(0)
                     from kept in PersonalDataScenario.Gen(1)
                     select (erased, kept)).Sample(Cases);
        var number = 0;
        foreach (var (generatedErased, generatedKept) in cases)
        {
            number++;
            var erased = generatedErased with { CustomerId = new CustomerId($"E-{run}-{number}") };
            var kept = generatedKept with { CustomerId = new CustomerId($"K-{run}-{number}") };
            await SaveAsync(erased, kept);
            Assert.NotEmpty(await ColumnsContainingAsync(erased.Needles)); // the scan finds the data before erasure

            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(erased.CustomerId, "art17-request", "dpo-1");
            }

            Assert.Empty(await ColumnsContainingAsync(erased.Needles));
            var keptColumns = await ColumnsContainingAsync([kept.Marker]);
            Assert.Contains(keptColumns, c => c.StartsWith("customer_lookup_keys.", StringComparison.Ordinal));
            Assert.Contains(keptColumns, c => c.StartsWith("customer_profiles.", StringComparison.Ordinal));
            Assert.NotEmpty(await ColumnsContainingAsync([kept.PhoneE164]));
            await using (var scope = Services.CreateAsyncScope())
            {
                var registry = scope.ServiceProvider.GetRequiredService<IErasureRegistry>();
                Assert.True(await registry.IsErasedAsync("billing", erased.BillingId));
                Assert.False(await registry.IsErasedAsync("billing", kept.BillingId));
                var export = await scope.ServiceProvider.GetRequiredService<PrivacyService>().ExportAsync(erased.CustomerId);
                Assert.DoesNotContain(erased.Marker, export.ToJson(), StringComparison.OrdinalIgnoreCase);
                Assert.Contains("\"externalIdsErased\":2", export.ToJson(), StringComparison.Ordinal);
                var keptExport = await scope.ServiceProvider.GetRequiredService<PrivacyService>().ExportAsync(kept.CustomerId);
                Assert.Contains(kept.Marker, keptExport.ToJson(), StringComparison.OrdinalIgnoreCase);
                Assert.Equal(kept.WithLoyalty, keptExport.ToJson().Contains("\"programmeId\":\"club\"", StringComparison.Ordinal));
            }
        }
    }

    // A merged record stays as a tombstone with its own personal data: erasing the survivor erases it too, in the database.
    [SkippableFact]
    public async Task After_erasing_a_survivor_no_column_holds_a_personal_value_of_the_records_merged_into_it()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        var run = Guid.NewGuid().ToString("N")[..6];
        // Indexes 3-5: phone numbers and birth dates no other test of this database uses (they are needles too).
        var cases = (from survivor in PersonalDataScenario.Gen(3)
                     from merged in PersonalDataScenario.Gen(4)
                     from kept in PersonalDataScenario.Gen(5)
                     select (survivor, merged, kept)).Sample(Cases);
        var number = 0;
        foreach (var (s, m, k) in cases)
        {
            number++;
            var survivor = s with { CustomerId = new CustomerId($"MS-{run}-{number}"), Organisation = false };
            var merged = m with { CustomerId = new CustomerId($"MM-{run}-{number}"), Organisation = false };
            var kept = k with { CustomerId = new CustomerId($"MK-{run}-{number}") };
            await SaveAsync(survivor, merged, kept);
            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<Crm.Core.Duplicates.CustomerMergeService>().MergeAsync(survivor.CustomerId, merged.CustomerId);
            }
            Assert.NotEmpty(await ColumnsContainingAsync([merged.Marker])); // the tombstone holds data before erasure

            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(survivor.CustomerId, "art17-request", "dpo-1");
            }

            Assert.Empty(await ColumnsContainingAsync([.. survivor.Needles, .. merged.Needles]));
            Assert.NotEmpty(await ColumnsContainingAsync([kept.Marker]));
            await using (var scope = Services.CreateAsyncScope())
            {
                Assert.True(await scope.ServiceProvider.GetRequiredService<IErasureRegistry>().IsErasedAsync("billing", merged.BillingId));
            }
        }
    }

    private async Task SaveAsync(params PersonalDataScenario[] scenarios)
    {
        foreach (var scenario in scenarios)
        {
            await using var scope = Services.CreateAsyncScope();
            await scenario.SaveAsync(scope.ServiceProvider);
        }
    }

    /// <summary>"table.column" of every column (of any type, read as text) of every table that holds one of <paramref name="needles"/>, ignoring case.</summary>
    protected async Task<List<string>> ColumnsContainingAsync(IReadOnlyList<string> needles)
    {
        await using var scope = Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            var sqlite = context.Provider == CrmStoreProvider.Sqlite;
            var columns = await CatalogAsync(connection, sqlite);
            Assert.Contains(columns, c => c.Table == "customers"); // the catalog query sees the schema
            var hits = new List<string>();
            foreach (var (table, column) in columns)
            {
                await using var command = connection.CreateCommand();
                var conditions = new List<string>();
                for (var i = 0; i < needles.Count; i++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@p" + i;
                    parameter.Value = "%" + needles[i] + "%";
                    command.Parameters.Add(parameter);
                    conditions.Add(sqlite ? $"CAST(\"{column}\" AS TEXT) LIKE @p{i}" : $"CAST(\"{column}\" AS text) ILIKE @p{i}");
                }
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE {string.Join(" OR ", conditions)}";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    hits.Add($"{table}.{column}");
                }
            }
            return hits;
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private static async Task<List<(string Table, string Column)>> CatalogAsync(DbConnection connection, bool sqlite)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sqlite
            ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2"
            : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2";
        var columns = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }
        return columns;
    }
}

public sealed class SqlitePrivacyStoreTest : PrivacyStoreTest
{
    protected override string? UnavailableReason => null;

    protected override string DatabaseName => "sqlite-privacy";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(TestDatabases.SqliteConnectionString("privacy"));

    // The raw file: free pages keep deleted rows' bytes until the documented purge step rewrites the file.
    [SkippableFact]
    public async Task After_the_purge_step_the_database_file_holds_no_byte_of_an_erased_value()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var scenarios = (from erased in PersonalDataScenario.Gen(0)
                         from kept in PersonalDataScenario.Gen(1)
                         select (erased, kept)).Sample(Cases)
            .Select((p, i) => (Erased: p.erased with { CustomerId = new CustomerId($"FE-{run}-{i}") }, Kept: p.kept with { CustomerId = new CustomerId($"FK-{run}-{i}") }))
            .ToList();
        foreach (var (erased, kept) in scenarios)
        {
            await using (var scope = Services.CreateAsyncScope())
            {
                await erased.SaveAsync(scope.ServiceProvider);
            }
            await using (var scope = Services.CreateAsyncScope())
            {
                await kept.SaveAsync(scope.ServiceProvider);
            }
            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(erased.CustomerId, "art17-request", "dpo-1");
            }
        }

        var file = new SqliteConnectionStringBuilder(TestDatabases.SqliteConnectionString("privacy")).DataSource;
        // The control: before the purge the erased values are still on disk (freed cells, old pages, the WAL), so the
        // search below can see them and it is the purge step that removes them.
        var before = LowerAscii([.. new[] { file, file + "-wal", file + "-journal" }.Where(File.Exists).SelectMany(File.ReadAllBytes)]);
        Assert.Contains(scenarios, s => s.Erased.Needles.Any(n => IndexOf(before, n) >= 0));

        await CrmDatabase.PurgeDeletedDataAsync(Services);

        var bytes = LowerAscii(File.ReadAllBytes(file));
        foreach (var (erased, kept) in scenarios)
        {
            foreach (var needle in erased.Needles)
            {
                Assert.True(IndexOf(bytes, needle) < 0, $"an erased value is still in the database file: {needle}");
            }
            Assert.True(IndexOf(bytes, kept.Marker) >= 0, "the byte search finds live data");
        }
        foreach (var extra in new[] { file + "-wal", file + "-journal" })
        {
            Assert.True(!File.Exists(extra) || scenarios.All(s => s.Erased.Needles.All(n => IndexOf(LowerAscii(File.ReadAllBytes(extra)), n) < 0)), extra);
        }
    }

    private static byte[] LowerAscii(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is >= (byte)'A' and <= (byte)'Z')
            {
                bytes[i] += 'a' - 'A';
            }
        }
        return bytes;
    }

    private static int IndexOf(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle.ToLowerInvariant()));
}

public sealed class PostgresPrivacyStoreTest : PrivacyStoreTest
{
    protected override string? UnavailableReason => TestDatabases.PostgresUnavailable();

    protected override string DatabaseName => "pg-privacy";

    protected override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(TestDatabases.PostgresConnectionString("privacy"));

    [SkippableFact]
    public async Task The_purge_step_runs_on_PostgreSQL()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        await CrmDatabase.PurgeDeletedDataAsync(Services);
        await CrmDatabase.PurgeDeletedDataAsync(Services, rewriteTables: true);
        Assert.Empty(await ColumnsContainingAsync(["no-such-value-anywhere"]));
    }
}
