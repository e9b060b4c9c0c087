using Crm.Demo.Cli;

namespace Crm.Demo.Tests;

/// <summary>Runs the demo host in-process and captures what it writes.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, new CliContext(output, error));
        return (code, output.ToString(), error.ToString());
    }
}
