using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Tests.Loyalty;

/// <summary>The worked example of docs/loyalty.md, with the figures its table states.</summary>
public class LoyaltyDocsExampleTest
{
    [Fact]
    public void WorkedExample_HasTheFiguresTheDocsState()
    {
        var programme = new LoyaltyProgramme(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc,
            new EarningRuleSet([new SpendRule("base", 1m), new MultiplierRule("shoes-x2", 2m, categories: ["shoes"])]),
            ExpiryPolicy.AfterDays(365), negativeBalancePolicy: NegativeBalancePolicy.ClampAtZero);
        var member = new CustomerId("C-1001");
        var jan15 = Instant.FromUtc(2026, 1, 15, 10, 0);
        var account = LoyaltyAccount.Open(new LoyaltyAccountId(programme.Id, member), programme, jan15);
        var order = Purchase.Create(new TransactionId("O-1"), member, jan15, Channel.Web,
        [
            new PurchaseLine(new Sku("RUN-1"), 1m, Money.Of(100m, "EUR"), "shoes"),
            new PurchaseLine(new Sku("BOOK-7"), 1m, Money.Of(50m, "EUR"), "books"),
            new PurchaseLine(new Sku("SHIP"), 1m, Money.Of(4.90m, "EUR"), kind: PurchaseLineKind.Delivery),
        ]);

        var earned = account.Accrue(programme, order, jan15).Entry;
        Assert.Equal([150L, 100L], earned.Contributions.Select(c => c.Points));
        account.Redeem(programme, 200, "redeem:O-2", jan15 + Duration.FromDays(1));
        Assert.Equal(50, account.Lots[0].Remaining);

        var refund = Purchase.CreateRefund(new TransactionId("R-1"), member, jan15 + Duration.FromDays(3), Channel.Branch,
            new TransactionId("O-1"), [new PurchaseLine(new Sku("RUN-1"), -1m, Money.Of(100m, "EUR"), "shoes")]);
        var reversed = account.Reverse(programme, refund, jan15 + Duration.FromDays(3));
        Assert.Equal((161L, 50L, 111L), (reversed.Entry.PointsReversed, reversed.Entry.Allocated, reversed.Entry.Shortfall));
        Assert.Equal(0, account.BalanceAt(jan15 + Duration.FromDays(3)).Available);
        Assert.True(account.Reverse(programme, refund, jan15 + Duration.FromDays(4)).AlreadyApplied);

        var book = account.Reverse(programme, "O-1", 50m, "R-2", jan15 + Duration.FromDays(5)).Entry;
        Assert.Equal((81L, 81L), (book.PointsReversed, book.Shortfall));
        var total = account.Reverse(programme, "O-1", 4.90m, "R-3", jan15 + Duration.FromDays(6)).Entry.PointsReversed;
        Assert.Equal(250, 161 + 81 + total);
    }
}
