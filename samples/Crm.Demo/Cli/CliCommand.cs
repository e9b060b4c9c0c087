using Spectre.Console;

namespace Crm.Demo.Cli;

/// <summary>
/// One sub-command of the demo host (<c>demo</c>, <c>rfm</c>, <c>clv</c>, ...). Add a command by implementing this
/// and listing it in <see cref="CliApp.Commands"/>; the dispatcher does the option parsing, help and exit codes.
/// </summary>
public interface ICliCommand
{
    /// <summary>The word typed after the program name, e.g. <c>rfm</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list in <c>--help</c>.</summary>
    string Summary { get; }

    /// <summary>The options the command accepts; anything else is a usage error (exit code 2).</summary>
    IReadOnlyList<CliOption> Options { get; }

    /// <summary>Complete example command lines shown in help.</summary>
    IReadOnlyList<string> Examples { get; }

    /// <summary>Runs the command with already validated options and returns the exit code.</summary>
    /// <exception cref="CliInputException">The input is bad: reported as one line on stderr with exit code 2.</exception>
    int Run(CliArguments arguments, CliContext context);
}

/// <summary>An option of a command: <c>--name VALUE</c> (or <c>--name=VALUE</c>), or a flag without value.</summary>
/// <param name="Name">The name including the leading dashes, e.g. <c>--input</c>.</param>
/// <param name="ValueName">The placeholder shown in usage (e.g. <c>FILE.csv</c>), or null for a flag.</param>
/// <param name="Required">Whether the command refuses to run without it.</param>
/// <param name="Description">One line for help.</param>
public sealed record CliOption(string Name, string? ValueName, bool Required, string Description)
{
    /// <summary>Whether the option takes a value.</summary>
    public bool IsFlag => ValueName is null;

    /// <summary>The option as shown in a usage line, e.g. <c>[--window-days N]</c>.</summary>
    public string UsageText
    {
        get
        {
            var text = IsFlag ? Name : $"{Name} {ValueName}";
            return Required ? text : $"[{text}]";
        }
    }
}

/// <summary>Where a command writes: stdout, stderr, and a Spectre console bound to stdout (so tests can capture it).</summary>
public sealed class CliContext
{
    /// <summary>Creates a context writing to the given writers.</summary>
    public CliContext(TextWriter output, TextWriter error)
    {
        Out = output;
        Error = error;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ReferenceEquals(output, System.Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ReferenceEquals(output, System.Console.Out) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        // Without a terminal Spectre assumes 80 columns and wraps the wide tables; a file or a pager has room for more.
        if (!ReferenceEquals(output, System.Console.Out) || System.Console.IsOutputRedirected)
        {
            Console.Profile.Width = RedirectedWidth;
        }
    }

    /// <summary>The width tables are laid out for when the output is not a terminal (a file, a pipe, a test).</summary>
    public const int RedirectedWidth = 120;

    /// <summary>Standard output (results, CSV when no output file is given).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error (diagnostics, usage errors).</summary>
    public TextWriter Error { get; }

    /// <summary>A rich console writing to <see cref="Out"/>.</summary>
    public IAnsiConsole Console { get; }
}

/// <summary>
/// Bad input to a command (a missing column, an unparseable cell, a file that does not exist). The dispatcher
/// prints <see cref="Exception.Message"/> as one line on stderr, without a stack trace, and exits with code 2.
/// </summary>
public class CliInputException : Exception
{
    /// <summary>Creates the exception with the full user-facing message (name the file, line and column).</summary>
    public CliInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the full user-facing message and its cause.</summary>
    public CliInputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A command line that does not match the command's options: usage is printed and the exit code is 2.</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception with a message naming what was wrong.</summary>
    public CliUsageException(string message)
        : base(message)
    {
    }
}
