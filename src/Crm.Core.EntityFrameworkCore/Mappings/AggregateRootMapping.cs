using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Mappings;

/// <summary>The columns every aggregate table has: its version (the optimistic-concurrency token) and its tenant.</summary>
internal static class AggregateRootMapping
{
    public static EntityTypeBuilder<T> MapAggregateRoot<T, TId>(this EntityTypeBuilder<T> builder)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        // The unit of work sets the original and new version itself: UPDATE ... WHERE version = @loaded.
        builder.Property(a => a.Version).HasColumnName("version").IsConcurrencyToken();
        // The tenant is checked like the version: UPDATE/DELETE ... WHERE tenant_id = @current, so that with tenancy on a
        // write can never reach another tenant's row, even with an id that exists there.
        builder.Property(a => a.TenantId).HasColumnName("tenant_id").IsConcurrencyToken();
        builder.Ignore(a => a.DomainEvents);
        builder.HasIndex(a => a.TenantId);
        return builder;
    }

    /// <summary>Maps a <see cref="Money"/> member as two columns, <c>{name}_amount</c> and <c>{name}_currency</c>.</summary>
    public static ComplexPropertyBuilder<Money> MapMoney(this ComplexPropertyBuilder<Money> money)
    {
        // Money's members are get-only; mapping them explicitly lets EF bind them to its constructor (amount, currency).
        money.Property(m => m.Amount);
        money.Property(m => m.Currency);
        return money;
    }
}
