using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Tenancy;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing.Storage;

/// <summary>The storage conformance kit for <see cref="Purchase"/>: derive and implement <see cref="StoreConformanceTests.UseStore"/>.</summary>
public abstract class PurchaseRepositoryConformanceTests : RepositoryConformanceTests<Purchase, TransactionId>
{
    /// <summary>Random purchases and refunds of <paramref name="tenant"/>: lines in one currency, totals only, hostile text in categories.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The generator.</returns>
    protected override Gen<Purchase> Aggregates(TenantId tenant) => StorageGenerators.Purchases(tenant);

    /// <summary>Purchases are immutable facts: an update saves the same state under the next version.</summary>
    /// <param name="aggregate">The purchase.</param>
    protected override void Change(Purchase aggregate)
    {
    }

    /// <inheritdoc/>
    protected override IEnumerable<Specification<Purchase>> Specifications(TenantId tenant, IReadOnlyList<Purchase> data)
    {
        var middle = data.OrderBy(p => p.OccurredAt).ElementAt(data.Count / 2).OccurredAt;
        var customer = data[0].CustomerId;
        var currency = data[0].Total.Currency;
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.OccurredAt >= middle)
            .OrderByDescending(p => p.OccurredAt).ThenBy(p => p.Id));
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.CustomerId == customer));
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.Total.Currency == currency && p.Total.Amount > 10m)
            .OrderBy(p => p.Total.Amount).ThenBy(p => p.Id).Skip(1).Take(4));
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.Channel == Channel.Web || p.Channel == Channel.Branch)
            .OrderBy(p => p.CustomerId).ThenByDescending(p => p.Id).Take(5));
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.IsRefund)
            .OrderBy(p => p.Id));
        yield return Specification.Create<Purchase>(q => q.Where(p => p.TenantId == tenant).Where(p => p.OriginalTransactionId == null)
            .OrderBy(p => p.OccurredAt).ThenBy(p => p.Id).Skip(3));
    }
}

/// <summary>Generators the conformance kit uses, built from <see cref="CrmArbitraries"/>; public so hosts can seed their own tests.</summary>
public static class StorageGenerators
{
    private static readonly Instant Origin = Instant.FromUtc(2020, 1, 1, 0, 0);

    /// <summary>Text that a store must keep verbatim: quotes, SQL comment and statement separators, unicode, emoji.</summary>
    public static Gen<string> HostileText() =>
        Gen.Elements("O'Brien", "Robert'); DROP TABLE purchases;--", "\"quoted\"", "back\\slash", "100% _like_", "日本語カテゴリ", "emoji 🛒✨", "Ünïcödé ß", "tab\tinside", "semi;colon -- comment");

    /// <summary>Instants between 2020 and 2026 on whole milliseconds (every store keeps at least microseconds).</summary>
    public static Gen<Instant> Instants() =>
        Gen.Choose(0, 6 * 365 * 24 * 60).Select(m => m * 60_000L).Zip(Gen.Choose(0, 59_999), (ms, extra) => Origin.Plus(Duration.FromMilliseconds(ms + extra)));

    /// <summary>Purchase lines in <paramref name="currency"/>, sometimes with a hostile category or a discount.</summary>
    /// <param name="currency">The currency of every line.</param>
    /// <param name="sign">1 for purchases, -1 for refunds.</param>
    /// <returns>The generator.</returns>
    public static Gen<PurchaseLine> Lines(Currency currency, int sign) =>
        from sku in CrmArbitraries.IdText()
        from quantity in Gen.Choose(1, 5)
        from cents in Gen.Choose(1, 100_000)
        from category in Gen.OneOf(Gen.Constant<string?>(null), HostileText().Select(s => (string?)s), Gen.Elements<string?>("food", "garden"))
        from kind in Gen.Elements(PurchaseLineKind.Product, PurchaseLineKind.Product, PurchaseLineKind.Delivery, PurchaseLineKind.Fee)
        from discounted in Gen.Elements(false, false, true)
        let unit = new Money(cents / 100m, currency)
        select new PurchaseLine(new Sku(sku), sign * quantity, unit, category, discounted ? unit * (sign * quantity) * 0.9m : null, kind);

    /// <summary>Purchases (with lines or totals only) and refunds of <paramref name="tenant"/>, with unique transaction ids.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The generator.</returns>
    public static Gen<Purchase> Purchases(TenantId tenant) =>
        from customer in CrmArbitraries.CustomerId().Generator
        from occurredAt in Instants()
        from channel in Gen.Elements(Enum.GetValues<Channel>())
        from currency in CrmArbitraries.Currency().Generator
        from shape in Gen.Choose(0, 5)
        from lines in Lines(currency, shape == 5 ? -1 : 1).ArrayOf().Where(a => a.Length > 0)
        from total in CrmArbitraries.Money().Generator
        let id = new TransactionId("tx-" + Guid.NewGuid().ToString("N"))
        select shape switch
        {
            0 => Purchase.Create(id, customer, occurredAt, channel, total, tenant),
            5 => Purchase.CreateRefund(id, customer, occurredAt, channel, new TransactionId("orig-" + Guid.NewGuid().ToString("N")), lines, tenant),
            _ => Purchase.Create(id, customer, occurredAt, channel, lines, tenant),
        };
}
