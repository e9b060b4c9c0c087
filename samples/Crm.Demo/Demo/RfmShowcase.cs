using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Rfm;
using Crm.Core.Rfm;
using Crm.Demo.Data;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// RFM computed in the database: one GROUP BY per customer in SQLite, scored and segmented by the library
/// (<see cref="DatabaseRfmCalculator"/>), shown as the segment table and the R×F grid.
/// </summary>
public static class RfmShowcase
{
    /// <summary>The options of every RFM computation in the demo: five bins, the default segment map, the shop's zone.</summary>
    public static RfmOptions Options(NodaTime.LocalDate asOf) => new(asOf) { Zone = RetailDataSet.Zone };

    /// <summary>Writes the showcase and returns today's scores (the segmentation showcase puts them on profiles).</summary>
    public static async Task<RfmResult<CustomerId>> RunAsync(DemoContext demo)
    {
        var console = demo.Console;
        console.Write(new Rule("[bold]RFM segments (computed in the database)[/]").LeftJustified());
        var result = await demo.InScopeAsync<DatabaseRfmCalculator, RfmResult<CustomerId>>(c => c.ComputeAsync(Options(demo.Data.Today)));

        var table = new Table().Title($"RFM segments as of {DemoContext.Day(demo.Data.Today)} ({DemoContext.N(result.Count)} buyers scored)")
            .AddColumns("Segment", "Customers", "Share", "Revenue", "Revenue share");
        foreach (var s in result.SegmentReport().OrderByDescending(s => s.Monetary))
        {
            table.AddRow(Markup.Escape(s.Segment), DemoContext.N(s.Count), s.CustomerShare.ToString("P1", CultureInfo.InvariantCulture),
                s.Monetary.ToString("N0", CultureInfo.InvariantCulture), s.RevenueShare.ToString("P1", CultureInfo.InvariantCulture));
        }
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }
        console.Write(table);
        console.Write(Grid(result));
        var top = result.Top(5m);
        var share = result.TotalMonetary == 0 ? 0 : top.Sum(c => c.Monetary) / result.TotalMonetary;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"The top 5% ({top.Count:N0} customers) hold [bold]{share:P1}[/] of net revenue."));
        return result;
    }

    /// <summary>Customers per (R, F) cell, F growing upwards, darker where more customers sit.</summary>
    private static Table Grid(RfmResult<CustomerId> result)
    {
        var k = result.Options.Bins;
        var counts = new int[k + 1, k + 1];
        var r = result.RecencyScores;
        var f = result.FrequencyScores;
        for (var i = 0; i < result.Count; i++)
        {
            counts[f[i], r[i]]++;
        }
        var max = Math.Max(1, counts.Cast<int>().Max());
        var grid = new Table().Title("R×F grid: customers per cell (R 5 = bought most recently, F 5 = buys most often)").AddColumn("F \\ R");
        for (var rs = 1; rs <= k; rs++)
        {
            grid.AddColumn(new TableColumn($"R{rs}").RightAligned());
        }
        for (var fs = k; fs >= 1; fs--)
        {
            var row = new List<string> { $"F{fs}" };
            for (var rs = 1; rs <= k; rs++)
            {
                var count = counts[fs, rs];
                var shade = count == 0 ? "grey" : count * 3 > max * 2 ? "bold yellow" : count * 3 > max ? "yellow" : "default";
                var segment = result.SegmentMap?.SegmentOf(new RfmScore(rs, fs, 1));
                row.Add($"[{shade}]{DemoContext.N(count)}[/]" + (segment is null ? "" : $"\n[grey]{Markup.Escape(segment)}[/]"));
            }
            grid.AddRow(row.ToArray());
        }
        return grid.Caption(EmptyRowsExplained(result, counts));
    }

    /// <summary>
    /// Why a frequency row can be empty: the quantile bins are tie-aware (customers with equal order counts share a
    /// score), so when many customers bought the same number of times their bin swallows its neighbours' share. Each
    /// empty row is put down to the largest such tie in the nearest filled row below or above it; a row with no such
    /// neighbour is said to have no order count in its range.
    /// </summary>
    private static string EmptyRowsExplained(RfmResult<CustomerId> result, int[,] counts)
    {
        var k = result.Options.Bins;
        var filled = Enumerable.Range(1, k).Where(fs => Enumerable.Range(1, k).Any(rs => counts[fs, rs] > 0)).ToHashSet();
        var empty = Enumerable.Range(1, k).Where(fs => !filled.Contains(fs)).ToList();
        if (empty.Count == 0 || result.Count == 0)
        {
            return "";
        }
        var scores = result.FrequencyScores;
        var frequencies = result.Frequencies;
        // Every order count shared by more customers than one bin's share, with the score they all got.
        var ties = new Dictionary<int, (int Customers, int Score)>();
        for (var i = 0; i < frequencies.Length; i++)
        {
            var (customers, _) = ties.GetValueOrDefault(frequencies[i]);
            ties[frequencies[i]] = (customers + 1, scores[i]);
        }
        var large = ties.Where(t => t.Value.Customers > result.Count / k).ToList();
        var causes = empty.GroupBy(fs =>
        {
            int? below = Enumerable.Range(1, fs - 1).Reverse().Where(filled.Contains).Select(x => (int?)x).FirstOrDefault();
            int? above = Enumerable.Range(fs + 1, k - fs).Where(filled.Contains).Select(x => (int?)x).FirstOrDefault();
            return large.Where(t => t.Value.Score == below || t.Value.Score == above)
                .OrderByDescending(t => t.Value.Customers).Select(t => (int?)t.Key).FirstOrDefault();
        });
        var lines = causes.Select(g =>
        {
            var rows = string.Join(", ", g.Select(fs => $"F{fs}"));
            if (g.Key is not { } frequency)
            {
                return $"{rows} empty: no customer's order count falls in its quantile range.";
            }
            var (customers, score) = ties[frequency];
            return string.Create(CultureInfo.InvariantCulture,
                $"{rows} empty: {customers:N0} buyers ({(double)customers / result.Count:P0}) have {frequency} {(frequency == 1 ? "order" : "orders")}; quantile bins keep equal counts together, so F{score} holds them all.");
        });
        return "[grey]" + string.Join("\n", lines) + "[/]";
    }
}
