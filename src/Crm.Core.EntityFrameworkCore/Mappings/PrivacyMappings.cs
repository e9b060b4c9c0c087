using Crm.Core.EntityFrameworkCore.Snapshots;
using Crm.Core.Customers;
using Crm.Core.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Mappings;

/// <summary><c>erasure_records</c>: keyed by customer id; when, why and by whom (no erased data) in the state document, erased_at as a column.</summary>
internal sealed class ErasureRecordMapping : IEntityTypeConfiguration<ErasureRecord>
{
    public void Configure(EntityTypeBuilder<ErasureRecord> builder)
    {
        builder.MapSnapshot<ErasureRecord, CustomerId>("erasure_records", [nameof(ErasureRecord.ErasedAt)]);
        builder.Property(r => r.Id).HasColumnName("customer_id");
        builder.Property(r => r.ErasedAt);
    }
}

/// <summary><c>erased_external_ids</c>: keyed by the keyed hash of an erased external id, so an import's check is one primary-key seek.</summary>
internal sealed class ErasedExternalIdMapping : IEntityTypeConfiguration<ErasedExternalId>
{
    public void Configure(EntityTypeBuilder<ErasedExternalId> builder)
    {
        builder.MapSnapshot<ErasedExternalId, ErasedExternalIdKey>("erased_external_ids", [nameof(ErasedExternalId.SourceSystem), nameof(ErasedExternalId.ErasedAt)]);
        builder.Property(e => e.Id).HasMaxLength(64);
        builder.Property(e => e.SourceSystem).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(e => e.ErasedAt);
    }
}
