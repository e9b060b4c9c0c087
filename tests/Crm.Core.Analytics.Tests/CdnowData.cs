using System.Globalization;
using Crm.Core.Analytics.Summaries;
using Crm.Core.Customers;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Analytics.Tests;

/// <summary>Loads the CDNOW reference data (Fader, Hardie &amp; Lee 2005) used by the reference-result tests.</summary>
internal static class CdnowData
{
    public static readonly LocalDate CalibrationEnd = new(1997, 9, 30);
    public static readonly LocalDate HoldoutEnd = new(1998, 6, 30);

    private static readonly Lazy<IReadOnlyList<SampleRow>> Rows = new(LoadSample);

    /// <summary>The folder holding the data: shared/data/cdnow beside the repository when found, else the copied Data folder.</summary>
    public static string Folder { get; } = Locate();

    /// <summary>The sample's transactions, keyed by the master customer id (e.g. 00004).</summary>
    public static IReadOnlyList<CustomerTransaction> Transactions =>
        Rows.Value.Select(r => new CustomerTransaction(new CustomerId(r.MasterId), r.Date, r.Amount)).ToArray();

    /// <summary>Master id → sample id (1..2357), from the sample file's second column.</summary>
    public static IReadOnlyDictionary<string, int> SampleIds =>
        Rows.Value.GroupBy(r => r.MasterId).ToDictionary(g => g.Key, g => g.First().SampleId);

    public static IReadOnlyList<string[]> ReadCsv(string name) =>
        File.ReadAllLines(Path.Combine(Folder, name)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();

    public static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static string Locate()
    {
        // CI clones the repository as <dir>/main with the shared data at <dir>/shared/data: walk up from the test
        // assembly looking for it, and fall back to the copies next to the tests.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "cdnow");
            if (File.Exists(Path.Combine(candidate, "CDNOW_sample.txt")))
            {
                return candidate;
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "Data");
    }

    private static IReadOnlyList<SampleRow> LoadSample()
    {
        var pattern = LocalDatePattern.CreateWithInvariantCulture("yyyyMMdd");
        return File.ReadAllLines(Path.Combine(Folder, "CDNOW_sample.txt"))
            .Where(l => l.Trim().Length > 0)
            .Select(l =>
            {
                var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return new SampleRow(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), pattern.Parse(f[2]).Value, decimal.Parse(f[4], CultureInfo.InvariantCulture));
            })
            .ToArray();
    }

    private sealed record SampleRow(string MasterId, int SampleId, LocalDate Date, decimal Amount);
}
