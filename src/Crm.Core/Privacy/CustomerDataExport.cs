using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Privacy;

/// <summary>
/// Everything held about one customer as one machine-readable JSON document (GDPR art. 15 access, art. 20
/// portability), in the shape of <c>docs/schemas/customer-export.v1.schema.json</c>. Created by
/// <see cref="PrivacyService.ExportAsync"/>.
/// </summary>
/// <remarks>
/// The document contains personal data: hand it to the data subject over a protected channel and do not log it.
/// <see cref="ToString"/> shows the customer id and instant only. Immutable once created; thread-safe.
/// </remarks>
public sealed class CustomerDataExport
{
    /// <summary>The schema version this library writes (<c>schemaVersion</c> in the document).</summary>
    public const int CurrentSchemaVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly JsonObject _document;

    internal CustomerDataExport(CustomerId customerId, CustomerId requestedCustomerId, Instant exportedAt, JsonObject document)
    {
        CustomerId = customerId;
        RequestedCustomerId = requestedCustomerId;
        ExportedAt = exportedAt;
        _document = document;
    }

    /// <summary>The customer exported: the requested id, or the survivor that a merged record's id redirects to.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>The id the export was requested for (differs from <see cref="CustomerId"/> when that record was merged).</summary>
    public CustomerId RequestedCustomerId { get; }

    /// <summary>When the export was taken.</summary>
    public Instant ExportedAt { get; }

    /// <summary>The schema version of the document.</summary>
    public int SchemaVersion => CurrentSchemaVersion;

    /// <summary>The document as JSON text (UTF-16 string).</summary>
    /// <param name="indented">Whether to indent it for people to read.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = false) => indented ? _document.ToJsonString(Indented) : _document.ToJsonString();

    /// <summary>The document as a read-only <see cref="JsonDocument"/>; dispose it when done.</summary>
    /// <returns>A new parsed document.</returns>
    public JsonDocument ToJsonDocument() => JsonDocument.Parse(ToJson());

    /// <summary>Writes the document as UTF-8 JSON to <paramref name="stream"/> (which stays open).</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="indented">Whether to indent it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public async Task WriteToAsync(Stream stream, bool indented = false, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(stream);
        var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented });
        await using (writer.ConfigureAwait(false))
        {
            _document.WriteTo(writer);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The customer id and instant; never the content.</summary>
    public override string ToString() => $"Data export of customer {CustomerId} at {ExportedAt}";
}

/// <summary>The outcome of <see cref="PrivacyService.EraseAsync"/>.</summary>
/// <param name="Record">The erasure record (the first one, when the customer had already been erased).</param>
/// <param name="AlreadyErased">Whether the customer had been erased before; the call then only re-checked every store.</param>
public sealed record ErasureResult(ErasureRecord Record, bool AlreadyErased);
