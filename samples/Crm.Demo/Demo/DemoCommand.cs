using Crm.Demo.Cli;

namespace Crm.Demo.Demo;

/// <summary>
/// The default command: the guided tour of Crm.Core. Each capability's showcase lives in its own file in this folder
/// (e.g. <c>CustomerShowcase.cs</c>); add yours to <see cref="Run"/>.
/// </summary>
public sealed class DemoCommand : ICliCommand
{
    /// <inheritdoc/>
    public string Name => "demo";

    /// <inheritdoc/>
    public string Summary => "Tour of Crm.Core's capabilities on generated data (the default when no command is given).";

    /// <inheritdoc/>
    public IReadOnlyList<CliOption> Options { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<string> Examples { get; } = [$"{CliApp.ProgramName} demo"];

    /// <inheritdoc/>
    public int Run(CliArguments arguments, CliContext context)
    {
        CustomerShowcase.Run(context);
        LifecycleShowcase.Run(context);
        LoyaltyShowcase.Run(context);
        SegmentationShowcase.Run(context);
        return CliApp.Success;
    }
}
