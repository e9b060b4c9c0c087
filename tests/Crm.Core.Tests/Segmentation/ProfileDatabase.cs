using Crm.Core.Customers;
using Crm.Core.Segmentation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

/// <summary>
/// An in-memory SQLite database holding customer profiles, mapped the way a storage adapter would map them:
/// one row per profile, owned tables for attributes/stats/holdings, JSON primitive collections for tags and consents.
/// </summary>
internal sealed class ProfileDatabase : IDisposable
{
    private readonly SqliteConnection _connection;

    public ProfileDatabase()
    {
        // The database lives as long as the connection: keep it open for the test's lifetime.
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        Context = new ProfileDbContext(new DbContextOptionsBuilder<ProfileDbContext>().UseSqlite(_connection).Options);
        Context.Database.EnsureCreated();
    }

    public ProfileDbContext Context { get; }

    public void Store(IEnumerable<CustomerProfile> profiles)
    {
        Context.Profiles.AddRange(profiles);
        Context.SaveChanges();
        Context.ChangeTracker.Clear();
    }

    public List<string> Members(Criterion<CustomerProfile> criterion) =>
        Context.Profiles.AsNoTracking().Where(criterion.Expression).Select(p => p.CustomerId).AsEnumerable().Select(id => id.Value).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        Context.Dispose();
        _connection.Dispose();
    }
}

internal sealed class ProfileDbContext(DbContextOptions<ProfileDbContext> options) : DbContext(options)
{
    public DbSet<CustomerProfile> Profiles => Set<CustomerProfile>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Day numbers keep date comparisons numeric (and exact) in SQL.
        configurationBuilder.Properties<LocalDate>().HaveConversion<LocalDateToDayNumber>();
        configurationBuilder.Properties<Instant>().HaveConversion<InstantToTicks>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var profile = modelBuilder.Entity<CustomerProfile>();
        profile.HasKey(p => p.CustomerId);
        profile.Property(p => p.CustomerId).HasConversion(id => id.Value, s => new CustomerId(s));
        profile.HasIndex(p => p.BirthMonthDay);
        profile.OwnsMany(p => p.Attributes, a => { RowKey(a); a.HasIndex(x => x.Name); });
        profile.OwnsMany(p => p.PurchaseStats, s => { RowKey(s); s.HasIndex(x => new { x.Dimension, x.Key }); });
        profile.OwnsMany(p => p.PurchaseDays, d => { RowKey(d); d.HasIndex(x => new { x.Dimension, x.Key, x.Date }); });
        profile.OwnsMany(p => p.Holdings, h => RowKey(h));
        profile.OwnsMany(p => p.ConsentPeriods, c => RowKey(c));
    }

    // SQLite cannot auto-increment a composite key, so child rows get a key of their own.
    private static void RowKey<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.OwnedNavigationBuilder<CustomerProfile, T> owned)
        where T : class
    {
        owned.Property<int>("Id").ValueGeneratedOnAdd();
        owned.HasKey("Id");
    }

    private sealed class InstantToTicks() : ValueConverter<Instant, long>(i => i.ToUnixTimeTicks(), t => Instant.FromUnixTimeTicks(t));

    private sealed class LocalDateToDayNumber() : ValueConverter<LocalDate, int>(d => d.ToDateOnly().DayNumber, n => LocalDate.FromDateOnly(DateOnly.FromDayNumber(n)));
}
