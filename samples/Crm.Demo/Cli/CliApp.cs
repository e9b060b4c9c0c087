using Crm.Demo.Demo;

namespace Crm.Demo.Cli;

/// <summary>
/// The demo host's command dispatcher: <c>Crm.Demo [command] [options]</c>. With no arguments it runs <c>demo</c>.
/// </summary>
/// <remarks>
/// Exit codes: 0 success; 2 usage error (unknown command or option, missing value) or bad input (the message names
/// file, line and column); 1 anything unexpected. A small hand parser rather than System.CommandLine because the
/// contract (exact exit codes, one-line messages, no stack traces) is easier to guarantee and test than to configure.
/// </remarks>
public static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code for an unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a usage error or bad input.</summary>
    public const int BadInput = 2;

    /// <summary>The program name shown in usage.</summary>
    public const string ProgramName = "dotnet run --project samples/Crm.Demo --";

    /// <summary>Every command, in the order shown by <c>--help</c>. Add yours here.</summary>
    public static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new DemoCommand(),
        new Rfm.RfmCommand(),
        new Clv.ClvCommand(),
    ];

    /// <summary>Runs the command line against the process's console.</summary>
    public static int Run(string[] args) => Run(args, new CliContext(Console.Out, Console.Error));

    /// <summary>Runs the command line, writing to <paramref name="context"/> (tests pass string writers).</summary>
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            return RunCommand(Commands[0], [], context);
        }
        var first = args[0];
        if (first is "--help" or "-h" or "help")
        {
            WriteHelp(context.Out);
            return Success;
        }
        var command = Commands.FirstOrDefault(c => c.Name == first);
        if (command is null)
        {
            context.Error.WriteLine(first.StartsWith('-') ? $"error: unknown option '{first}'." : $"error: unknown command '{first}'.");
            WriteHelp(context.Error);
            return BadInput;
        }
        return RunCommand(command, args.Skip(1).ToArray(), context);
    }

    private static int RunCommand(ICliCommand command, IReadOnlyList<string> args, CliContext context)
    {
        CliArguments arguments;
        try
        {
            arguments = CliArguments.Parse(args, command.Options);
        }
        catch (CliUsageException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            WriteCommandHelp(command, context.Error);
            return BadInput;
        }
        if (arguments.HelpRequested)
        {
            WriteCommandHelp(command, context.Out);
            return Success;
        }
        try
        {
            return command.Run(arguments, context);
        }
        catch (CliUsageException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            WriteCommandHelp(command, context.Error);
            return BadInput;
        }
        catch (CliInputException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>Writes the list of commands with examples.</summary>
    public static void WriteHelp(TextWriter writer)
    {
        writer.WriteLine("Crm.Core demo host.");
        writer.WriteLine();
        writer.WriteLine($"Usage: {ProgramName} [command] [options]      (no command: demo)");
        writer.WriteLine();
        writer.WriteLine("Commands:");
        foreach (var command in Commands)
        {
            writer.WriteLine($"  {command.Name,-8} {command.Summary}");
        }
        writer.WriteLine();
        writer.WriteLine("Examples:");
        foreach (var example in Commands.SelectMany(c => c.Examples))
        {
            writer.WriteLine($"  {example}");
        }
        writer.WriteLine();
        writer.WriteLine($"Run '{ProgramName} COMMAND --help' for a command's options. Exit codes: 0 ok, 2 usage error or bad input, 1 unexpected failure.");
    }

    /// <summary>Writes one command's usage, options and examples.</summary>
    public static void WriteCommandHelp(ICliCommand command, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"Usage: {ProgramName} {command.Name} {string.Join(' ', command.Options.Select(o => o.UsageText))}".TrimEnd());
        writer.WriteLine($"  {command.Summary}");
        if (command.Options.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Options:");
            foreach (var option in command.Options)
            {
                var left = option.IsFlag ? option.Name : $"{option.Name} {option.ValueName}";
                writer.WriteLine($"  {left,-26} {option.Description}");
            }
        }
        if (command.Examples.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Examples:");
            foreach (var example in command.Examples)
            {
                writer.WriteLine($"  {example}");
            }
        }
    }
}
