using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Tests.Duplicates;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Edges;

/// <summary>
/// Services that register several changes and then fail (a store error while registering) discard what they registered,
/// so the scope's next commit — the host's next use case, a batch's next record — writes none of it.
/// </summary>
public class FailurePathTest
{
    private static readonly CustomerId Ann = new("ANN");
    private static readonly CustomerId Bob = new("BOB");
    private static readonly LoyaltyProgramme Programme = new(new ProgrammeId("club"), Currency.EUR, DateTimeZone.Utc, new EarningRuleSet([new SpendRule("base", 1m)]));

    [Fact]
    public async Task A_transfer_whose_receiver_cannot_be_saved_leaves_no_debit_behind()
    {
        var bobs = new LoyaltyAccountId(Programme.Id, Bob);
        await using var world = new MergeWorld(services => services.AddScoped<IRepository<LoyaltyAccount, LoyaltyAccountId>>(sp =>
            new FailingRepository<LoyaltyAccount, LoyaltyAccountId>(ActivatorUtilities.CreateInstance<InMemoryRepository<LoyaltyAccount, LoyaltyAccountId>>(sp),
                failAdd: account => account.Id == bobs)));
        await world.Read(sp => sp.GetRequiredService<LoyaltyService>().AdjustAsync(Programme, Ann, 50, "seed", "staff-1", "A1"));
        await using var scope = world.Scope();

        await Assert.ThrowsAsync<IOException>(() => scope.ServiceProvider.GetRequiredService<LoyaltyService>().TransferAsync(Programme, Ann, Bob, 10, "gift-1"));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();

        var accounts = await world.All<LoyaltyAccount, LoyaltyAccountId>();
        Assert.Equal(50, Assert.Single(accounts).BalanceAt(world.Now).Available);
    }

    [Fact]
    public async Task A_segment_override_whose_segment_cannot_be_saved_leaves_no_membership_behind()
    {
        var vip = new SegmentId("vip");
        var failing = false;
        await using var world = new MergeWorld(services => services.AddScoped<IRepository<Segment, SegmentId>>(sp =>
            new FailingRepository<Segment, SegmentId>(ActivatorUtilities.CreateInstance<InMemoryRepository<Segment, SegmentId>>(sp), failUpdate: _ => failing)));
        await world.Read(sp => sp.GetRequiredService<SegmentService>().DefineStaticListAsync(vip, "VIP",
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "account notices", "crm-ops")));
        await using var scope = world.Scope();
        failing = true;

        await Assert.ThrowsAsync<IOException>(() => scope.ServiceProvider.GetRequiredService<SegmentService>().IncludeAsync(vip, Ann));
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().CommitAsync();

        failing = false;
        Assert.Empty(await world.Read(sp => sp.GetRequiredService<SegmentService>().GetMembersAsync(vip)));
    }
}
