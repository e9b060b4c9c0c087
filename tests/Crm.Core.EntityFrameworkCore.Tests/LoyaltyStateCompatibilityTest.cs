using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Crm.Core.EntityFrameworkCore.Snapshots;
using Crm.Core.Loyalty;
using NodaTime;

namespace Crm.Core.EntityFrameworkCore.Tests;

/// <summary>
/// State documents already stored in databases keep loading when the ledger's internal layout changes. The fixtures
/// were written by the library as it was on 2026-11-23 (lots in their own log, contributions as public structs) from
/// <see cref="LoyaltyStateScenario"/>; the same scenario run now must give an account that behaves identically.
/// </summary>
public class LoyaltyStateCompatibilityTest
{
    private static readonly Instant End = LoyaltyStateScenario.T0 + Duration.FromDays(40);

    [Fact]
    public void A_document_of_the_earlier_layout_restores_the_same_ledger()
    {
        var (alice, bob) = LoyaltyStateScenario.Build();
        AssertSame(alice, Restore(alice, "loyalty-state-2026-11-alice.json"));
        AssertSame(bob, Restore(bob, "loyalty-state-2026-11-bob.json"));
    }

    [Fact]
    public void A_restored_document_of_the_earlier_layout_keeps_working_and_saves_in_the_current_layout()
    {
        var (alice, _) = LoyaltyStateScenario.Build();
        var restored = Restore(alice, "loyalty-state-2026-11-alice.json");
        var p = LoyaltyStateScenario.Programme;
        foreach (var account in new[] { alice, restored })
        {
            account.Adjust(p, 200, "goodwill", "agent-7", "A3", End);
            account.Redeem(p, 150, "R3", End);
            account.Reverse(p, "P4", 10m, "RET-2", End);
        }
        AssertSame(alice, restored);
        // Written again, the document has the current layout and restores to the same state.
        var again = (LoyaltyAccount)RuntimeHelpers.GetUninitializedObject(typeof(LoyaltyAccount));
        SetId(again, alice.Id);
        StateDocument.Restore(again, StateDocument.Write(restored));
        AssertSame(alice, again);
        Assert.DoesNotContain("\"_lots\":{", StateDocument.Write(restored), StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_naming_a_lot_that_is_not_an_entry_is_refused()
    {
        var (alice, _) = LoyaltyStateScenario.Build();
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "loyalty-state-2026-11-alice.json")))!;
        document["_state"]!["_lots"]!["Items"]![0]!["Entry"]!["<Sequence>k__BackingField"] = 99;
        var damaged = document.ToJsonString();
        var account = (LoyaltyAccount)RuntimeHelpers.GetUninitializedObject(typeof(LoyaltyAccount));
        SetId(account, alice.Id);
        Assert.Throws<InvalidDataException>(() => StateDocument.Restore(account, damaged));
    }

    private static LoyaltyAccount Restore(LoyaltyAccount like, string fixture)
    {
        var account = (LoyaltyAccount)RuntimeHelpers.GetUninitializedObject(typeof(LoyaltyAccount));
        SetId(account, like.Id);
        StateDocument.Restore(account, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)));
        return account;
    }

    // EF sets the id from its column; the document holds everything else.
    private static void SetId(LoyaltyAccount account, LoyaltyAccountId id) =>
        typeof(AggregateRoot<LoyaltyAccountId>).GetField("<Id>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(account, id);

    private static void AssertSame(LoyaltyAccount expected, LoyaltyAccount actual)
    {
        var p = LoyaltyStateScenario.Programme;
        Assert.Equal(expected.Tier, actual.Tier);
        Assert.Equal(expected.Deficit, actual.Deficit);
        Assert.Equal(expected.TierHistory, actual.TierHistory);
        Assert.Equal(expected.Lots, actual.Lots);
        Assert.Equal(expected.Entries.Count, actual.Entries.Count);
        for (var i = 0; i < expected.Entries.Count; i++)
        {
            var (e, a) = (expected.Entries[i], actual.Entries[i]);
            Assert.Equal((e.Sequence, e.Kind, e.Points, e.At, e.IdempotencyKey), (a.Sequence, a.Kind, a.Points, a.At, a.IdempotencyKey));
            if (e is EarnEntry earn)
            {
                Assert.Equal(earn.Contributions, ((EarnEntry)a).Contributions);
                Assert.Equal(earn.Explain(), ((EarnEntry)a).Explain());
            }
            if (e.IdempotencyKey is { } key)
            {
                Assert.True(actual.TryGetEntry(key, out var found));
                Assert.Equal(e.Sequence, found.Sequence);
            }
        }
        for (var day = 0; day <= 80; day += 4)
        {
            var at = LoyaltyStateScenario.T0 + Duration.FromDays(day);
            Assert.Equal(expected.BalanceAt(at), actual.BalanceAt(at));
            Assert.Equal(expected.ExpiringWithin(at, Duration.FromDays(30)), actual.ExpiringWithin(at, Duration.FromDays(30)));
        }
        Assert.Equal(expected.EarnedTier(p), actual.EarnedTier(p));
        // The rest of the state (caps, reward counts, cancellations, returns) shows in what the next operations do.
        var (x, y) = (Copy(expected), Copy(actual));
        foreach (var account in new[] { x, y })
        {
            account.Accrue(p, Crm.Core.Purchases.Purchase.Create(new Crm.Core.Purchases.TransactionId("P9"), account.CustomerId, End, Channel.Web,
                [new Crm.Core.Purchases.PurchaseLine(new Crm.Core.Purchases.Sku("S9"), 1m, new Money(300m, Currency.EUR), "shoes")]), End);
        }
        Assert.Equal(((EarnEntry)x.Entries[^1]).Contributions, ((EarnEntry)y.Entries[^1]).Contributions);
        Assert.Equal(Outcome(() => x.RedeemReward(p, "mug", "R9", End)), Outcome(() => y.RedeemReward(p, "mug", "R9", End)));
        Assert.Equal(Outcome(() => x.CancelRedemption(p, "R1", "C9", End)), Outcome(() => y.CancelRedemption(p, "R1", "C9", End)));
        Assert.Equal(Outcome(() => x.Reverse(p, "P1", 500m, "RET-9", End)), Outcome(() => y.Reverse(p, "P1", 500m, "RET-9", End)));
        Assert.Equal(x.BalanceAt(End), y.BalanceAt(End));
        // Tier evaluations read the metric (from running totals or lot by lot, depending on the window) alike; the
        // evidence of a change quotes it.
        foreach (var days in new[] { 1, 120, 400, 800 })
        {
            var at = End + Duration.FromDays(days);
            Assert.Equal(x.EvaluateTier(p, at), y.EvaluateTier(p, at));
        }
    }

    // A copy through the current document layout, so that the comparison also covers writing.
    private static LoyaltyAccount Copy(LoyaltyAccount account)
    {
        var copy = (LoyaltyAccount)RuntimeHelpers.GetUninitializedObject(typeof(LoyaltyAccount));
        SetId(copy, account.Id);
        StateDocument.Restore(copy, StateDocument.Write(account));
        return copy;
    }

    private static string Outcome<T>(Func<LedgerResult<T>> operation)
        where T : LedgerEntry
    {
        try
        {
            var result = operation();
            return $"{result.Entry} {string.Join(",", (result.Entry as DebitEntry)?.Allocations ?? [])}";
        }
        catch (CrmException e)
        {
            return e.GetType().Name;
        }
    }
}
