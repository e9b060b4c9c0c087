using Crm.Core.Customers;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing;

/// <summary>Some of everything one customer record can hold, as plain values (drawn from small pools, so two records overlap).</summary>
/// <param name="Emails">Email addresses.</param>
/// <param name="Phones">Phone numbers in E.164.</param>
/// <param name="Consents">Consent changes, in the order they are recorded.</param>
/// <param name="Products">Products held (opened on different days).</param>
/// <param name="Interactions">Interactions, as minutes after the epoch.</param>
/// <param name="Purchases">Purchase amounts in EUR (each also earns loyalty points).</param>
/// <param name="Redeemed">Points redeemed after the purchases (capped at what was earned).</param>
/// <param name="Segments">Static segment lists the customer is on.</param>
/// <param name="Stage">The lifecycle stage rank (B2C ladder), or null for no lifecycle.</param>
public sealed record CustomerFacts(
    IReadOnlyList<string> Emails,
    IReadOnlyList<string> Phones,
    IReadOnlyList<ConsentOperation> Consents,
    IReadOnlyList<string> Products,
    IReadOnlyList<int> Interactions,
    IReadOnlyList<int> Purchases,
    int Redeemed,
    IReadOnlyList<string> Segments,
    int? Stage);

/// <summary>Two records of one person for merge properties, and a seed for varying the order in which facts are recorded.</summary>
/// <param name="Survivor">The record that survives.</param>
/// <param name="Merged">The record merged into it.</param>
/// <param name="Seed">Drives a shuffle of the recording order.</param>
public sealed record DuplicatePairFacts(CustomerFacts Survivor, CustomerFacts Merged, int Seed);

/// <summary>Arbitraries for duplicate detection and merge properties.</summary>
public static class MergeArbitraries
{
    private static readonly string[] EmailPool = ["ann@example.com", "a.lee@example.org", "annie@example.net", "lee@example.co.uk"];
    private static readonly string[] PhonePool = ["+442079460001", "+442079460002", "+14155550100"];
    private static readonly string[] ProductPool = ["card", "savings", "loan"];
    private static readonly string[] SegmentPool = ["newsletter", "vip"];

    /// <summary>Pairs of customer records with overlapping contact points, consents, holdings, memberships and loyalty points.</summary>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<DuplicatePairFacts> DuplicatePair() =>
        (from survivor in Facts()
         from merged in Facts()
         from seed in Gen.Choose(0, 1_000_000)
         select new DuplicatePairFacts(survivor, merged, seed)).ToArbitrary();

    private static Gen<CustomerFacts> Facts() =>
        from emails in Gen.SubListOf(EmailPool)
        from phones in Gen.SubListOf(PhonePool)
        from consentCount in Gen.Choose(0, 4)
        from consents in Gen.ArrayOf(CrmArbitraries.ConsentOperation().Generator, consentCount)
        from products in Gen.SubListOf(ProductPool)
        from interactionCount in Gen.Choose(0, 3)
        from interactions in Gen.ArrayOf(Gen.Choose(0, 600), interactionCount)
        from purchaseCount in Gen.Choose(0, 3)
        from purchases in Gen.ArrayOf(Gen.Choose(1, 300), purchaseCount)
        from redeemed in Gen.Choose(0, 200)
        from segments in Gen.SubListOf(SegmentPool)
        from stage in Gen.Elements<int?>(null, 0, 1, 2, 3, 4)
        select new CustomerFacts(emails.ToArray(), phones.ToArray(), consents, products.ToArray(), interactions, purchases,
            Math.Min(redeemed, purchases.Sum()), segments.ToArray(), stage);

    /// <summary>The instant the generated facts count from (the consent operations' epoch).</summary>
    public static Instant Epoch => CrmArbitraries.Epoch;
}
