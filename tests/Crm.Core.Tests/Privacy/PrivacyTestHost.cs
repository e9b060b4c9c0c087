using System.Text.Json.Nodes;
using Crm.Core.DependencyInjection;
using Crm.Core.Privacy;
using Crm.Core.Testing.Privacy;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Privacy;

/// <summary>An in-memory host with the privacy capability, and helpers shared by the privacy tests.</summary>
internal sealed class PrivacyTestHost : IAsyncDisposable, IDisposable
{
    public static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>A person with every kind of data (two interactions, loyalty, lifecycle).</summary>
    public static readonly PersonalDataScenario Ann = new(new Crm.Core.Customers.CustomerId("C-ann"), "qzxwvtsrpnmk", 7, false, 2, true, true);

    /// <summary>Another customer, an organisation, to tell apart from <see cref="Ann"/>.</summary>
    public static readonly PersonalDataScenario Bob = new(new Crm.Core.Customers.CustomerId("C-bob"), "kmnpqrstvwxy", 8, true, 1, true, true);

    public PrivacyTestHost(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IDomainEventDispatcher>(Events);
        configure?.Invoke(services);
        services.AddCrmCore().UseInMemoryStore().AddPrivacy(Key);
        Services = services.BuildServiceProvider();
    }

    public FakeClock Clock { get; } = new(Instant.FromUtc(2026, 11, 23, 18, 0));

    public Crm.Core.Testing.Fakes.RecordingDomainEventDispatcher Events { get; } = new();

    public ServiceProvider Services { get; }

    public async Task SaveAsync(params PersonalDataScenario[] scenarios)
    {
        foreach (var scenario in scenarios)
        {
            await using var scope = Services.CreateAsyncScope();
            await scenario.SaveAsync(scope.ServiceProvider);
        }
    }

    public async Task<JsonObject> ExportAsync(Crm.Core.Customers.CustomerId id)
    {
        await using var scope = Services.CreateAsyncScope();
        var export = await scope.ServiceProvider.GetRequiredService<PrivacyService>().ExportAsync(id);
        return JsonNode.Parse(export.ToJson())!.AsObject();
    }

    public async Task<ErasureResult> EraseAsync(Crm.Core.Customers.CustomerId id)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PrivacyService>().EraseAsync(id, "art17-request", "dpo-1");
    }

    /// <summary>Every text the in-memory stores hold (aggregates and profiles), through their private fields.</summary>
    public IReadOnlySet<string> StoredText() =>
        ReachableText.Of(new object[] { Services.GetRequiredService<Crm.Core.Storage.InMemoryStore>(), Services.GetRequiredService<Crm.Core.Segmentation.ICustomerProfileStore>() },
            typeof(Crm.Core.Lifecycle.LifecycleModel), typeof(Crm.Core.Segmentation.RuleNode));

    /// <summary>Every string value (not key) in a JSON document.</summary>
    public static List<string> StringValues(JsonNode? node)
    {
        var values = new List<string>();
        Collect(node, values);
        return values;
    }

    public static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crm.Core.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }
        throw new InvalidOperationException("Crm.Core.sln not found above " + AppContext.BaseDirectory);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    public void Dispose() => Services.Dispose();

    private static void Collect(JsonNode? node, List<string> values)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Collect(child, values);
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, values);
                }
                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                values.Add(s);
                break;
        }
    }
}
