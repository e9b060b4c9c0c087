using Crm.Core.EntityFrameworkCore.Conversions;
using Crm.Core.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Mappings;

/// <summary>
/// <c>purchases</c>: one row per transaction, keyed (customer_id, transaction_id) so that the table distributes by
/// customer; the lines travel with their purchase as one JSON document (they are never queried on their own).
/// </summary>
internal sealed class PurchaseMapping : IEntityTypeConfiguration<Purchase>
{
    public void Configure(EntityTypeBuilder<Purchase> builder)
    {
        builder.ToTable("purchases");
        builder.HasKey(p => new { p.CustomerId, p.Id });
        builder.Property(p => p.Id).HasColumnName("transaction_id");
        builder.Property(p => p.CustomerId);
        builder.Property(p => p.OccurredAt);
        builder.Property(p => p.Channel);
        builder.Property(p => p.OriginalTransactionId);
        builder.ComplexProperty(p => p.Total, m => m.MapMoney());
        builder.Property<PurchaseLine[]>("_lines")
            .HasColumnName("lines")
            .HasConversion(new JsonColumnConverter<PurchaseLine[], PurchaseLineDocument[]>(PurchaseLineDocument.From, PurchaseLineDocument.To),
                new JsonColumnComparer<PurchaseLine[]>(PurchaseLineDocument.Serialise, PurchaseLineDocument.Deserialise));
        builder.Ignore(p => p.TransactionId);
        builder.Ignore(p => p.Lines);
        builder.Ignore(p => p.IsRefund);
        builder.MapAggregateRoot<Purchase, TransactionId>();

        // Lookups by transaction id alone (GetByIdAsync, idempotent ingestion) and the RFM/lifecycle scans by time.
        builder.HasIndex(p => p.Id).IsUnique();
        builder.HasIndex(p => new { p.CustomerId, p.OccurredAt });
    }
}

/// <summary>The stored shape of one purchase line (version 1 of the <c>lines</c> document).</summary>
internal sealed record PurchaseLineDocument(string Sku, string? Category, decimal Quantity, decimal UnitPrice, string Currency, decimal Amount, PurchaseLineKind Kind)
{
    public static PurchaseLineDocument[] From(PurchaseLine[] lines) =>
        Array.ConvertAll(lines, l => new PurchaseLineDocument(l.Sku.Value, l.Category, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency.Code, l.Amount.Amount, l.Kind));

    public static PurchaseLine[] To(PurchaseLineDocument[] documents) =>
        Array.ConvertAll(documents, d =>
        {
            var currency = new Currency(d.Currency);
            return new PurchaseLine(new Sku(d.Sku), d.Quantity, new Money(d.UnitPrice, currency), d.Category, new Money(d.Amount, currency), d.Kind);
        });

    public static string Serialise(PurchaseLine[] lines) => System.Text.Json.JsonSerializer.Serialize(From(lines), JsonColumn.Options);

    public static PurchaseLine[] Deserialise(string json) => To(System.Text.Json.JsonSerializer.Deserialize<PurchaseLineDocument[]>(json, JsonColumn.Options)!);
}
