using System.Globalization;
using Crm.Demo.Data;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>What every showcase gets: the console, the generated data, the host's services and its clock.</summary>
/// <param name="Console">Where the story is written.</param>
/// <param name="Data">The generated data set (already stored).</param>
/// <param name="Services">The root provider: <c>AddCrmCore().UseEntityFrameworkCore(...)</c> over SQLite.</param>
/// <param name="Clock">The clock the services read; showcases move it to tell "a month ago" and "today".</param>
public sealed record DemoContext(IAnsiConsole Console, RetailDataSet Data, IServiceProvider Services, DemoClock Clock)
{
    /// <summary>
    /// Runs <paramref name="work"/> with a service resolved from a fresh scope, as one request of a host would: each
    /// scope has its own DbContext and unit of work.
    /// </summary>
    public async Task<TResult> InScopeAsync<TService, TResult>(Func<TService, Task<TResult>> work)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>
    /// Writes <paramref name="items"/> in batches, each batch in its own scope and several batches side by side: scoped
    /// services (DbContext, unit of work, stores) are never shared between threads, and SQLite serialises the short
    /// write transactions while the threads prepare the next ones.
    /// </summary>
    public static async Task WriteInParallelAsync<T>(IServiceProvider services, IReadOnlyCollection<T> items, int batchSize,
        Func<IServiceProvider, T[], Task> write, Action<double>? progress = null)
    {
        var done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) };
        await Parallel.ForEachAsync(items.Chunk(batchSize), options, async (batch, _) =>
        {
            await using var scope = services.CreateAsyncScope();
            await write(scope.ServiceProvider, batch);
            progress?.Invoke(Interlocked.Add(ref done, batch.Length) / (double)items.Count);
        });
    }

    /// <summary>A day as the tables print it.</summary>
    public static string Day(LocalDate day) => day.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant's day in the shop's zone.</summary>
    public static string Day(Instant instant) => Day(instant.InZone(RetailDataSet.Zone).Date);

    /// <summary>A whole number with thousands separators.</summary>
    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A customer's display name, escaped for markup.</summary>
    public string NameOf(Crm.Core.Customers.CustomerId id) => Markup.Escape(Data.CustomerById[id].Customer.Name.DisplayName);
}

/// <summary>A clock the story sets by hand, so "today" is the data's last day and every run prints the same.</summary>
public sealed class DemoClock : IClock
{
    /// <summary>The current instant.</summary>
    public Instant Now { get; set; }

    /// <inheritdoc/>
    public Instant GetCurrentInstant() => Now;
}

/// <summary>A progress bar for the steps that take a moment.</summary>
public static class DemoProgress
{
    /// <summary>Runs the steps in order; each reports its share done (0 to 1).</summary>
    public static async Task RunAsync(IAnsiConsole console, params (string Name, Func<Action<double>, Task> Work)[] steps)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(steps);
        // Only where someone watches: redirected output (files, tests) stays free of timing-dependent frames.
        if (!console.Profile.Capabilities.Interactive)
        {
            foreach (var (_, work) in steps)
            {
                await work(_ => { });
            }
            return;
        }
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = steps.Select(s => progress.AddTask(s.Name, autoStart: false)).ToList();
                for (var i = 0; i < steps.Length; i++)
                {
                    var task = tasks[i];
                    task.StartTask();
                    await steps[i].Work(share => task.Value = share * 100);
                    task.Value = 100;
                    task.StopTask();
                }
            });
    }
}
