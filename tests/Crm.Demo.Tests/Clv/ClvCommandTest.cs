using System.Globalization;
using System.Text.Json;
using Crm.Demo.Cli;
using Crm.Demo.Clv;

namespace Crm.Demo.Tests.Clv;

public sealed class ClvCommandTest : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clv-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>CDNOW_sample.txt (fixed-width) as the purchase CSV the command reads.</summary>
    private string CdnowCsv()
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "CDNOW_sample.txt"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => $"{f[0]},{f[2][..4]}-{f[2][4..6]}-{f[2][6..]},{f[4]}");
        return File("cdnow.csv", "customer_id,timestamp,amount\n" + string.Join("\n", lines) + "\n");
    }

    private static void AssertBadInput((int ExitCode, string Out, string Error) run, params string[] fragments)
    {
        Assert.Equal(CliApp.BadInput, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.All(fragments, f => Assert.Contains(f, line));
        Assert.DoesNotContain(" at Crm.", run.Error);
    }

    [Fact]
    public void Cdnow_reproduces_published_parameters_and_writes_all_outputs()
    {
        var input = CdnowCsv();
        var (output, parameters, chart) = (Path.Combine(_dir, "out.csv"), Path.Combine(_dir, "params.json"), Path.Combine(_dir, "chart.png"));
        var run = CliRunner.Run("clv", "--input", input, "--calibration-end", "1997-09-30", "--horizon", "39",
            "--params-out", parameters, "--output", output, "--chart", chart);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);

        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(parameters));
        var root = json.RootElement;
        Assert.Equal(2357, root.GetProperty("customers").GetInt32());
        var bgnbd = root.GetProperty("bgnbd");
        Assert.Equal(0.2426, bgnbd.GetProperty("r").GetDouble(), 0.0003);
        Assert.Equal(4.4136, bgnbd.GetProperty("alpha").GetDouble(), 0.004);
        Assert.Equal(0.7929, bgnbd.GetProperty("a").GetDouble(), 0.0008);
        Assert.Equal(2.4259, bgnbd.GetProperty("b").GetDouble(), 0.0025);
        Assert.Equal(-9582.43, bgnbd.GetProperty("logLikelihood").GetDouble(), 0.01);
        var gg = root.GetProperty("gammaGamma");
        Assert.Equal(6.25, gg.GetProperty("p").GetDouble(), 0.006);
        Assert.Equal(3.74, gg.GetProperty("q").GetDouble(), 0.005);
        Assert.Equal(15.44, gg.GetProperty("v").GetDouble(), 0.016);
        Assert.Equal(-4055.92, gg.GetProperty("logLikelihood").GetDouble(), 0.01);

        var rows = System.IO.File.ReadAllLines(output);
        Assert.Equal(ClvCommand.OutputHeader, rows[0]);
        Assert.Equal(2358, rows.Length);
        var ids = rows.Skip(1).Select(r => r.Split(',')[0]).ToArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        // Sample customer 1 (master id 00004): x = 2, t_x = 30.43, T = 38.86 → P(alive) 0.7266, E[Y(39)] 1.226.
        var first = rows[1].Split(',');
        Assert.Equal("00004", first[0]);
        Assert.Equal("2", first[1]);
        Assert.Equal(0.7266, double.Parse(first[5], CultureInfo.InvariantCulture), 3);
        Assert.Equal(1.226, double.Parse(first[6], CultureInfo.InvariantCulture), 3);
        Assert.Equal(24.66, double.Parse(first[7], CultureInfo.InvariantCulture), 0.01); // lifetimes: 24.66 from the rounded-file fit

        var png = System.IO.File.ReadAllBytes(chart);
        Assert.True(png.Length > 10_000);
        Assert.Equal((byte)'P', png[1]);
        Assert.Contains("customers", run.Out);
    }

    [Fact]
    public void Discounting_and_day_periods_change_clv_consistently()
    {
        var input = CdnowCsv();
        var weekly = CliRunner.Run("clv", "--input", input, "--calibration-end", "1997-09-30");
        var discounted = CliRunner.Run("clv", "--input", input, "--calibration-end", "1997-09-30", "--discount-rate", "0.01");
        Assert.Equal(0, weekly.ExitCode);
        Assert.Equal(0, discounted.ExitCode);
        static double Total(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Sum(r => double.Parse(r.Split(',')[8], CultureInfo.InvariantCulture));
        Assert.True(Total(discounted.Out) < Total(weekly.Out));
        var daily = CliRunner.Run("clv", "--input", input, "--calibration-end", "1997-09-30", "--period", "day", "--horizon", "364");
        Assert.Equal(0, daily.ExitCode);
        // The same 52 weeks in days: the models agree up to the day-level rounding of recency and age.
        Assert.Equal(Total(weekly.Out), Total(daily.Out), Total(weekly.Out) * 0.01);
    }

    [Fact]
    public void Bad_amount_names_file_line_and_column()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-01,1\na,2024-06-02,abc\n");
        AssertBadInput(CliRunner.Run("clv", "--input", input, "--calibration-end", "2024-06-30"), input, "line 3", "column 'amount'");
    }

    [Fact]
    public void Data_without_repeat_purchases_is_one_clear_error()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-01,1\nb,2024-06-02,2\n");
        AssertBadInput(CliRunner.Run("clv", "--input", input, "--calibration-end", "2024-06-30"), input, "repeat purchase");
    }

    [Fact]
    public void Missing_file_is_bad_input()
    {
        var input = Path.Combine(_dir, "nope.csv");
        AssertBadInput(CliRunner.Run("clv", "--input", input, "--calibration-end", "2024-06-30"), "nope.csv");
    }

    [Theory]
    [InlineData("--calibration-end", "2024-02-30")]
    [InlineData("--period", "month")]
    [InlineData("--horizon", "0")]
    [InlineData("--discount-rate", "1.5")]
    public void Bad_option_values_are_usage_errors(string option, string value)
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-01,1\n");
        string[] args = option == "--calibration-end"
            ? ["clv", "--input", input, option, value]
            : ["clv", "--input", input, "--calibration-end", "2024-06-30", option, value];
        var run = CliRunner.Run(args);
        Assert.Equal(CliApp.BadInput, run.ExitCode);
        Assert.Contains(option, run.Error);
        Assert.DoesNotContain(" at Crm.", run.Error);
    }
}
