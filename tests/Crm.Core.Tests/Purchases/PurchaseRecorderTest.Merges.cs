using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Storage;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Core.Tests.Purchases;

// Refunds that arrive after the customer who bought was merged into another one (issue #5 §4 across issue #9's merges):
// the survivor takes back what the purchase earned, counting the returns booked before the merge.
public sealed partial class PurchaseRecorderTest
{
    [Fact]
    public async Task A_refund_after_a_merge_takes_back_the_points_the_merged_customer_earned()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-ANN", Ann, 10m));
        await host.RecordAsync(Buy("T-BOB", Bob, 30m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var refunded = await host.RecordAsync(Refund("R1", Bob, "T-BOB", 30m));
        var again = await host.RecordAsync(Refund("R1", Bob, "T-BOB", 30m));
        var own = await host.RecordAsync(Refund("R2", Ann, "T-ANN", 4m));

        var reversal = Assert.IsType<ReverseEntry>(refunded.LoyaltyEntry);
        Assert.Equal(30, reversal.PointsReversed);
        Assert.Equal(0, reversal.DeficitAdded);
        Assert.True(again.AlreadyRecorded);
        Assert.Equal(4, Assert.IsType<ReverseEntry>(own.LoyaltyEntry).PointsReversed);
        var account = (await host.AccountAsync(Ann))!;
        Assert.Equal(6, account.BalanceAt(T0).Available);
        Assert.Equal(Ann, (await host.GetAsync<Purchase, TransactionId>(new TransactionId("R1")))!.CustomerId);
    }

    [Fact]
    public async Task Returns_before_and_after_a_merge_together_never_take_back_more_than_the_purchase_earned()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-ANN", Ann, 50m));
        await host.RecordAsync(Buy("T-BOB", Bob, 30m));
        await host.RecordAsync(Refund("R1", Bob, "T-BOB", 10m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var second = await host.RecordAsync(Refund("R2", Bob, "T-BOB", 15m));
        var third = await host.RecordAsync(Refund("R3", Bob, "T-BOB", 10m)); // only 5 EUR of the purchase are left to refund

        Assert.Equal(15, Assert.IsType<ReverseEntry>(second.LoyaltyEntry).PointsReversed);
        Assert.Equal(5, Assert.IsType<ReverseEntry>(third.LoyaltyEntry).PointsReversed);
        Assert.Equal(50, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available); // Bob's 30 points all went back
        var fourth = await host.RecordAsync(Refund("R4", Bob, "T-BOB", 10m));
        Assert.Equal(0, Assert.IsType<ReverseEntry>(fourth.LoyaltyEntry).PointsReversed);
        Assert.Equal(50, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task A_refund_of_points_spent_before_the_merge_is_taken_from_the_survivors_points()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-ANN", Ann, 100m));
        await host.RecordAsync(Buy("T-BOB", Bob, 30m));
        await host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().RedeemAsync(Programme, Bob, 30, "redeem:ORDER-1"));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var refunded = await host.RecordAsync(Refund("R1", Bob, "T-BOB", 30m));

        var reversal = Assert.IsType<ReverseEntry>(refunded.LoyaltyEntry);
        Assert.Equal(30, reversal.PointsReversed);
        Assert.Equal(70, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Fact]
    public async Task A_refund_follows_a_purchase_through_a_chain_of_merges()
    {
        await using var host = await Host.StartAsync();
        var cat = new CustomerId("CAT");
        await host.InScopeAsync(sp => sp.GetRequiredService<IRepository<Customer, CustomerId>>()
            .AddAsync(Customer.Register(cat, CustomerName.Person("Cat", "Lee"), T0)));
        await host.RecordAsync(Buy("T-ANN", Ann, 10m));
        await host.RecordAsync(Buy("T-BOB", Bob, 20m));
        await host.RecordAsync(Buy("T-CAT", cat, 40m));
        await host.RecordAsync(Refund("R1", cat, "T-CAT", 10m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Bob, cat));
        await host.RecordAsync(Refund("R2", cat, "T-CAT", 10m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var last = await host.RecordAsync(Refund("R3", cat, "T-CAT", 30m)); // 20 EUR of 40 are left to refund

        Assert.Equal(20, Assert.IsType<ReverseEntry>(last.LoyaltyEntry).PointsReversed);
        var account = (await host.AccountAsync(Ann))!;
        Assert.Equal(30, account.BalanceAt(T0).Available); // Ann's 10 and Bob's 20; Cat's 40 all went back
        Assert.Equal(account.State.Describe(), LedgerState.Replay(account.Entries).Describe());
    }

    [Fact]
    public async Task The_merged_customers_own_account_refuses_changes_so_a_refund_cannot_be_taken_twice()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-ANN", Ann, 10m));
        await host.RecordAsync(Buy("T-BOB", Bob, 30m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));
        var bobsAccount = new LoyaltyAccountId(Programme.Id, Bob);

        var refused = await Assert.ThrowsAsync<LoyaltyAccountMergedException>(() =>
            host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().ReverseAsync(Programme, Refund("R1", Bob, "T-BOB", 30m))));
        var repeat = await host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().AccrueAsync(Programme, Buy("T-BOB", Bob, 30m)));
        var recorded = await host.RecordAsync(Refund("R1", Bob, "T-BOB", 30m));

        Assert.Equal((bobsAccount, new LoyaltyAccountId(Programme.Id, Ann)), (refused.AccountId, refused.SurvivorAccountId));
        Assert.True(repeat.AlreadyApplied);
        Assert.Equal(30, Assert.IsType<ReverseEntry>(recorded.LoyaltyEntry).PointsReversed);
        Assert.Equal(10, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
        Assert.Equal(0, (await host.AccountAsync(Bob))!.BalanceAt(T0).Available);
        Assert.IsType<MergedOutEntry>((await host.AccountAsync(Bob))!.Entries[^1]);
    }

    [Fact]
    public async Task A_merged_customer_without_an_account_gets_none_opened_by_the_loyalty_service()
    {
        await using var host = await Host.StartAsync();
        await host.RecordAsync(Buy("T-ANN", Ann, 10m));
        await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));

        var refused = await Assert.ThrowsAsync<LoyaltyAccountMergedException>(() =>
            host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().AdjustAsync(Programme, Bob, 50, "goodwill", "staff-1", "A1")));
        var transfer = await Assert.ThrowsAsync<LoyaltyAccountMergedException>(() =>
            host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().TransferAsync(Programme, Ann, Bob, 5, "gift-1")));

        Assert.Equal(new LoyaltyAccountId(Programme.Id, Ann), refused.SurvivorAccountId);
        Assert.Equal(new LoyaltyAccountId(Programme.Id, Bob), transfer.AccountId);
        Assert.Null(await host.AccountAsync(Bob));
        Assert.Equal(10, (await host.AccountAsync(Ann))!.BalanceAt(T0).Available);
    }

    [Property(MaxTest = 40)]
    public Property Returns_take_back_the_same_points_whether_the_customer_was_merged_before_they_arrived_or_not() =>
        Prop.ForAll(MergePlan().ToArbitrary(), plan =>
        {
            var merged = RunMergePlan(plan, merge: true).GetAwaiter().GetResult();
            var reference = RunMergePlan(plan, merge: false).GetAwaiter().GetResult();
            var awarded = plan.BobPurchases.Select(amount => (long)amount).ToArray();
            return (merged.ReversedByPurchase.SequenceEqual(reference.ReversedByPurchase)).Label($"reversed per purchase {string.Join(",", merged.ReversedByPurchase)} vs {string.Join(",", reference.ReversedByPurchase)}")
                .And(merged.ReversedByPurchase.Zip(awarded).All(p => p.First <= p.Second)).Label("never more than awarded")
                .And(merged.Available == reference.Available).Label($"survivor {merged.Available} vs both unmerged {reference.Available}")
                .And(merged.ReplayMatches).Label("the survivor's ledger replays to the same state");
        });

    // Bob's purchases (whole euros, one point each), Ann's, refunds of Bob's purchases (which one, how much, whether after
    // the merge), and the share of Bob's points he spends just before the merge.
    private sealed record MergeRefundPlan(int[] BobPurchases, int[] AnnPurchases, (int Purchase, int Amount, bool AfterMerge)[] Refunds, int SpentPercent)
    {
        public override string ToString() =>
            $"Bob [{string.Join(",", BobPurchases)}] Ann [{string.Join(",", AnnPurchases)}] refunds [{string.Join(",", Refunds.Select(r => $"{r.Purchase}:{r.Amount}{(r.AfterMerge ? " after" : "")}"))}] spent {SpentPercent}%";
    }

    private static Gen<MergeRefundPlan> MergePlan() =>
        from bob in Gen.Choose(10, 200).ArrayOf().Where(a => a.Length is > 0 and <= 4)
        from ann in Gen.Choose(10, 200).ArrayOf().Where(a => a.Length <= 2)
        from refunds in (from purchase in Gen.Choose(0, bob.Length - 1)
                         from amount in Gen.Choose(1, 150)
                         from after in Gen.Elements(true, false)
                         select (purchase, amount, after)).ArrayOf().Where(a => a.Length <= 6)
        from spent in Gen.Elements(0, 0, 50, 100)
        select new MergeRefundPlan(bob, ann, refunds, spent);

    private static async Task<(long[] ReversedByPurchase, long Available, bool ReplayMatches)> RunMergePlan(MergeRefundPlan plan, bool merge)
    {
        await using var host = await Host.StartAsync();
        for (var i = 0; i < plan.BobPurchases.Length; i++)
        {
            await host.RecordAsync(Buy($"B{i}", Bob, plan.BobPurchases[i]));
        }
        for (var i = 0; i < plan.AnnPurchases.Length; i++)
        {
            await host.RecordAsync(Buy($"A{i}", Ann, plan.AnnPurchases[i]));
        }
        var refundNumber = 0;
        foreach (var refund in plan.Refunds.Where(r => !r.AfterMerge))
        {
            await host.RecordAsync(Refund($"R{refundNumber++}", Bob, $"B{refund.Purchase}", refund.Amount));
        }
        var spend = (await host.AccountAsync(Bob))!.BalanceAt(T0).Available * plan.SpentPercent / 100;
        if (spend > 0)
        {
            await host.InScopeAsync(sp => sp.GetRequiredService<LoyaltyService>().RedeemAsync(Programme, Bob, spend, "redeem:1"));
        }
        if (merge)
        {
            await host.InScopeAsync(sp => sp.GetRequiredService<CustomerMergeService>().MergeAsync(Ann, Bob));
        }
        foreach (var refund in plan.Refunds.Where(r => r.AfterMerge))
        {
            await host.RecordAsync(Refund($"R{refundNumber++}", Bob, $"B{refund.Purchase}", refund.Amount));
        }

        // Ann has no account when she bought nothing and Bob was not merged into her.
        var accounts = new[] { await host.AccountAsync(Ann), await host.AccountAsync(Bob) }.OfType<LoyaltyAccount>().ToArray();
        // A survivor without an account of its own gets a copy of Bob's whole ledger, returns included: count each return once.
        var returns = accounts.SelectMany(a => a.Entries).OfType<ReverseEntry>().DistinctBy(e => e.IdempotencyKey).ToArray();
        var reversed = plan.BobPurchases.Select((_, i) => returns.Where(e => e.PurchaseKey == $"B{i}").Sum(e => e.PointsReversed)).ToArray();
        var available = accounts.Sum(a => a.BalanceAt(T0).Available);
        var replays = accounts.All(a => a.State.Describe() == LedgerState.Replay(a.Entries).Describe());
        return (reversed, available, replays);
    }

    private static Purchase Refund(string transactionId, CustomerId customerId, string original, decimal amount) =>
        Purchase.CreateRefund(new TransactionId(transactionId), customerId, T0, Channel.Web, new TransactionId(original),
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(amount, Currency.EUR))]);
}
