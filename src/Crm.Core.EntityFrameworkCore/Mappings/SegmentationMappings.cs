using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Conversions;
using Crm.Core.EntityFrameworkCore.Snapshots;
using Crm.Core.Segmentation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Mappings;

/// <summary>
/// <c>customer_profiles</c>: the segmentation read model, one row per customer with a column per profile field, so
/// that segment rules (<see cref="Criterion{T}.Expression"/>) run as SQL. Attributes, purchase statistics, holdings
/// and consent periods are child tables keyed (customer_id, id); tags and consents are primitive collections (JSON on SQLite, arrays on
/// PostgreSQL). Fields contributed by other capabilities (partial <see cref="CustomerProfile"/>) map by convention.
/// </summary>
internal sealed class CustomerProfileMapping : IEntityTypeConfiguration<CustomerProfile>
{
    public void Configure(EntityTypeBuilder<CustomerProfile> builder)
    {
        builder.ToTable("customer_profiles");
        builder.HasKey(p => p.CustomerId);
        // The tenant is the store's business, not the profile's: a shadow column the profile store writes (tenancy on)
        // and the tenant query filter reads.
        builder.Property<Crm.Core.Tenancy.TenantId?>(CrmDbContext.TenantProperty).HasColumnName("tenant_id");
        builder.HasIndex(CrmDbContext.TenantProperty);
        // Anniversary rules compare month-day numbers; RFM and recency rules are the usual first filters.
        builder.HasIndex(p => p.BirthMonthDay);
        builder.HasIndex(p => p.RegistrationMonthDay);
        builder.HasIndex(p => p.RfmSegment);
        builder.HasIndex(p => p.LastPurchaseDate);
        builder.OwnsMany(p => p.Attributes, a =>
        {
            ChildTable(a, "customer_profile_attributes");
            a.Property(x => x.Name).HasMaxLength(CrmDbContext.IdentifierMaxLength);
            a.HasIndex(x => x.Name);
        });
        builder.OwnsMany(p => p.PurchaseStats, s =>
        {
            ChildTable(s, "customer_profile_purchase_stats");
            s.HasIndex(x => new { x.Dimension, x.Key });
        });
        builder.OwnsMany(p => p.PurchaseDays, d =>
        {
            ChildTable(d, "customer_profile_purchase_days");
            d.HasIndex(x => new { x.Dimension, x.Key, x.Date });
        });
        builder.OwnsMany(p => p.Holdings, h => ChildTable(h, "customer_profile_holdings"));
        // Consent periods: marketing segments test them at the evaluation instant with an EXISTS on (customer_id, ...).
        builder.OwnsMany(p => p.ConsentPeriods, c =>
        {
            ChildTable(c, "customer_profile_consents");
            c.Property(x => x.Purpose).HasMaxLength(64);
            c.Property(x => x.Channel).HasMaxLength(64);
        });
    }

    // Child rows: the customer id leads the key (the schema distributes by customer). The second part is a number
    // generated on the client in list order (SQLite cannot auto-increment one column of a composite key), and EF Core
    // reads owned rows ordered by key, so the lists come back in the order they were saved.
    private static void ChildTable<T>(OwnedNavigationBuilder<CustomerProfile, T> owned, string table)
        where T : class
    {
        owned.ToTable(table);
        owned.WithOwner().HasForeignKey("CustomerId");
        owned.Property<CustomerId>("CustomerId").HasColumnName("customer_id");
        owned.Property<long>("Id").HasColumnName("id").ValueGeneratedOnAdd().HasValueGenerator<AscendingNumbers>();
        owned.HasKey("CustomerId", "Id");
    }

    /// <summary>
    /// Ever-increasing numbers for child rows. An upsert deletes a customer's rows and inserts the new ones in one
    /// transaction, so numbers only need to increase within one upsert; a restart beginning again at 1 is harmless.
    /// </summary>
    private sealed class AscendingNumbers : Microsoft.EntityFrameworkCore.ValueGeneration.ValueGenerator<long>
    {
        private static long _last;

        public override bool GeneratesTemporaryValues => false;

        public override long Next(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) => Interlocked.Increment(ref _last);
    }
}

/// <summary><c>segments</c>: keyed by segment id; the definition (rule tree, overrides) lives in the state document.</summary>
internal sealed class SegmentMapping : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> builder)
    {
        builder.MapSnapshot<Segment, SegmentId>("segments", [nameof(Segment.Name), nameof(Segment.Kind), nameof(Segment.LastRefreshedAt)]);
        builder.Property(s => s.Id).HasColumnName("segment_id");
        builder.Property(s => s.Name).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(s => s.Kind);
        builder.Property(s => s.LastRefreshedAt);
    }
}

/// <summary>
/// <c>segment_members</c>: one row per (customer, segment) membership, keyed (customer_id, id) with a segment_id column
/// indexed for "members of a segment"; refreshes insert and delete exactly the difference.
/// </summary>
internal sealed class SegmentMemberMapping : IEntityTypeConfiguration<SegmentMember>
{
    public const string SegmentProperty = "CrmSegmentKey";

    public void Configure(EntityTypeBuilder<SegmentMember> builder)
    {
        builder.MapSnapshot<SegmentMember, SegmentMemberId>("segment_members", [nameof(SegmentMember.Since)], m => m.CustomerId);
        builder.Property(m => m.Id).HasConversion<SegmentMemberIdConverter>().HasMaxLength(2 * CrmDbContext.IdentifierMaxLength + 1);
        builder.DerivedColumn(SegmentProperty, "segment_id", m => m.SegmentId);
        builder.Property<SegmentId>(SegmentProperty).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(m => m.Since);
        builder.HasIndex(SegmentProperty);
    }
}
