using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// Stores a value object collection that is always read and written with its aggregate (purchase lines, ledger
/// entries) as one JSON column of our own, versioned shape. Reading goes back through the domain constructors, so
/// a stored document can never bypass the domain's validation, and replacing the whole document on update means no
/// orphaned child rows can ever be left behind.
/// </summary>
/// <typeparam name="TModel">The CLR type of the field (usually an array or list of records).</typeparam>
/// <typeparam name="TDocument">The serialisable document shape.</typeparam>
internal sealed class JsonColumnConverter<TModel, TDocument> : ValueConverter<TModel, string>
{
    public JsonColumnConverter(Func<TModel, TDocument> toDocument, Func<TDocument, TModel> fromDocument)
        : base(
            model => JsonSerializer.Serialize(toDocument(model), JsonColumn.Options),
            json => fromDocument(JsonSerializer.Deserialize<TDocument>(json, JsonColumn.Options)!))
    {
    }
}

/// <summary>Compares JSON-mapped collections by their serialised content, so EF sees in-place changes.</summary>
internal sealed class JsonColumnComparer<TModel> : ValueComparer<TModel>
{
    public JsonColumnComparer(Func<TModel, string> serialise, Func<string, TModel> deserialise)
        : base(
            (a, b) => ReferenceEquals(a, b) || (a != null && b != null && serialise(a) == serialise(b)),
            v => v == null ? 0 : serialise(v).GetHashCode(StringComparison.Ordinal),
            v => deserialise(serialise(v)))
    {
    }
}

internal static class JsonColumn
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Text is stored as written (é, 日本) rather than \u-escaped, which keeps documents readable in the database.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
