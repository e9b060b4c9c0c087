using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Segmentation;

/// <summary>Segments and audiences admit only customers whose consent for the segment's purpose is in force at the evaluation instant.</summary>
public class SegmentConsentTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 5, 1, 9, 0);
    private static readonly SegmentId Buyers = new("buyers");
    private static readonly RuleNode BuyersRule = new FieldCondition("purchases.count", RuleOperator.Gte, 1);
    private static readonly PurposeOfUse Notice =
        PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Post, LawfulBasis.LegalObligation, "tariff change notice", "billing-ops");

    /// <summary>A host with an in-memory store, profiles projected from customer aggregates, and a clock to move.</summary>
    internal sealed class World : IDisposable
    {
        private readonly ServiceProvider _provider;

        public World()
        {
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(Clock);
            services.AddSingleton<IDomainEventDispatcher>(Events);
            services.AddCrmCore(o => o.DefaultTimeZone = DateTimeZone.Utc).UseInMemoryStore();
            _provider = services.BuildServiceProvider();
        }

        public FakeClock Clock { get; } = new(T0);

        public RecordingDomainEventDispatcher Events { get; } = new();

        public async Task<T> Run<T>(Func<SegmentService, Task<T>> action)
        {
            using var scope = _provider.CreateScope();
            return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
        }

        /// <summary>Projects the customer now (as a host's projector does when the customer changes) with a purchase count.</summary>
        public Task Project(Customer customer, int purchases = 1)
        {
            var profile = new CustomerProfile(customer.Id).Project(customer, Clock.GetCurrentInstant(), DateTimeZone.Utc);
            profile.PurchaseCount = purchases;
            return _provider.GetRequiredService<ICustomerProfileStore>().UpsertAsync(profile);
        }

        public void Dispose() => _provider.Dispose();
    }

    internal static Customer Person(string id, params (ConsentPurpose Purpose, ContactChannel Channel, bool Granted, Duration After)[] history)
    {
        var customer = Customer.Register(new CustomerId(id), CustomerName.Person("Test", "Person"), T0 - Duration.FromDays(30));
        foreach (var (purpose, channel, granted, after) in history)
        {
            _ = granted ? customer.GrantConsent(purpose, channel, T0 + after, "test") : customer.WithdrawConsent(purpose, channel, T0 + after, "test");
        }
        return customer;
    }

    private static (ConsentPurpose, ContactChannel, bool, Duration) Grant(ContactChannel channel, double days) => (ConsentPurpose.Marketing, channel, true, Duration.FromDays(days));

    private static (ConsentPurpose, ContactChannel, bool, Duration) Withdraw(ContactChannel channel, double days) => (ConsentPurpose.Marketing, channel, false, Duration.FromDays(days));

    private static string[] Ids(IEnumerable<CustomerId> ids) => ids.Select(i => i.Value).ToArray();

    [Fact]
    public async Task A_segment_defined_without_a_purpose_is_marketing_by_email_and_holds_only_consenting_customers()
    {
        using var w = new World();
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10)));
        await w.Project(Person("bob"));                                         // never asked
        await w.Project(Person("cat", Grant(ContactChannel.Sms, -10)));         // another channel
        await w.Project(Person("dan", Grant(ContactChannel.Email, -10), Withdraw(ContactChannel.Email, -1)));
        await w.Project(Person("eve", (ConsentPurpose.Research, ContactChannel.Email, true, Duration.FromDays(-10)))); // another purpose

        var segment = await w.Run(s => s.DefineDynamicAsync(Buyers, "Buyers", BuyersRule));
        Assert.Equal(PurposeOfUse.Marketing(ContactChannel.Email), segment.Purpose);
        Assert.Same(PurposeOfUse.Default, segment.Purpose);
        var refreshed = await w.Run(s => s.RefreshAsync(Buyers));
        Assert.Equal(["ann"], Ids(refreshed.Entered));
        Assert.Equal(1, await w.Run(s => s.PreviewAsync(BuyersRule)));
        Assert.Equal(5, await w.Run(s => s.PreviewAsync(BuyersRule, Notice)));
    }

    [Fact]
    public async Task Withdrawal_removes_the_customer_at_the_next_refresh_reported_as_left_even_without_reprojection()
    {
        using var w = new World();
        // The withdrawal is recorded now but takes effect in 3 days (e.g. the end of a notice period).
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10), Withdraw(ContactChannel.Email, 3)));
        await w.Project(Person("bob", Grant(ContactChannel.Email, -10)));
        await w.Run(s => s.DefineDynamicAsync(Buyers, "Buyers", BuyersRule));
        Assert.Equal(["ann", "bob"], Ids((await w.Run(s => s.RefreshAsync(Buyers))).Entered));

        w.Clock.Advance(Duration.FromDays(3));
        w.Events.Clear();
        Assert.Equal(["bob"], Ids(await w.Run(s => s.GetAudienceAsync(Buyers))));   // activation re-checks at once
        var next = await w.Run(s => s.RefreshAsync(Buyers));
        Assert.Equal(["ann"], Ids(next.Left));
        Assert.Empty(next.Entered);
        Assert.Equal([new SegmentLeft(Buyers, new CustomerId("ann"), w.Clock.GetCurrentInstant())], w.Events.EventsOf<SegmentLeft>());
        Assert.Equal(["bob"], Ids(await w.Run(s => s.GetMembersAsync(Buyers))));
    }

    [Fact]
    public async Task Reevaluating_a_customer_after_a_withdrawal_reports_the_membership_change()
    {
        using var w = new World();
        var ann = Person("ann", Grant(ContactChannel.Email, -10));
        await w.Project(ann);
        await w.Run(s => s.DefineDynamicAsync(Buyers, "Buyers", BuyersRule));
        await w.Run(s => s.RefreshAsync(Buyers));

        ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, w.Clock.GetCurrentInstant(), "unsubscribe-link");
        await w.Project(ann);
        var changes = await w.Run(s => s.ReevaluateCustomerAsync(ann.Id));
        Assert.Equal([new MembershipChange(Buyers, ann.Id, Entered: false)], changes);

        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, w.Clock.GetCurrentInstant() + Duration.FromMinutes(1), "re-subscribed");
        await w.Project(ann);
        Assert.Empty(await w.Run(s => s.ReevaluateCustomerAsync(ann.Id)));            // not yet in force
        w.Clock.Advance(Duration.FromMinutes(1));
        Assert.Equal([new MembershipChange(Buyers, ann.Id, Entered: true)], await w.Run(s => s.ReevaluateCustomerAsync(ann.Id)));
    }

    [Fact]
    public async Task Include_overrides_and_static_lists_do_not_bypass_consent()
    {
        using var w = new World();
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10)), purchases: 0);
        await w.Project(Person("bob"), purchases: 0);
        await w.Run(s => s.DefineDynamicAsync(Buyers, "Buyers", BuyersRule));
        Assert.NotNull(await w.Run(s => s.IncludeAsync(Buyers, new CustomerId("ann"))));
        Assert.Null(await w.Run(s => s.IncludeAsync(Buyers, new CustomerId("bob"))));   // the override is kept, the membership is not
        Assert.Null(await w.Run(s => s.IncludeAsync(Buyers, new CustomerId("nobody")))); // no profile, no evidence of consent
        Assert.Equal(["ann"], Ids((await w.Run(s => s.RefreshAsync(Buyers))).Entered.Concat(await w.Run(s => s.GetMembersAsync(Buyers))).Distinct()));

        var list = new SegmentId("newsletter");
        await w.Run(s => s.DefineStaticListAsync(list, "Newsletter"));
        await w.Run(s => s.IncludeAsync(list, new CustomerId("ann")));
        await w.Run(s => s.IncludeAsync(list, new CustomerId("bob")));
        await w.Run(s => s.RefreshAsync(list));
        Assert.Equal(["ann"], Ids(await w.Run(s => s.GetMembersAsync(list))));
    }

    [Fact]
    public async Task A_segment_for_another_channel_or_purpose_checks_that_consent()
    {
        using var w = new World();
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10)));
        await w.Project(Person("bob", Grant(ContactChannel.Sms, -10)));
        await w.Project(Person("cat", (ConsentPurpose.Research, ContactChannel.Sms, true, Duration.FromDays(-1))));
        var sms = new SegmentId("sms");
        await w.Run(s => s.DefineDynamicAsync(sms, "SMS", BuyersRule, PurposeOfUse.Marketing(ContactChannel.Sms)));
        Assert.Equal(["bob"], Ids((await w.Run(s => s.RefreshAsync(sms))).Entered));

        await w.Run(async s => { await s.ChangePurposeAsync(sms, PurposeOfUse.Consented(ConsentPurpose.Research, ContactChannel.Sms)); return 0; });
        var changed = await w.Run(s => s.RefreshAsync(sms));
        Assert.Equal(["cat"], Ids(changed.Entered));
        Assert.Equal(["bob"], Ids(changed.Left));
        await Assert.ThrowsAsync<SegmentNotFoundException>(() => w.Run(async s => { await s.ChangePurposeAsync(new SegmentId("missing"), Notice); return 0; }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => w.Run(s => s.DefineDynamicAsync(new SegmentId("x"), "X", BuyersRule, null!)));
    }

    [Fact]
    public async Task Audiences_check_the_purpose_asked_for_at_the_instant_of_activation()
    {
        using var w = new World();
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10), Grant(ContactChannel.Sms, -10)));
        await w.Project(Person("bob", Grant(ContactChannel.Email, -10)));
        await w.Project(Person("cat", Grant(ContactChannel.Email, -10), Withdraw(ContactChannel.Email, 1)));
        await w.Run(s => s.DefineDynamicAsync(Buyers, "Buyers", BuyersRule));
        await w.Run(s => s.RefreshAsync(Buyers));

        Assert.Equal(["ann", "bob", "cat"], Ids(await w.Run(s => s.GetAudienceAsync(Buyers))));
        Assert.Equal(["ann"], Ids(await w.Run(s => s.GetAudienceAsync(Buyers, PurposeOfUse.Marketing(ContactChannel.Sms)))));
        w.Clock.Advance(Duration.FromDays(1));
        Assert.Equal(["ann", "bob"], Ids(await w.Run(s => s.GetAudienceAsync(Buyers))));
        Assert.Equal(["ann", "bob", "cat"], Ids(await w.Run(s => s.GetAudienceAsync(Buyers, Notice))));   // not marketing: stated, all members
        await Assert.ThrowsAsync<SegmentNotFoundException>(() => w.Run(s => s.GetAudienceAsync(new SegmentId("missing"))));
        await Assert.ThrowsAsync<ArgumentNullException>(() => w.Run(s => s.GetAudienceAsync(Buyers, null!)));
    }

    [Fact]
    public async Task A_non_marketing_segment_holds_every_match_and_keeps_the_record_of_its_purpose()
    {
        using var w = new World();
        await w.Project(Person("ann", Grant(ContactChannel.Email, -10)));
        await w.Project(Person("bob"));
        var notice = new SegmentId("tariff-notice");
        await w.Run(s => s.DefineDynamicAsync(notice, "Tariff change notice", BuyersRule, Notice));
        Assert.Equal(["ann", "bob"], Ids((await w.Run(s => s.RefreshAsync(notice))).Entered));
        Assert.Equal(["ann", "bob"], Ids(await w.Run(s => s.GetAudienceAsync(notice))));

        // The segment keeps basis, justification and actor (the audit record) through storage snapshots.
        var copy = (Segment)Segment.CreateDynamic(notice, "Tariff change notice", BuyersRule, Notice).Snapshot();
        Assert.Equal((LawfulBasis.LegalObligation, "tariff change notice", "billing-ops"), (copy.Purpose.Basis, copy.Purpose.Justification, copy.Purpose.DecidedBy));
    }

    [Fact]
    public async Task The_segmentation_docs_example_does_what_its_comments_say()
    {
        using var w = new World();
        var ann = Person("1", Grant(ContactChannel.Email, -90), Withdraw(ContactChannel.Email, 7));
        await w.Project(ann, purchases: 6);
        await w.Project(Person("2"), purchases: 6);
        await w.Run(s => s.DefineDynamicAsync(Buyers, "Frequent buyers", new FieldCondition("purchases.count", RuleOperator.Gte, 3)));
        Assert.Equal("buyers: +1 -0 = 1", (await w.Run(s => s.RefreshAsync(Buyers))).ToString());
        w.Clock.Advance(Duration.FromDays(8));
        Assert.Empty(await w.Run(s => s.GetAudienceAsync(Buyers)));
        Assert.Equal("buyers: +0 -1 = 0", (await w.Run(s => s.RefreshAsync(Buyers))).ToString());
        var notice = new SegmentId("tariff-notice");
        await w.Run(s => s.DefineDynamicAsync(notice, "Tariff change notice", new FieldCondition("purchases.count", RuleOperator.Gte, 1), Notice));
        Assert.Equal("tariff-notice: +2 -0 = 2", (await w.Run(s => s.RefreshAsync(notice))).ToString());
    }
}
