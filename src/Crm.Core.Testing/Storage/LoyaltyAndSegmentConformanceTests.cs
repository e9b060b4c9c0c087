using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Crm.Core.Specifications;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The storage conformance kit for <see cref="LoyaltyAccount"/>: a ledger with lots, redemptions, reversals,
/// adjustments and expiry must round-trip unchanged (balances, idempotency keys and lot expiry included).
/// </summary>
public abstract class LoyaltyAccountRepositoryConformanceTests : RepositoryConformanceTests<LoyaltyAccount, LoyaltyAccountId>
{
    private static readonly Instant Start = Instant.FromUtc(2025, 1, 1, 0, 0);

    /// <summary>The programme every generated account belongs to: 1 point per EUR, points expire after a year.</summary>
    protected static LoyaltyProgramme Programme { get; } = new(new ProgrammeId("conformance"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.AfterDays(365));

    /// <inheritdoc/>
    protected override Gen<LoyaltyAccount> Aggregates(TenantId tenant) =>
        from purchases in Gen.Choose(1, 50_000).ArrayOf().Select(a => a.Take(12).ToArray())
        from redeemed in Gen.Choose(0, 200)
        from adjust in Gen.Choose(-50, 50)
        from days in Gen.Choose(0, 500)
        select Build(tenant, purchases, redeemed, adjust, days);

    /// <inheritdoc/>
    protected override void Change(LoyaltyAccount aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        var at = Start + Duration.FromDays(600) + Duration.FromMinutes(aggregate.Version);
        aggregate.Adjust(Programme, 7, "goodwill", "conformance-kit", "change-" + aggregate.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), at);
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<LoyaltyAccount>> Specifications(TenantId tenant, IReadOnlyList<LoyaltyAccount> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var middle = data.OrderBy(a => a.OpenedAt).ElementAt(data.Count / 2).OpenedAt;
        yield return Specification.Create<LoyaltyAccount>(q => q.Where(a => a.TenantId == tenant).Where(a => a.OpenedAt >= middle)
            .OrderByDescending(a => a.OpenedAt).ThenBy(a => a.Id));
    }

    private static LoyaltyAccount Build(TenantId tenant, int[] purchases, int redeemed, int adjust, int days)
    {
        var customer = new CustomerId("la-" + Guid.NewGuid().ToString("N"));
        var opened = Start + Duration.FromDays(days % 30) + Duration.FromMinutes(days);
        var account = LoyaltyAccount.Open(new LoyaltyAccountId(Programme.Id, customer), Programme, opened, tenant);
        var at = opened;
        for (var i = 0; i < purchases.Length; i++)
        {
            at += Duration.FromDays(3);
            var purchase = Purchase.Create(new TransactionId($"{customer}-{i}"), customer, at, Channel.Web, new Money(purchases[i] / 100m, Currency.EUR));
            account.Accrue(Programme, purchase, at);
        }
        var available = account.BalanceAt(at).Available;
        if (redeemed > 0 && available >= redeemed)
        {
            account.Redeem(Programme, redeemed, "redeem", at);
        }
        if (purchases.Length > 0)
        {
            account.Reverse(Programme, $"{customer}-0", purchases[0] / 200m, "return-0", at);
        }
        // A negative adjustment may take at most what is available (the default policy refuses more).
        adjust = (int)Math.Max(adjust, -Math.Max(0, account.BalanceAt(at).Available));
        if (adjust != 0)
        {
            account.Adjust(Programme, adjust, "correction", "kit", "adjust", at);
        }
        account.ExpireDue(Programme, at + Duration.FromDays(days));
        account.ClearDomainEvents();
        return account;
    }
}

/// <summary>
/// The storage conformance kit for <see cref="Segment"/>: random rule trees (every node type and operator), static
/// lists and include/exclude overrides must round-trip unchanged.
/// </summary>
public abstract class SegmentRepositoryConformanceTests : RepositoryConformanceTests<Segment, SegmentId>
{
    /// <inheritdoc/>
    protected override Gen<Segment> Aggregates(TenantId tenant) =>
        from dynamic in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from rule in SegmentationArbitraries.Rule(3)
        from includes in Gen.Choose(0, 3)
        from excludes in Gen.Choose(0, 3)
        select Build(tenant, dynamic, rule, includes, excludes);

    /// <inheritdoc/>
    protected override void Change(Segment aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        aggregate.Rename("renamed 'segment'; -- v" + aggregate.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<Segment>> Specifications(TenantId tenant, IReadOnlyList<Segment> data)
    {
        yield return Specification.Create<Segment>(q => q.Where(s => s.TenantId == tenant).Where(s => s.Kind == SegmentKind.Dynamic).OrderBy(s => s.Id));
        yield return Specification.Create<Segment>(q => q.Where(s => s.TenantId == tenant).OrderByDescending(s => s.Name).ThenBy(s => s.Id).Skip(1).Take(4));
    }

    private static Segment Build(TenantId tenant, bool dynamic, RuleNode rule, int includes, int excludes)
    {
        var id = new SegmentId("s-" + Guid.NewGuid().ToString("N"));
        var name = "Segment ✨ " + id.Value[^4..];
        var segment = dynamic ? Segment.CreateDynamic(id, name, rule) : Segment.CreateStaticList(id, name);
        for (var i = 0; i < includes; i++)
        {
            segment.Include(new CustomerId($"in-{i}"));
        }
        if (dynamic)
        {
            for (var i = 0; i < excludes; i++)
            {
                segment.Exclude(new CustomerId($"out-{i}"));
            }
        }
        segment.AssignTenant(tenant);
        segment.ClearDomainEvents();
        return segment;
    }
}
