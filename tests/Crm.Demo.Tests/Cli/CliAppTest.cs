using Crm.Demo.Cli;

namespace Crm.Demo.Tests.Cli;

public class CliAppTest
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_lists_every_command_with_examples(string flag)
    {
        var (code, output, _) = CliRunner.Run(flag);
        Assert.Equal(CliApp.Success, code);
        foreach (var command in CliApp.Commands)
        {
            Assert.Contains(command.Name, output);
            Assert.All(command.Examples, example => Assert.Contains(example, output));
        }
    }

    [Fact]
    public void Unknown_option_prints_usage_and_exits_2()
    {
        var (code, output, error) = CliRunner.Run("--frobnicate");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("unknown option '--frobnicate'", error);
        Assert.Contains("Usage:", error);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void Unknown_command_prints_usage_and_exits_2()
    {
        var (code, _, error) = CliRunner.Run("frobnicate");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("unknown command 'frobnicate'", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void Unknown_option_of_a_command_prints_its_usage_and_exits_2()
    {
        var (code, _, error) = CliRunner.Run("demo", "--colour");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("Unknown option '--colour'", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void Arguments_parse_both_value_forms_and_reject_repeats()
    {
        var options = new[] { new CliOption("--input", "FILE", true, "in"), new CliOption("--n", "N", false, "n") };
        var parsed = CliArguments.Parse(["--input", "a.csv", "--n=3"], options);
        Assert.Equal("a.csv", parsed.Get("--input"));
        Assert.Equal(3, parsed.GetInt32("--n", 1, 10));
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["--input", "a", "--input", "b"], options));
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["--n", "3"], options));
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["--input"], options));
        Assert.Throws<CliUsageException>(() => CliArguments.Parse(["--input", "a", "--n", "x"], options).GetInt32("--n", 1, 10));
    }
}
