using System.Data.Common;
using Crm.Core.Storage;
using Crm.Core.Tenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Npgsql;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// The <see cref="IUnitOfWork"/> of the EF Core adapter: the scope's repositories register their changes here and
/// <see cref="CommitAsync"/> writes them with one <c>SaveChanges</c> (one database transaction).
/// </summary>
/// <remarks>
/// <para>
/// Reads never track, so the context only holds what a commit writes, and it is cleared after every commit.
/// Versions: an insert writes version 1; an update runs <c>UPDATE ... SET version = v + 1 WHERE id = ... AND version = v</c>
/// and a delete <c>DELETE ... WHERE version = v</c>, where v is the version the caller loaded. No row affected means
/// someone else saved first: <see cref="ConcurrencyConflictException"/>, and nothing of the commit is written.
/// </para>
/// <para>
/// Domain events are dispatched after the transaction committed. Registered per dependency-injection scope by
/// <c>UseEntityFrameworkCore</c>. Not thread-safe (one logical flow at a time).
/// </para>
/// <para>
/// When the context isolates tenants, every change is checked against the tenant current when it is registered: an
/// aggregate of another tenant is refused (<see cref="TenantMismatchException"/>), a new one gets the current tenant, and
/// updates and deletes also require <c>tenant_id = @current</c>, so a row of another tenant is never reached (it behaves
/// as deleted: <see cref="ConcurrencyConflictException"/>).
/// </para>
/// </remarks>
public sealed class EfUnitOfWork : IUnitOfWork
{
    private readonly IDomainEventDispatcher _dispatcher;
    private readonly List<Change> _changes = new();
    private readonly Dictionary<(Type Type, object Id), Change> _byKey = new();

    /// <summary>Creates a unit of work over <paramref name="context"/>.</summary>
    /// <param name="context">The scope's context.</param>
    /// <param name="dispatcher">Receives the domain events after each successful commit.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EfUnitOfWork(CrmDbContext context, IDomainEventDispatcher dispatcher)
    {
        Context = Preconditions.CheckNotNull(context);
        _dispatcher = Preconditions.CheckNotNull(dispatcher);
    }

    /// <summary>The context this unit of work commits through.</summary>
    public CrmDbContext Context { get; }

    /// <inheritdoc/>
    public bool HasChanges => _changes.Count > 0;

    /// <inheritdoc/>
    public async Task<int> CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_changes.Count == 0)
            {
                return 0;
            }
            foreach (var change in _changes)
            {
                change.Attach(Context);
            }
            try
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var translated = await TranslateAsync(ex).ConfigureAwait(false);
                foreach (var change in _changes)
                {
                    change.Restore(); // the caller's aggregates are left as they were
                }
                if (translated is not null)
                {
                    throw translated;
                }
                throw;
            }

            var events = new List<IDomainEvent>();
            foreach (var change in _changes)
            {
                change.Complete(events);
            }
            var count = _changes.Count;
            Clear(); // before dispatching: a dispatcher failure must not leave committed changes pending
            if (events.Count > 0)
            {
                await _dispatcher.DispatchAsync(events, cancellationToken).ConfigureAwait(false);
            }
            return count;
        }
        finally
        {
            Clear();
        }
    }

    /// <inheritdoc/>
    public void Discard() => Clear();

    internal void Register<T, TId>(ChangeKind kind, T aggregate)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        var key = (typeof(T), (object)aggregate.Id);
        var type = typeof(T).Name;
        var id = IdText(aggregate.Id);
        var tenant = Context.CurrentTenant;
        if (tenant is { } current)
        {
            TenantGuard.CheckWritable(aggregate, current);
        }
        if (_byKey.TryGetValue(key, out var pending))
        {
            switch (PendingChanges.Merge(kind, pending.Kind, type, id))
            {
                case PendingMerge.ReplaceAggregate:
                    Claim(aggregate, tenant);
                    pending.Replace(aggregate);
                    return;
                case PendingMerge.Drop:
                    _changes.Remove(pending);
                    _byKey.Remove(key);
                    return;
                case PendingMerge.BecomeReplace:
                    Claim(aggregate, tenant);
                    pending.BecomeReplace(aggregate);
                    return;
                default:
                    Claim(aggregate, tenant);
                    pending.Kind = ChangeKind.Remove;
                    pending.Replace(aggregate);
                    return;
            }
        }
        PendingChanges.CheckFirstRegistration(kind, aggregate.Version, type, id, nameof(aggregate));
        Claim(aggregate, tenant);
        var change = new Change<T, TId>(kind, aggregate, tenant);
        _changes.Add(change);
        _byKey.Add(key, change);
    }

    private static void Claim<TId>(AggregateRoot<TId> aggregate, TenantId? tenant)
        where TId : struct, IEquatable<TId>
    {
        if (tenant is { } current)
        {
            TenantGuard.Claim(aggregate, current);
        }
    }

    internal bool IsPendingAdd<T, TId>(TId id)
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId> =>
        _byKey.TryGetValue((typeof(T), id), out var pending) && pending.Kind is ChangeKind.Add or ChangeKind.Remove or ChangeKind.Replace;

    internal static string IdText<TId>(TId id)
        where TId : struct => id.ToString() ?? string.Empty;

    /// <summary>Maps a provider's failure to the library's exceptions (with what is stored now), or null to rethrow it.</summary>
    private async Task<Exception?> TranslateAsync(Exception ex)
    {
        if (ex is DbUpdateConcurrencyException concurrency)
        {
            var entry = concurrency.Entries.FirstOrDefault();
            var change = entry is null ? _changes.FirstOrDefault(c => c.Kind != ChangeKind.Add) : _changes.FirstOrDefault(c => ReferenceEquals(c.Aggregate, entry.Entity));
            if (change is not null)
            {
                long? actual = null;
                try
                {
                    var values = entry is null ? null : await entry.GetDatabaseValuesAsync(CancellationToken.None).ConfigureAwait(false);
                    // A row of another tenant is reported as deleted: its version is none of this tenant's business.
                    actual = values is null || (change.Tenant is { } tenant && values.GetValue<TenantId?>(CrmDbContext.TenantProperty) != tenant)
                        ? null
                        : values.GetValue<long>(VersionProperty);
                }
                catch (Exception lookup) when (lookup is DbException or InvalidOperationException)
                {
                    actual = null; // the conflict stands; only the detail of the message is lost
                }
                return new ConcurrencyConflictException(change.TypeName, change.IdText, change.LoadedVersion, actual, ex);
            }
        }
        else if (ex is DbUpdateException update && IsUniqueViolation(update))
        {
            var entry = update.Entries.FirstOrDefault(e => e.State == EntityState.Added);
            var change = (entry is null ? null : _changes.FirstOrDefault(c => ReferenceEquals(c.Aggregate, entry.Entity)))
                ?? _changes.FirstOrDefault(c => c.Kind == ChangeKind.Add);
            if (change is not null)
            {
                return new DuplicateAggregateException(change.TypeName, change.IdText);
            }
        }
        return null;
    }

    // Customers carry look-up keys (emails, phones, external ids) in a side table: rewrite the changed customers' keys
    // in the same transaction as the customers themselves, so a failed commit changes neither. The aggregates are saved
    // first: their version checks lock the customer rows, so a concurrent writer of the same customer fails there with a
    // ConcurrencyConflictException instead of colliding on the keys it would rewrite.
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        var stale = new List<Customers.CustomerId>();
        var fresh = new List<CustomerLookupKey>();
        foreach (var change in _changes)
        {
            if (change.Aggregate is Customers.Customer customer)
            {
                if (change.Kind != ChangeKind.Add)
                {
                    stale.Add(customer.Id);
                }
                if (change.Kind != ChangeKind.Remove)
                {
                    fresh.AddRange(CustomerLookupKey.Of(customer));
                }
            }
        }
        if (stale.Count == 0 && fresh.Count == 0)
        {
            await Context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var transaction = Context.Database.CurrentTransaction is null
            ? await Context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
            : null; // the host's transaction: it commits
        await using (transaction)
        {
            await Context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            if (stale.Count > 0)
            {
                await Context.Set<CustomerLookupKey>().Where(k => stale.Contains(k.CustomerId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
            Context.AddRange(fresh);
            await Context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private void Clear()
    {
        _changes.Clear();
        _byKey.Clear();
        Context.ChangeTracker.Clear();
    }

    private const string VersionProperty = "Version";


    private abstract class Change
    {
        public abstract ChangeKind Kind { get; set; }

        public abstract object Aggregate { get; }

        public abstract string TypeName { get; }

        public abstract string IdText { get; }

        public abstract long LoadedVersion { get; }

        /// <summary>The tenant current when the change was registered; null when tenancy is off.</summary>
        public abstract TenantId? Tenant { get; }

        public abstract void Replace(object aggregate);

        public abstract void BecomeReplace(object aggregate);

        public abstract void Attach(DbContext context);

        public abstract void Restore();

        public abstract void Complete(List<IDomainEvent> events);
    }

    private sealed class Change<T, TId> : Change
        where T : AggregateRoot<TId>
        where TId : struct, IEquatable<TId>
    {
        private T _aggregate;
        private long _loadedVersion;

        public Change(ChangeKind kind, T aggregate, TenantId? tenant)
        {
            Kind = kind;
            _aggregate = aggregate;
            _loadedVersion = aggregate.Version;
            Tenant = tenant;
        }

        public override TenantId? Tenant { get; }

        public override ChangeKind Kind { get; set; }

        public override object Aggregate => _aggregate;

        public override void Replace(object aggregate)
        {
            _aggregate = (T)aggregate;
            if (Kind != ChangeKind.Replace)
            {
                _loadedVersion = _aggregate.Version; // a replacement keeps checking the removed aggregate's version
            }
        }

        // For a replacement: the removed aggregate (its row is deleted, after the version check).
        private T? _removed;

        public override void BecomeReplace(object aggregate)
        {
            _removed = _aggregate;
            Kind = ChangeKind.Replace;
            _aggregate = (T)aggregate;
            _loadedVersion = _removed.Version;
        }

        public override string TypeName => typeof(T).Name;

        public override string IdText => EfUnitOfWork.IdText(_aggregate.Id);

        public override long LoadedVersion => _loadedVersion;

        public override void Attach(DbContext context)
        {
            if (Kind == ChangeKind.Replace)
            {
                AttachReplacement(context);
                return;
            }
            _loadedVersion = _aggregate.Version;
            EntityEntry<T> entry = context.Entry(_aggregate);
            Snapshots.SnapshotMapping.WriteKey(entry); // key and document before tracking starts: keys cannot change later
            if (Kind != ChangeKind.Remove)
            {
                Snapshots.SnapshotMapping.WriteState(entry);
            }
            var version = entry.Property(a => a.Version);
            switch (Kind)
            {
                case ChangeKind.Add:
                    entry.State = EntityState.Added;
                    version.CurrentValue = 1;
                    break;
                case ChangeKind.Update:
                    entry.State = EntityState.Modified;
                    version.OriginalValue = _loadedVersion;
                    version.CurrentValue = _loadedVersion + 1;
                    break;
                default:
                    entry.State = EntityState.Deleted;
                    version.OriginalValue = _loadedVersion;
                    break;
            }
            if (Kind != ChangeKind.Add && Tenant is { } tenant)
            {
                // tenant_id is a concurrency token: WHERE ... AND tenant_id = @current.
                entry.Property(a => a.TenantId).OriginalValue = tenant;
            }
        }

        // A replacement whose key changed (a purchase moved to another customer) deletes the old row and inserts the new
        // one; EF Core orders the delete first because both rows share the unique id index. With an unchanged key it is
        // an ordinary versioned update.
        private void AttachReplacement(DbContext context)
        {
            var removed = context.Entry(_removed!);
            Snapshots.SnapshotMapping.WriteKey(removed);
            EntityEntry<T> entry = context.Entry(_aggregate);
            Snapshots.SnapshotMapping.WriteKey(entry);
            Snapshots.SnapshotMapping.WriteState(entry);
            var version = entry.Property(a => a.Version);
            var sameKey = entry.Metadata.FindPrimaryKey()!.Properties
                .All(p => Equals(entry.Property(p.Name).CurrentValue, removed.Property(p.Name).CurrentValue));
            if (sameKey)
            {
                entry.State = EntityState.Modified;
                version.OriginalValue = _loadedVersion;
                if (Tenant is { } tenant)
                {
                    entry.Property(a => a.TenantId).OriginalValue = tenant; // WHERE ... AND tenant_id = @current
                }
            }
            else
            {
                removed.State = EntityState.Deleted;
                removed.Property(a => a.Version).OriginalValue = _loadedVersion;
                if (Tenant is { } tenant)
                {
                    removed.Property(a => a.TenantId).OriginalValue = tenant;
                }
                entry.State = EntityState.Added;
            }
            version.CurrentValue = _loadedVersion + 1;
        }

        public override void Restore() => _aggregate.SetVersion(Kind == ChangeKind.Replace ? 0 : _loadedVersion);

        public override void Complete(List<IDomainEvent> events)
        {
            events.AddRange(_aggregate.DomainEvents);
            _aggregate.ClearDomainEvents();
        }
    }
}
