using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Diagnostics;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Diagnostics;

[Collection(DiagnosticsCollection.Name)]
public class LoyaltyDiagnosticsTest
{
    // A programme id no other test uses, so that measurements are told apart by their tag.
    private static readonly LoyaltyProgramme Programme = new(new ProgrammeId("diag-club"), Currency.EUR, DateTimeZone.Utc,
        new EarningRuleSet([new SpendRule("base", 1m)]), ExpiryPolicy.AfterDays(10));

    private static readonly CustomerId Member = new("C-DIAG-7");

    [Fact]
    public async Task Committed_operations_are_counted_once_with_programme_and_operation_tags_only()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 5, 1, 12, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        using var capture = new DiagnosticsCapture();

        async Task Run(Func<LoyaltyService, Task> operation)
        {
            await using var scope = provider.CreateAsyncScope();
            await operation(scope.ServiceProvider.GetRequiredService<LoyaltyService>());
        }
        var purchase = Purchase.Create(new TransactionId("T-DIAG-1"), Member, clock.GetCurrentInstant(), Channel.Web, new Money(120m, Currency.EUR));
        await Run(s => s.AccrueAsync(Programme, purchase));
        await Run(s => s.AccrueAsync(Programme, purchase)); // a repeat of the same key changes nothing and is not counted
        await Run(s => s.RedeemAsync(Programme, Member, 50, "R-DIAG-1"));
        clock.AdvanceDays(11);
        await Run(s => s.ExpireDueAsync(Programme, Member));

        const string tag = "crm.loyalty.programme";
        Assert.Equal(120, capture.Sum(CrmDiagnostics.LoyaltyPointsAwardedCounter, tag, "diag-club"));
        Assert.Equal(50, capture.Sum(CrmDiagnostics.LoyaltyPointsRedeemedCounter, tag, "diag-club"));
        Assert.Equal(70, capture.Sum(CrmDiagnostics.LoyaltyPointsExpiredCounter, tag, "diag-club"));
        var operations = capture.Measurements.Where(m => m.Instrument == CrmDiagnostics.LoyaltyOperationsCounter && m.Tags.Any(t => t.Key == tag && Equals(t.Value, "diag-club")))
            .Select(m => (string)m.Tags.Single(t => t.Key == "crm.loyalty.operation").Value!).ToList();
        Assert.Equal(["accrual", "redemption", "expiry"], operations);
        Assert.DoesNotContain(capture.AllTagValues(), v => v.Contains(Member.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Purchases_recorded_with_a_programme_are_counted_once_after_their_commit()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 5, 1, 12, 0));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var programme = new LoyaltyProgramme(new ProgrammeId("diag-recorder"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet([new SpendRule("base", 1m)]));
        var member = new CustomerId("C-DIAG-8");
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Crm.Core.Storage.IRepository<Customer, CustomerId>>()
                .AddAsync(Customer.Register(member, CustomerName.Person("D", "G"), clock.GetCurrentInstant()));
            await scope.ServiceProvider.GetRequiredService<Crm.Core.Storage.IUnitOfWork>().CommitAsync();
        }
        using var capture = new DiagnosticsCapture();
        async Task Record(Purchase purchase)
        {
            await using var scope = provider.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PurchaseRecorder>().RecordAsync(purchase, new PurchaseRecordingOptions(DateTimeZone.Utc) { Programme = programme });
        }
        var purchase = Purchase.Create(new TransactionId("T-DIAG-8"), member, clock.GetCurrentInstant(), Channel.Web, new Money(80m, Currency.EUR));

        await Record(purchase);
        await Record(purchase); // a repeat books nothing and is not counted
        await Record(Purchase.CreateRefund(new TransactionId("R-DIAG-8"), member, clock.GetCurrentInstant(), Channel.Web, purchase.TransactionId,
            [new PurchaseLine(new Sku("SKU-1"), -1m, new Money(20m, Currency.EUR))]));

        const string tag = "crm.loyalty.programme";
        Assert.Equal(80, capture.Sum(CrmDiagnostics.LoyaltyPointsAwardedCounter, tag, "diag-recorder"));
        var operations = capture.Measurements.Where(m => m.Instrument == CrmDiagnostics.LoyaltyOperationsCounter && m.Tags.Any(t => t.Key == tag && Equals(t.Value, "diag-recorder")))
            .Select(m => (string)m.Tags.Single(t => t.Key == "crm.loyalty.operation").Value!).ToList();
        Assert.Equal(["accrual", "reversal"], operations);
    }
}
