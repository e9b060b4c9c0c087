using System.Text.RegularExpressions;
using Crm.Demo.Cli;
using Crm.Demo.Demo;

namespace Crm.Demo.Tests.Demo;

public class DemoCommandTest(DemoRuns runs) : IClassFixture<DemoRuns>
{
    [Fact]
    public void The_demo_runs_on_a_small_data_set_without_errors()
    {
        Assert.Equal(CliApp.Success, runs.Seed1.ExitCode);
        Assert.Equal(string.Empty, runs.Seed1.Error);
        Assert.Contains($"{DemoRuns.Customers} customers", runs.Seed1.Out);
    }

    [Theory]
    [InlineData("Customers: one record across every channel")]
    [InlineData("Registrations by channel")]
    [InlineData("Timeline of ")]
    [InlineData("Customer lifecycle")]
    [InlineData("Stage transitions")]
    [InlineData("Engagement status")]
    [InlineData("Loyalty: points and tiers over time")]
    [InlineData("Tier changes:")]
    [InlineData("RFM segments (computed in the database)")]
    [InlineData("R×F grid")]
    [InlineData("Segmentation: who entered, who left")]
    [InlineData("Segment refreshes on")]
    [InlineData("Customer value: predicted by BG/NBD + Gamma-Gamma")]
    [InlineData("Top 10 customers by predicted value")]
    [InlineData("Product affinities")]
    public void The_demo_tells_each_part_of_the_story_once(string heading)
    {
        var occurrences = runs.Seed1.Out.Split(heading).Length - 1;
        Assert.True(occurrences == 1, $"'{heading}' appears {occurrences} times in the demo output.");
    }

    [Fact]
    public void An_empty_row_of_the_RFM_grid_is_explained_under_it()
    {
        var output = runs.Seed1.Out;
        var grid = output[output.IndexOf("R×F grid", StringComparison.Ordinal)..];
        grid = grid[..grid.IndexOf("The top 5%", StringComparison.Ordinal)];
        var empty = Regex.Matches(grid, @"│ (F\d) +│(?: +0 │){5}").Select(m => m.Groups[1].Value).ToList();

        foreach (var row in empty)
        {
            // The caption lists the empty rows it explains ("F2, F3 empty: ..."), so a row label in the grid cannot match.
            Assert.Matches($@"(?:F\d, )*{row}(?:, F\d)* empty: [\d,]+ buyers", Regex.Replace(grid, @"\s+", " "));
        }
        if (empty.Count == 0)
        {
            Assert.DoesNotContain(" empty: ", grid, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_same_seed_tells_the_same_story()
    {
        Assert.Equal(runs.Seed1.Story, runs.Seed1Again.Story);
    }

    [Fact]
    public void Another_seed_gives_other_numbers()
    {
        Assert.Equal(CliApp.Success, runs.Seed2.ExitCode);
        Assert.NotEqual(runs.Seed1.Story, runs.Seed2.Story);
        // Not only names: the computed figures differ too (e.g. the RFM table and the model parameters).
        Assert.NotEqual(Figures(runs.Seed1.Out, "RFM segments as of"), Figures(runs.Seed2.Out, "RFM segments as of"));
        Assert.NotEqual(Figures(runs.Seed1.Out, "Fitted on"), Figures(runs.Seed2.Out, "Fitted on"));
    }

    [Fact]
    public void The_temporary_database_is_removed_at_the_end()
    {
        var path = runs.Seed1.DatabasePath;
        Assert.EndsWith("crm.db", path);
        Assert.False(File.Exists(path), $"{path} still exists");
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)), "the temp folder still exists");
    }

    [Fact]
    public void Customers_follow_the_followed_customer_through_timeline_loyalty_and_a_return()
    {
        var output = runs.Seed1.Out;
        var name = Regex.Match(output, @"Timeline of (C\d{5} [^,\n]+), newest first").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(name), "no timeline heading");
        Assert.Contains($"{name} in the club", output);
        Assert.Contains("return ", output);              // the return is on the timeline and in the ledger
        Assert.Matches(@"return C\d{5}-\d{3}-R: -[\d.]+ EUR\s*│\s*-\d+", output); // and took points back
    }

    [Theory]
    [InlineData("--customers", "5")]
    [InlineData("--customers", "50001")]
    [InlineData("--customers", "many")]
    [InlineData("--seed", "-1")]
    public void Out_of_range_options_are_usage_errors(string option, string value)
    {
        var (code, output, error) = CliRunner.Run("demo", option, value);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains($"Option '{option}' must be a whole number from", error);
        Assert.Contains($"got '{value}'", error);
        Assert.Contains("Usage:", error);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void The_demo_is_the_default_command_and_documents_its_options()
    {
        Assert.IsType<DemoCommand>(CliApp.Commands[0]); // what runs when no command is given
        var (code, output, _) = CliRunner.Run("demo", "--help");
        Assert.Equal(CliApp.Success, code);
        Assert.Contains("--seed N", output);
        Assert.Contains($"--customers N", output);
        Assert.Contains($"{DemoCommand.MinCustomers} to {DemoCommand.MaxCustomers}", output);
    }

    private static string Figures(string output, string heading)
    {
        var start = output.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{heading}' not found");
        var text = output[start..Math.Min(output.Length, start + 800)];
        return string.Concat(Regex.Matches(text, @"\d[\d,.]*").Select(m => m.Value + " "));
    }
}
