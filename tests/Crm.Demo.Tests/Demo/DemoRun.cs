using System.Text.RegularExpressions;

namespace Crm.Demo.Tests.Demo;

/// <summary>
/// Demo runs shared by the tests of a class (each run generates, stores and analyses a data set): a small
/// <c>--customers</c> keeps them fast.
/// </summary>
public sealed partial class DemoRuns
{
    public const int Customers = 150;

    private readonly Lazy<Run> _seed1 = new(() => Run.Of("demo", "--seed", "1", "--customers", $"{Customers}"));
    private readonly Lazy<Run> _seed1Again = new(() => Run.Of("demo", "--seed", "1", "--customers", $"{Customers}"));
    private readonly Lazy<Run> _seed2 = new(() => Run.Of("demo", "--seed", "2", "--customers", $"{Customers}"));

    public Run Seed1 => _seed1.Value;

    public Run Seed1Again => _seed1Again.Value;

    public Run Seed2 => _seed2.Value;

    public sealed record Run(int ExitCode, string Out, string Error)
    {
        /// <summary>The SQLite file the run printed (it lives in a fresh temp folder).</summary>
        public string DatabasePath => DatabaseLine().Match(Out) is { Success: true } m ? m.Groups[1].Value.Trim() : throw new InvalidOperationException("The demo printed no database path:\n" + Out);

        /// <summary>The output without the one line that differs between runs by design (the temp folder's name).</summary>
        public string Story => DatabaseLine().Replace(Out, "SQLite database: <temp>");

        public static Run Of(params string[] args)
        {
            var (code, output, error) = CliRunner.Run(args);
            return new Run(code, output, error);
        }
    }

    [GeneratedRegex(@"SQLite database: (\S+) \(deleted at the end\)")]
    private static partial Regex DatabaseLine();
}
