using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Privacy;

public class CustomerExportTest
{

    [Fact]
    public async Task Export_and_published_schema_agree_both_ways()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann, PrivacyTestHost.Bob);
        await TransferPointsAsync(host, PrivacyTestHost.Bob.CustomerId, PrivacyTestHost.Ann.CustomerId);
        var merged = PrivacyTestHost.Bob with { CustomerId = new CustomerId("C-merged"), Marker = "wwwwwwwwwwww", PhoneSuffix = 9, WithLoyalty = false, Organisation = false };
        await host.SaveAsync(merged);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Crm.Core.Duplicates.CustomerMergeService>().MergeAsync(PrivacyTestHost.Ann.CustomerId, merged.CustomerId);
        }
        await host.EraseAsync(PrivacyTestHost.Bob.CustomerId); // an erased customer has an erasure record to export
        var schema = JsonNode.Parse(File.ReadAllText(PrivacyTestHost.RepositoryFile("docs", "schemas", "customer-export.v1.schema.json")))!.AsObject();

        var checker = new SchemaChecker(schema);
        var validator = await NJsonSchema.JsonSchema.FromJsonAsync(schema.ToJsonString());
        foreach (var id in new[] { PrivacyTestHost.Ann.CustomerId, PrivacyTestHost.Bob.CustomerId, new CustomerId("nobody"), new CustomerId("C-merged") })
        {
            var export = await host.ExportAsync(id);
            checker.Check(export);
            // An independent JSON Schema validator agrees (the schema is valid draft-07 and the export satisfies it).
            Assert.Empty(validator.Validate(export.ToJsonString()).Select(e => e.ToString()));
        }
        var tampered = await host.ExportAsync(PrivacyTestHost.Ann.CustomerId);
        tampered["customer"]!["kind"] = 5;
        tampered["undocumented"] = "x";
        Assert.True(validator.Validate(tampered.ToJsonString()).Count >= 2); // a wrong type and an undocumented property: both checks can fail
        var tamperedCheck = new SchemaChecker(schema);
        tamperedCheck.Check(tampered);
        Assert.Equal(2, tamperedCheck.Problems.Count);

        Assert.Empty(checker.Problems);
        // Vice versa: every property the schema documents was written by one of the exports.
        var unseen = checker.SchemaPaths.Except(checker.SeenPaths).Order().ToList();
        Assert.True(unseen.Count == 0, "documented but never exported: " + string.Join(", ", unseen));
    }

    [Fact]
    public async Task Export_has_version_id_and_instant_and_says_nothing_in_ToString()
    {
        await using var host = new PrivacyTestHost();
        await host.SaveAsync(PrivacyTestHost.Ann);
        await using var scope = host.Services.CreateAsyncScope();
        var export = await scope.ServiceProvider.GetRequiredService<PrivacyService>().ExportAsync(PrivacyTestHost.Ann.CustomerId);

        using var document = export.ToJsonDocument();
        Assert.Equal(CustomerDataExport.CurrentSchemaVersion, document.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("C-ann", document.RootElement.GetProperty("customerId").GetString());
        Assert.Equal("2026-11-23T18:00:00Z", document.RootElement.GetProperty("exportedAt").GetString());
        Assert.DoesNotContain(PrivacyTestHost.Ann.Marker, export.ToString(), StringComparison.OrdinalIgnoreCase);
        using var stream = new MemoryStream();
        await export.WriteToAsync(stream, indented: true);
        Assert.Equal(JsonNode.Parse(export.ToJson())!.ToJsonString(), JsonNode.Parse(stream.ToArray())!.ToJsonString());
    }

    [Fact]
    public async Task Export_of_an_unknown_id_has_no_customer_and_empty_lists()
    {
        await using var host = new PrivacyTestHost();
        var export = await host.ExportAsync(new CustomerId("nobody"));
        Assert.Null(export["customer"]);
        Assert.Empty(export["interactions"]!.AsArray());
        Assert.Empty(export["purchases"]!.AsArray());
        Assert.Null(export["erasure"]);
    }

    // Art. 15: every fact stored about the customer, in any aggregate or the profile store, appears in the export.
    [Property(MaxTest = 25)]
    public Property Every_text_stored_about_the_customer_appears_in_the_export() =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), PersonalDataScenario.Gen(1).ToArbitrary(), (scenario, other) =>
        {
            using var host = new PrivacyTestHost();
            host.SaveAsync(scenario, other).GetAwaiter().GetResult();
            var export = host.ExportAsync(scenario.CustomerId).GetAwaiter().GetResult();
            var exported = PrivacyTestHost.StringValues(export);

            var stored = StoredAbout(host, scenario.CustomerId).GetAwaiter().GetResult();
            var missing = stored.Where(s => !exported.Exists(e => e.Contains(s, StringComparison.Ordinal))).ToList();
            var others = PrivacyTestHost.StringValues(export).Where(v => v.Contains(other.Marker, StringComparison.OrdinalIgnoreCase)).ToList();
            return (missing.Count == 0).Label("not exported: " + string.Join(" | ", missing))
                .And((others.Count == 0).Label("another customer's data exported: " + string.Join(" | ", others)))
                .And(scenario.Needles.All(n => exported.Exists(e => e.Contains(n, StringComparison.OrdinalIgnoreCase))).Label("a personal value is missing"));
        });

    [Property(MaxTest = 15)]
    public Property A_survivors_export_holds_every_text_its_merged_records_keep(bool exportByMergedId) =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), PersonalDataScenario.Gen(1).ToArbitrary(), (survivor, other) =>
        {
            var merged = other with { Organisation = survivor.Organisation }; // only customers of one kind merge
            using var host = new PrivacyTestHost();
            host.SaveAsync(survivor, merged).GetAwaiter().GetResult();
            using (var scope = host.Services.CreateScope())
            {
                scope.ServiceProvider.GetRequiredService<Crm.Core.Duplicates.CustomerMergeService>()
                    .MergeAsync(survivor.CustomerId, merged.CustomerId).GetAwaiter().GetResult();
            }
            // Asked for by the merged id, the export covers the same person: the survivor and its merged records.
            var requested = exportByMergedId ? merged.CustomerId : survivor.CustomerId;
            var export = host.ExportAsync(requested).GetAwaiter().GetResult();
            var exported = PrivacyTestHost.StringValues(export);

            // What stays under the merged id (the tombstone, its drained accounts, its lifecycle) is held about the person too.
            var kept = StoredAbout(host, merged.CustomerId).GetAwaiter().GetResult();
            var missing = kept.Where(s => !exported.Exists(e => e.Contains(s, StringComparison.Ordinal))).ToList();
            var record = export["mergedRecords"]!.AsArray().Single()!;
            return (missing.Count == 0).Label("kept under the merged id but not exported: " + string.Join(" | ", missing))
                .And((record["customerId"]!.GetValue<string>() == merged.CustomerId.Value).Label("the merged record is exported under its own id"))
                .And((record["customer"]!["mergedInto"]!.GetValue<string>() == survivor.CustomerId.Value).Label("the merged record says where it went"))
                .And((export["customerId"]!.GetValue<string>() == survivor.CustomerId.Value).Label("the survivor is exported"))
                .And((export["requestedCustomerId"]!.GetValue<string>() == requested.Value).Label("the requested id is kept"))
                .And(survivor.Needles.All(n => exported.Exists(e => e.Contains(n, StringComparison.OrdinalIgnoreCase))).Label("a survivor's value is missing"));
        });

    private static async Task TransferPointsAsync(PrivacyTestHost host, CustomerId from, CustomerId to)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IRepository<LoyaltyAccount, LoyaltyAccountId>>();
        var source = (await accounts.GetByIdAsync(new LoyaltyAccountId(PersonalDataScenario.Programme.Id, from)))!;
        var target = (await accounts.GetByIdAsync(new LoyaltyAccountId(PersonalDataScenario.Programme.Id, to)))!;
        LoyaltyAccount.Transfer(PersonalDataScenario.Programme, source, target, 3, "gift-1", PersonalDataScenario.At + NodaTime.Duration.FromDays(8));
        await accounts.UpdateAsync(source);
        await accounts.UpdateAsync(target);
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();
    }

    /// <summary>The texts held about one customer, through every aggregate's private fields (definitions shared by everyone skipped).</summary>
    private static async Task<IReadOnlySet<string>> StoredAbout(PrivacyTestHost host, CustomerId id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var roots = new List<object?>
        {
            await sp.GetRequiredService<IReadRepository<Customer, CustomerId>>().GetByIdAsync(id),
            await sp.GetRequiredService<IReadRepository<CustomerLifecycle, CustomerId>>().GetByIdAsync(id),
            await sp.GetRequiredService<ICustomerProfileStore>().FindAsync(id),
            await sp.GetRequiredService<IReadRepository<ErasureRecord, CustomerId>>().GetByIdAsync(id),
        };
        roots.AddRange(await sp.GetRequiredService<IReadRepository<Interaction, InteractionId>>().ListAsync(Specification.Create<Interaction>(q => q.Where(i => i.CustomerId == id))));
        roots.AddRange(await sp.GetRequiredService<IReadRepository<Purchase, TransactionId>>().ListAsync(Specification.Create<Purchase>(q => q.Where(p => p.CustomerId == id))));
        roots.AddRange(await sp.GetRequiredService<IReadRepository<LoyaltyAccount, LoyaltyAccountId>>().ListAsync(Specification.Create<LoyaltyAccount>(q => q.Where(a => a.Id.CustomerId == id))));
        return ReachableText.Of(roots.Where(r => r is not null).ToArray(), typeof(LifecycleModel));
    }

    /// <summary>Checks documents against the subset of JSON Schema the export schema uses, and records which schema properties were seen.</summary>
    private sealed class SchemaChecker(JsonObject root)
    {
        public List<string> Problems { get; } = [];

        public HashSet<string> SeenPaths { get; } = [];

        public HashSet<string> SchemaPaths { get; } = CollectPaths(root, root, "$");

        public void Check(JsonNode document) => Check(root, document, "$");

        private void Check(JsonObject schema, JsonNode? value, string path)
        {
            // Paths below a shared definition are named after it, so a definition used in several places (the merged
            // records reuse the customer, loyalty account and lifecycle) counts as exported when any place exports it.
            if (schema["$ref"] is JsonValue reference)
            {
                Check(Definition(root, reference), value, reference.GetValue<string>());
                return;
            }
            if (schema["oneOf"] is JsonArray && value is not null)
            {
                Check(NonNull(schema), value, path); // the schema's only use of oneOf: null, or a reference
                return;
            }
            schema = Resolve(root, schema, value);
            var types = Types(schema);
            var kind = value switch
            {
                null => "null",
                JsonObject => "object",
                JsonArray => "array",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
                _ => "unknown",
            };
            if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
            {
                Problems.Add($"{path}: {kind} where the schema says {string.Join("|", types)}");
                return;
            }
            if (schema["enum"] is JsonArray allowed && value is JsonValue && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            {
                Problems.Add($"{path}: {value} is not one of {allowed.ToJsonString()}");
            }
            if (value is JsonObject obj)
            {
                var properties = schema["properties"] as JsonObject;
                foreach (var (name, child) in obj)
                {
                    var childPath = path + "." + (properties is null ? "*" : name);
                    if (properties?[name] is JsonObject childSchema)
                    {
                        SeenPaths.Add(childPath);
                        Check(childSchema, child, childPath);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Check(additional, child, childPath);
                    }
                    else
                    {
                        Problems.Add($"{childPath}: exported but not in the schema");
                    }
                }
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
                {
                    if (!obj.ContainsKey(required))
                    {
                        Problems.Add($"{path}.{required}: required by the schema but not exported");
                    }
                }
            }
            else if (value is JsonArray array && schema["items"] is JsonObject items)
            {
                foreach (var item in array)
                {
                    Check(items, item, path + "[]");
                }
            }
        }

        private static bool IsInteger(JsonValue value)
        {
            var number = decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
            return decimal.Truncate(number) == number;
        }

        private static JsonObject Resolve(JsonObject root, JsonObject schema, JsonNode? value)
        {
            if (schema["$ref"] is JsonValue reference)
            {
                return Resolve(root, Definition(root, reference), value);
            }
            if (schema["oneOf"] is JsonArray choices)
            {
                // The schema's only use of oneOf: null, or a reference.
                var nonNull = choices.Select(c => c!.AsObject()).First(c => c["type"]?.GetValue<string>() != "null");
                return value is null ? new JsonObject { ["type"] = "null" } : Resolve(root, nonNull, value);
            }
            return schema;
        }

        private static JsonObject NonNull(JsonObject schema) =>
            schema["oneOf"]!.AsArray().Select(c => c!.AsObject()).First(c => c["type"]?.GetValue<string>() != "null");

        private static JsonObject Definition(JsonObject root, JsonValue reference) =>
            root["definitions"]![reference.GetValue<string>()["#/definitions/".Length..]]!.AsObject();

        private static HashSet<string> Types(JsonObject schema) => schema["type"] switch
        {
            JsonArray a => a.Select(t => t!.GetValue<string>()).ToHashSet(),
            JsonValue v => [v.GetValue<string>()],
            _ => [],
        };

        private static HashSet<string> CollectPaths(JsonObject root, JsonObject schema, string path)
        {
            var paths = new HashSet<string>();
            if (schema["$ref"] is JsonValue reference)
            {
                return CollectPaths(root, Definition(root, reference), reference.GetValue<string>());
            }
            if (schema["oneOf"] is JsonArray choices)
            {
                foreach (var choice in choices)
                {
                    paths.UnionWith(CollectPaths(root, choice!.AsObject(), path));
                }
            }
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (name, child) in properties)
                {
                    paths.Add(path + "." + name);
                    paths.UnionWith(CollectPaths(root, child!.AsObject(), path + "." + name));
                }
            }
            if (schema["items"] is JsonObject items)
            {
                paths.UnionWith(CollectPaths(root, items, path + "[]"));
            }
            return paths;
        }
    }
}
