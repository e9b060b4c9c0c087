using System.Reflection;
using Crm.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Crm.Core.Docs.Tests;

/// <summary>
/// Every span, instrument and log event the libraries define is listed in docs/architecture.md ("Observability"),
/// so a host can find the names it should subscribe to without reading the source.
/// </summary>
public class ObservabilityNamesTest
{
    private static readonly Lazy<string> Architecture = new(() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md")));

    public static TheoryData<string, string> DiagnosticNames()
    {
        var data = new TheoryData<string, string>();
        var fields = typeof(CrmDiagnostics)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string));
        foreach (var field in fields)
        {
            data.Add(field.Name, (string)field.GetRawConstantValue()!);
        }
        return data;
    }

    public static TheoryData<string, int> LogEvents()
    {
        var data = new TheoryData<string, int>();
        foreach (var method in LibraryAssemblies()
                     .SelectMany(a => a.GetTypes())
                     .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } message)
            {
                data.Add($"{method.DeclaringType!.FullName}.{method.Name}", message.EventId);
            }
        }
        return data;
    }

    [Fact]
    public void There_are_names_and_log_events_to_check()
    {
        // Guards the theories below against passing vacuously if reflection stops finding anything.
        Assert.True(DiagnosticNames().Count >= 19, $"only {DiagnosticNames().Count} names found on CrmDiagnostics");
        Assert.True(LogEvents().Count >= 4, $"only {LogEvents().Count} [LoggerMessage] methods found");
    }

    [Theory]
    [MemberData(nameof(DiagnosticNames))]
    public void Every_CrmDiagnostics_name_is_documented(string constant, string name) =>
        Assert.True(Architecture.Value.Contains($"`{name}`", StringComparison.Ordinal)
                    || Architecture.Value.Contains($"**`{name}`**", StringComparison.Ordinal),
            $"CrmDiagnostics.{constant} = \"{name}\" is not listed (in backticks) in docs/architecture.md");

    [Theory]
    [MemberData(nameof(LogEvents))]
    public void Every_log_event_id_is_documented(string method, int eventId) =>
        Assert.True(Architecture.Value.Contains($"| {eventId} |", StringComparison.Ordinal),
            $"log event {eventId} ({method}) is not a row of the event-id table in docs/architecture.md");

    private static IEnumerable<Assembly> LibraryAssemblies() =>
    [
        typeof(CrmDiagnostics).Assembly,
        typeof(Crm.Core.Analytics.Fitting.FitOptions).Assembly,
        typeof(Crm.Core.EntityFrameworkCore.CrmDatabase).Assembly,
    ];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crm.Core.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Crm.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
