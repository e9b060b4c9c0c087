using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Loyalty;
using Crm.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Loyalty;

public class LoyaltyServiceTest
{
    [Fact]
    public async Task A_transfer_from_a_member_without_an_account_is_refused_as_insufficient_points_and_opens_nothing()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 5, 1, 0, 0)));
        services.AddCrmCore().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        var programme = new LoyaltyProgramme(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet([new SpendRule("base", 1m)]));
        await using var scope = provider.CreateAsyncScope();
        var loyalty = scope.ServiceProvider.GetRequiredService<LoyaltyService>();

        var refused = await Assert.ThrowsAsync<InsufficientPointsException>(() => loyalty.TransferAsync(programme, new CustomerId("NEW"), new CustomerId("FRIEND"), 10, "gift-1"));

        Assert.Equal(0, refused.Available);
        Assert.Null(await loyalty.FindAccountAsync(programme, new CustomerId("FRIEND")));
        Assert.Null(await loyalty.FindAccountAsync(programme, new CustomerId("NEW")));
    }
}
