using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Mappings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using System.Runtime.CompilerServices;

namespace Crm.Core.EntityFrameworkCore.Snapshots;

/// <summary>
/// Maps an aggregate as a "state document" table: key and concurrency columns, a <c>state</c> JSON column holding
/// the complete aggregate (<see cref="StateDocument"/>), and query columns copied from chosen members so that
/// specifications over them run in the database. Conditions over members without a column fail loudly.
/// </summary>
internal static class SnapshotMapping
{
    public const string StateProperty = "CrmStateDocument"; // a name no aggregate field matches (EF would bind it)
    public const string CustomerProperty = "CrmCustomerKey"; // shadow; not "CustomerId", which aggregates expose as a computed member
    // Kept beside the model rather than as model annotations: the migrations' snapshot generator would try to write
    // the delegates out as code. Mappings are per CLR type, so a static table keyed by type is exact.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (string Property, Func<object, object?> ValueOf)[]> Derived = new();

    /// <summary>
    /// Maps <typeparamref name="T"/> as a state-document table keyed (customer_id, id) when <paramref name="customerOf"/>
    /// is given (customer-owned aggregates whose id is not the customer id), else by id.
    /// </summary>
    public static EntityTypeBuilder<T> MapSnapshot<T, TId>(this EntityTypeBuilder<T> builder, string table, string[] queryColumns, Func<T, CustomerId>? customerOf = null)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        builder.ToTable(table);
        // Everything else lives in the document: EF must not discover the aggregate's collections as relationships.
        var keep = new HashSet<string>(queryColumns, StringComparer.Ordinal) { "Id", "Version", "TenantId" };
        foreach (var property in typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (!keep.Contains(property.Name))
            {
                builder.Ignore(property.Name);
            }
        }
        builder.Property(a => a.Id).HasColumnName("id");
        if (customerOf is not null)
        {
            builder.DerivedColumn(CustomerProperty, "customer_id", customerOf);
            builder.HasKey(CustomerProperty, nameof(AggregateRoot<TId>.Id));
            builder.HasIndex(a => a.Id).IsUnique();
        }
        else
        {
            builder.HasKey(a => a.Id);
        }
        builder.Property<string>(StateProperty).HasColumnName("state").IsRequired();
        // No constructor runs: the instance is created empty and SnapshotMaterializer restores it from the document.
        // EF Core has no public API for a constructor-less binding; the internal setter is stable since EF Core 6.
#pragma warning disable EF1001
        ((Microsoft.EntityFrameworkCore.Metadata.Internal.TypeBase)builder.Metadata).ConstructorBinding = new FactoryMethodBinding(
            typeof(Uninitialized<T>).GetMethod(nameof(Uninitialized<T>.Create))!, Array.Empty<ParameterBinding>(), typeof(T));
#pragma warning restore EF1001
        builder.MapAggregateRoot<T, TId>();
        return builder;
    }

    /// <summary>
    /// A shadow column computed from the aggregate on every save (e.g. the customer id inside a composite id), so that
    /// keys and queries can use it; <see cref="Storage.QueryRewriter"/> maps the domain member to it in queries.
    /// </summary>
    public static EntityTypeBuilder<T> DerivedColumn<T, TValue>(this EntityTypeBuilder<T> builder, string property, string column, Func<T, TValue> valueOf)
        where T : class
    {
        builder.Property<TValue>(property).HasColumnName(column);
        Derived.AddOrUpdate(typeof(T),
            _ => [(property, a => valueOf((T)a))],
            (_, existing) => existing.Any(d => d.Property == property) ? existing : [.. existing, (property, a => valueOf((T)a))]);
        return builder;
    }

    /// <summary>Whether <paramref name="type"/> is stored as a state document.</summary>
    public static bool IsSnapshot(IReadOnlyTypeBase type) => type.FindProperty(StateProperty) is not null;

    /// <summary>Before a save, while the entry is still detached: writes the state document.</summary>
    public static void WriteState(EntityEntry entry)
    {
        if (IsSnapshot(entry.Metadata))
        {
            entry.Property(StateProperty).CurrentValue = StateDocument.Write(entry.Entity);
        }
    }

    /// <summary>Before a save, while the entry is still detached: the derived columns (keys among them).</summary>
    public static void WriteKey(EntityEntry entry)
    {
        if (Derived.TryGetValue(entry.Metadata.ClrType, out var derived))
        {
            foreach (var (property, valueOf) in derived)
            {
                entry.Property(property).CurrentValue = valueOf(entry.Entity);
            }
        }
    }
}

/// <summary>Creates an instance without running a constructor (its state comes from the document).</summary>
internal static class Uninitialized<T>
{
    public static object Create() => RuntimeHelpers.GetUninitializedObject(typeof(T));
}

/// <summary>
/// Creates state-document aggregates without running a constructor and then restores their full state from the
/// <c>state</c> column; the column values EF set (id, version, tenant) stay as loaded.
/// </summary>
internal sealed class SnapshotMaterializer : IMaterializationInterceptor
{
    public static readonly SnapshotMaterializer Instance = new();

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        if (SnapshotMapping.IsSnapshot(materializationData.EntityType))
        {
            StateDocument.Restore(entity, materializationData.GetPropertyValue<string>(SnapshotMapping.StateProperty));
        }
        return entity;
    }
}
