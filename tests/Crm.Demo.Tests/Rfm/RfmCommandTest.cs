using Crm.Demo.Cli;
using Crm.Demo.Rfm;

namespace Crm.Demo.Tests.Rfm;

public sealed class RfmCommandTest : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rfm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private (int ExitCode, string Out, string Error) Rfm(string input, params string[] more) =>
        CliRunner.Run(["rfm", "--input", input, "--as-of", "2024-06-30", .. more]);

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
    public void Happy_path_writes_one_sorted_row_per_customer_with_ids_verbatim()
    {
        var input = File("in.csv",
            "order,transaction_id,customer_id,amount,timestamp,currency\n" +
            "1,o1,00042,10.50,2024-06-01,EUR\n" +
            "2,o1,00042,4.5,2024-06-03T08:00:00+02:00,EUR\n" +   // second line of order o1, dated later
            "3,,\"b,7\",99,2024-06-30T23:30:00Z,EUR\n" +          // quoted id with a comma; no order id
            "4,r1,00042,-5.00,2024-06-29,EUR\n" +                   // refund: not recent, not counted
            "5,o2,00042,1.00,2024-05-01,EUR\n" +
            "6,o3,late,1.00,2024-07-01,EUR\n" +                     // after as-of: ignored
            "7,x1,zz,-3.00,2024-06-01,EUR\n");                      // refund-only customer: not scored
        var output = Path.Combine(_dir, "out.csv");
        var run = Rfm(input, "--output", output);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Equal(
            RfmCommand.OutputHeader + "\n" +
            "00042,27,2,11.00,1,3,1,At Risk\n" +           // N = 2: the better one scores 1 + floor(5 · 1 / 2) = 3
            "\"b,7\",0,1,99.00,3,1,3,About to Sleep\n",
            System.IO.File.ReadAllText(output));
        Assert.Contains("2 customers scored", run.Out);
    }

    [Fact]
    public void Without_output_the_csv_goes_to_stdout_and_window_days_filters()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30,1\nb,2024-06-21,2\nb,2024-06-20,2\n");
        var run = Rfm(input, "--window-days", "10");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(RfmCommand.OutputHeader + "\na,0,1,1.00,3,1,1,About to Sleep\nb,9,1,2.00,1,1,3,Hibernating\n", run.Out);
    }

    [Fact]
    public void Zone_option_dates_instants_locally()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30T22:30:00Z,1\na,2024-06-29T12:00:00Z,1\n");
        Assert.Contains("a,0,2,2.00", Rfm(input).Out);
        Assert.Contains("a,1,1,1.00", Rfm(input, "--zone", "Europe/Berlin").Out);
    }

    [Fact]
    public void Chart_option_writes_a_png()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30,1\nb,2024-06-21,2\n");
        var chart = Path.Combine(_dir, "rfm.png");
        var run = Rfm(input, "--output", Path.Combine(_dir, "out.csv"), "--chart", chart);
        Assert.Equal(0, run.ExitCode);
        var bytes = System.IO.File.ReadAllBytes(chart);
        Assert.True(bytes.Length > 1000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public void Missing_required_column_names_file_line_and_column()
    {
        var input = File("in.csv", "customer_id,timestamp,value\na,2024-06-30,1\n");
        AssertBadInput(Rfm(input), input, "line 1", "column 'amount'");
    }

    [Fact]
    public void Unparseable_date_names_file_line_and_column()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30,1\nb,30/06/2024,1\n");
        AssertBadInput(Rfm(input), input, "line 3", "column 'timestamp'", "30/06/2024");
    }

    [Theory]
    [InlineData("12,50")]
    [InlineData("1e3")]
    [InlineData("abc")]
    public void Unparseable_amount_names_file_line_and_column(string amount)
    {
        var input = File("in.csv", $"customer_id,timestamp,amount\na,2024-06-30,\"{amount}\"\n");
        AssertBadInput(Rfm(input), input, "line 2", "column 'amount'");
    }

    [Fact]
    public void Empty_cell_and_short_row_are_bad_input()
    {
        AssertBadInput(Rfm(File("a.csv", "customer_id,timestamp,amount\n,2024-06-30,1\n")), "line 2", "column 'customer_id'");
        AssertBadInput(Rfm(File("b.csv", "customer_id,timestamp,amount\na,2024-06-30\n")), "line 2", "column 'amount'");
    }

    [Fact]
    public void Empty_file_is_bad_input()
    {
        var input = File("in.csv", string.Empty);
        AssertBadInput(Rfm(input), input, "line 1", "empty");
    }

    [Fact]
    public void Mixed_currencies_name_the_offending_line()
    {
        var input = File("in.csv", "customer_id,timestamp,amount,currency\na,2024-06-30,1,EUR\nb,2024-06-30,1,USD\n");
        AssertBadInput(Rfm(input), input, "line 3", "column 'currency'", "USD");
    }

    [Fact]
    public void Missing_input_file_is_bad_input()
    {
        AssertBadInput(Rfm(Path.Combine(_dir, "nope.csv")), "nope.csv");
    }

    [Fact]
    public void Bad_input_leaves_no_output_file_and_keeps_an_existing_one()
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30,1\nb,2024-06-30,x\n");
        var fresh = Path.Combine(_dir, "fresh.csv");
        var chart = Path.Combine(_dir, "fresh.png");
        AssertBadInput(Rfm(input, "--output", fresh, "--chart", chart), "line 3");
        Assert.False(System.IO.File.Exists(fresh));
        Assert.False(System.IO.File.Exists(chart));
        var existing = File("existing.csv", "keep me");
        AssertBadInput(Rfm(input, "--output", existing), "line 3");
        Assert.Equal("keep me", System.IO.File.ReadAllText(existing));
        Assert.Equal(["existing.csv", "in.csv"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("--as-of", "2024-13-01")]
    [InlineData("--window-days", "0")]
    [InlineData("--zone", "Mars/Olympus")]
    [InlineData("--bogus", "1")]
    public void Bad_options_print_usage_and_exit_2(string option, string value)
    {
        var input = File("in.csv", "customer_id,timestamp,amount\na,2024-06-30,1\n");
        var run = CliRunner.Run("rfm", "--input", input, "--as-of", "2024-06-30", option, value);
        Assert.Equal(CliApp.BadInput, run.ExitCode);
        Assert.Contains(option, run.Error);
        Assert.Contains("Usage:", run.Error);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void Missing_required_option_prints_usage_and_exits_2()
    {
        var run = CliRunner.Run("rfm", "--as-of", "2024-06-30");
        Assert.Equal(CliApp.BadInput, run.ExitCode);
        Assert.Contains("'--input' is required", run.Error);
        Assert.Contains("Usage:", run.Error);
    }
}
