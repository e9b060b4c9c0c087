using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Conversions;
using Crm.Core.EntityFrameworkCore.Snapshots;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Mappings;

// Aggregates with rich internal state are stored as state documents (see SnapshotMapping) plus query columns.
// A query column is a plain copy of a member; add one here when a specification needs to filter or order on it.

/// <summary><c>customers</c>: keyed by customer id; query columns for dates and ownership.</summary>
internal sealed class CustomerMapping : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.MapSnapshot<Customer, CustomerId>("customers", [nameof(Customer.CreatedAt), nameof(Customer.UpdatedAt), nameof(Customer.BirthDate), nameof(Customer.OwnerId), nameof(Customer.TeamId)]);
        builder.Property(c => c.Id).HasColumnName("customer_id");
        builder.Property(c => c.CreatedAt);
        builder.Property(c => c.UpdatedAt);
        builder.Property(c => c.BirthDate);
        builder.Property(c => c.OwnerId).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(c => c.TeamId).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.HasIndex(c => c.UpdatedAt);
    }
}

/// <summary>
/// <c>interactions</c>: keyed (customer_id, id); the timeline query runs on (customer_id, occurred_at); channel, direction
/// and type are columns so that specifications can filter on them.
/// </summary>
internal sealed class InteractionMapping : IEntityTypeConfiguration<Interaction>
{
    public void Configure(EntityTypeBuilder<Interaction> builder)
    {
        builder.MapSnapshot<Interaction, InteractionId>("interactions", [nameof(Interaction.CustomerId), nameof(Interaction.Channel), nameof(Interaction.Direction), nameof(Interaction.Type), nameof(Interaction.OccurredAt)]);
        builder.HasKey(i => new { i.CustomerId, i.Id });
        builder.HasIndex(i => i.Id).IsUnique();
        builder.Property(i => i.CustomerId);
        builder.Property(i => i.Channel);
        builder.Property(i => i.Direction);
        builder.Property(i => i.Type).HasConversion<InteractionTypeConverter>().HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(i => i.OccurredAt);
        builder.HasIndex(i => new { i.CustomerId, i.OccurredAt });
    }
}

/// <summary><c>customer_lifecycles</c>: keyed by customer id; query columns for stage ranks and engagement.</summary>
internal sealed class CustomerLifecycleMapping : IEntityTypeConfiguration<CustomerLifecycle>
{
    public void Configure(EntityTypeBuilder<CustomerLifecycle> builder)
    {
        builder.MapSnapshot<CustomerLifecycle, CustomerId>("customer_lifecycles", [nameof(CustomerLifecycle.CurrentRank), nameof(CustomerLifecycle.HighestRank), nameof(CustomerLifecycle.EngagementStatus), nameof(CustomerLifecycle.EvaluatedOn)]);
        builder.Property(l => l.Id).HasColumnName("customer_id");
        builder.Property(l => l.CurrentRank);
        builder.Property(l => l.HighestRank);
        builder.Property(l => l.EngagementStatus);
        builder.Property(l => l.EvaluatedOn);
    }
}

/// <summary><c>loyalty_accounts</c>: keyed (customer_id, id); the whole ledger lives in the state document.</summary>
internal sealed class LoyaltyAccountMapping : IEntityTypeConfiguration<LoyaltyAccount>
{
    public void Configure(EntityTypeBuilder<LoyaltyAccount> builder)
    {
        builder.MapSnapshot<LoyaltyAccount, LoyaltyAccountId>("loyalty_accounts", [nameof(LoyaltyAccount.OpenedAt)], a => a.CustomerId);
        builder.Property(a => a.Id).HasConversion<LoyaltyAccountIdConverter>().HasMaxLength(2 * CrmDbContext.IdentifierMaxLength + 1);
        builder.Property(a => a.OpenedAt);
    }
}
