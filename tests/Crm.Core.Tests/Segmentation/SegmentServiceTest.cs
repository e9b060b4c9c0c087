using Crm.Core.Customers;
using Crm.Core.DependencyInjection;
using Crm.Core.Segmentation;
using Crm.Core.Storage;
using Crm.Core.Testing;
using Crm.Core.Testing.Fakes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Crm.Core.Tests.Segmentation;

public class SegmentServiceTest
{
    private static readonly SegmentId Frequent = new("frequent");
    private static readonly RuleNode FrequentRule = new FieldCondition("purchases.count", RuleOperator.Gte, 2);

    private sealed class Harness : IDisposable
    {
        private readonly ServiceProvider _provider;

        public Harness(ICustomerProfileStore? profiles = null)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(Clock);
            services.AddSingleton<IDomainEventDispatcher>(Events);
            if (profiles is not null)
            {
                services.AddSingleton(profiles);
            }
            services.AddCrmCore(o => o.DefaultTimeZone = DateTimeZoneProviders.Tzdb["Europe/Berlin"]).UseInMemoryStore();
            _provider = services.BuildServiceProvider();
            Profiles = _provider.GetRequiredService<ICustomerProfileStore>();
        }

        public FakeClock Clock { get; } = new(Instant.FromUtc(2024, 3, 1, 12, 0));

        public RecordingDomainEventDispatcher Events { get; } = new();

        public ICustomerProfileStore Profiles { get; }

        /// <summary>A fresh scope (unit of work) per use case, as a host would do.</summary>
        public async Task<T> Run<T>(Func<SegmentService, Task<T>> action)
        {
            using var scope = _provider.CreateScope();
            return await action(scope.ServiceProvider.GetRequiredService<SegmentService>());
        }

        // The harness's customers all opted in to marketing by email long ago: segments are marketing by default, and
        // these tests are about rules. Consent itself is tested in SegmentServiceConsentTest.
        public Task Upsert(string id, int purchases, params string[] consents) =>
            Profiles.UpsertAsync(new CustomerProfile(new CustomerId(id))
            {
                PurchaseCount = purchases,
                Consents = [.. consents],
                ConsentPeriods = [TestConsents.EmailMarketing()],
            });

        public void Dispose() => _provider.Dispose();
    }

    private static string[] Ids(IEnumerable<CustomerId> ids) => ids.Select(i => i.Value).ToArray();

    [Fact]
    public async Task The_default_segment_id_is_refused_by_every_operation()
    {
        using var harness = new Harness();
        SegmentId none = default;

        var calls = new Func<SegmentService, Task>[]
        {
            s => s.RefreshAsync(none), s => s.PreviewAsync(none), s => s.GetMembersAsync(none), s => s.GetAudienceAsync(none),
            s => s.ChangeRuleAsync(none, FrequentRule), s => s.IncludeAsync(none, new CustomerId("c1")), s => s.ExplainAsync(none, new CustomerId("c1")),
        };
        foreach (var call in calls)
        {
            Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => harness.Run(async s => { await call(s); return 0; }))).ParamName);
        }
    }

    [Fact]
    public async Task Refresh_applies_exactly_the_difference_and_raises_events_for_changed_customers_only()
    {
        using var h = new Harness();
        await h.Upsert("a", 1);
        await h.Upsert("b", 2);
        await h.Upsert("c", 5);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent buyers", FrequentRule));

        var first = await h.Run(s => s.RefreshAsync(Frequent));
        Assert.Equal(["b", "c"], Ids(first.Entered));
        Assert.Empty(first.Left);
        Assert.Equal(["b", "c"], Ids(h.Events.EventsOf<SegmentEntered>().Select(e => e.CustomerId)));
        h.Events.Clear();

        await h.Upsert("a", 3);
        await h.Upsert("b", 0);
        var second = await h.Run(s => s.RefreshAsync(Frequent));
        Assert.Equal(["a"], Ids(second.Entered));
        Assert.Equal(["b"], Ids(second.Left));
        Assert.Equal(2, second.MemberCount);
        Assert.Equal(["a"], Ids(h.Events.EventsOf<SegmentEntered>().Select(e => e.CustomerId)));
        Assert.Equal(["b"], Ids(h.Events.EventsOf<SegmentLeft>().Select(e => e.CustomerId)));
        Assert.Equal(["a", "c"], Ids(await h.Run(s => s.GetMembersAsync(Frequent))));
    }

    [Fact]
    public async Task Refreshing_twice_raises_nothing_the_second_time()
    {
        using var h = new Harness();
        await h.Upsert("a", 4);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        await h.Run(s => s.RefreshAsync(Frequent));
        h.Events.Clear();
        var again = await h.Run(s => s.RefreshAsync(Frequent));
        Assert.Empty(again.Entered);
        Assert.Empty(again.Left);
        Assert.Empty(h.Events.Events);
    }

    [Fact]
    public async Task Members_stay_readable_and_unchanged_while_a_refresh_is_computing()
    {
        var store = new ObservingProfileStore();
        using var h = new Harness(store);
        await h.Upsert("a", 4);
        await h.Upsert("b", 4);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        await h.Run(s => s.RefreshAsync(Frequent));
        await h.Upsert("a", 0);
        await h.Upsert("c", 9);

        // While the refresh streams profiles, another unit of work reads the members: it must see the old set, not a gap.
        store.DuringStream = () => h.Run(s => s.GetMembersAsync(Frequent)).GetAwaiter().GetResult();
        var result = await h.Run(s => s.RefreshAsync(Frequent));
        Assert.Equal(["a", "b"], Ids(store.SeenDuringStream!));
        Assert.Equal(["b", "c"], Ids(await h.Run(s => s.GetMembersAsync(Frequent))));
        Assert.Equal(["c"], Ids(result.Entered));
    }

    [Fact]
    public async Task Preview_counts_and_diffs_without_changing_membership()
    {
        using var h = new Harness();
        await h.Upsert("a", 4);
        await h.Upsert("b", 1);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        var preview = await h.Run(s => s.PreviewAsync(Frequent));
        Assert.False(preview.Applied);
        Assert.Equal(1, preview.MemberCount);
        Assert.Equal(["a"], Ids(preview.Entered));
        Assert.Empty(await h.Run(s => s.GetMembersAsync(Frequent)));
        Assert.Equal(2, await h.Run(s => s.PreviewAsync(new FieldCondition("purchases.count", RuleOperator.Gte, 1))));
        Assert.Empty(h.Events.Events);
    }

    [Fact]
    public async Task Overrides_win_over_the_rule_and_apply_at_once()
    {
        using var h = new Harness();
        await h.Upsert("a", 4);
        await h.Upsert("b", 0);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        await h.Run(s => s.RefreshAsync(Frequent));

        Assert.Equal(new MembershipChange(Frequent, new CustomerId("b"), true), await h.Run(s => s.IncludeAsync(Frequent, new CustomerId("b"))));
        Assert.Equal(new MembershipChange(Frequent, new CustomerId("a"), false), await h.Run(s => s.ExcludeAsync(Frequent, new CustomerId("a"))));
        var refreshed = await h.Run(s => s.RefreshAsync(Frequent));
        Assert.Empty(refreshed.Entered);
        Assert.Empty(refreshed.Left);
        Assert.Equal(["b"], Ids(await h.Run(s => s.GetMembersAsync(Frequent))));

        Assert.Equal(new MembershipChange(Frequent, new CustomerId("a"), true), await h.Run(s => s.ClearOverrideAsync(Frequent, new CustomerId("a"))));
        Assert.Equal(["a", "b"], Ids(await h.Run(s => s.GetMembersAsync(Frequent))));
    }

    [Fact]
    public async Task Static_lists_are_changed_by_hand_only()
    {
        using var h = new Harness();
        var vip = new SegmentId("vip-list");
        await h.Upsert("x", 0);
        await h.Upsert("y", 0);
        await h.Run(s => s.DefineStaticListAsync(vip, "VIP list"));
        await h.Run(s => s.IncludeAsync(vip, new CustomerId("x")));
        await h.Run(s => s.IncludeAsync(vip, new CustomerId("y")));
        await h.Run(s => s.ExcludeAsync(vip, new CustomerId("x")));
        var refreshed = await h.Run(s => s.RefreshAsync(vip));
        Assert.Empty(refreshed.Entered);
        Assert.Equal(["y"], Ids(await h.Run(s => s.GetMembersAsync(vip))));
        await Assert.ThrowsAsync<SegmentKindException>(() => h.Run(async s => { await s.ChangeRuleAsync(vip, FrequentRule); return 0; }));
    }

    [Fact]
    public async Task Reevaluating_one_customer_changes_only_their_memberships()
    {
        using var h = new Harness();
        await h.Upsert("a", 0);
        await h.Upsert("b", 0);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        await h.Run(s => s.DefineDynamicAsync(new SegmentId("any-buyer"), "Any buyer", new FieldCondition("purchases.count", RuleOperator.Gte, 1)));
        await h.Upsert("a", 3);
        await h.Upsert("b", 3);
        var changes = await h.Run(s => s.ReevaluateCustomerAsync(new CustomerId("a")));
        Assert.Equal(
            [new MembershipChange(new SegmentId("any-buyer"), new CustomerId("a"), true), new MembershipChange(Frequent, new CustomerId("a"), true)],
            changes);
        Assert.Equal(["a"], Ids(await h.Run(s => s.GetMembersAsync(Frequent))));
        Assert.Equal(["any-buyer", "frequent"], (await h.Run(s => s.GetSegmentsOfAsync(new CustomerId("a")))).Select(x => x.Value));
        Assert.Empty(await h.Run(s => s.ReevaluateCustomerAsync(new CustomerId("a"))));
    }

    [Fact]
    public async Task Segment_references_expand_and_cycles_are_rejected()
    {
        using var h = new Harness();
        await h.Upsert("a", 4, CustomerProfile.ConsentKey("marketing", Channel.Email));
        await h.Upsert("b", 4);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", FrequentRule));
        var reachable = new SegmentId("reachable-frequent");
        await h.Run(s => s.DefineDynamicAsync(reachable, "Reachable", new AllOf(new SegmentCondition("frequent"), new ConsentCondition("marketing", Channel.Email))));
        Assert.Equal(["a"], Ids((await h.Run(s => s.RefreshAsync(reachable))).Entered));

        var error = await Assert.ThrowsAsync<SegmentDefinitionException>(() => h.Run(async s => { await s.ChangeRuleAsync(Frequent, new SegmentCondition("reachable-frequent")); return 0; }));
        Assert.Contains(error.Errors, e => e.Message.Contains("cycle", StringComparison.Ordinal) && e.Path.StartsWith("$.rule", StringComparison.Ordinal));
        var unknown = await Assert.ThrowsAsync<SegmentDefinitionException>(() => h.Run(s => s.DefineDynamicAsync(new SegmentId("x"), "X", new SegmentCondition("nope"))));
        Assert.Equal("$.rule.segment", unknown.Errors.Single().Path);
        // The failed change left the stored rule alone.
        Assert.Equal(["a", "b"], Ids((await h.Run(s => s.PreviewAsync(Frequent))).Entered.Concat(await h.Run(s => s.GetMembersAsync(Frequent))).Distinct().Order()));
    }

    [Fact]
    public async Task Explain_reports_conditions_with_actual_values()
    {
        using var h = new Harness();
        await h.Upsert("a", 1);
        await h.Run(s => s.DefineDynamicAsync(Frequent, "Frequent", new AllOf(FrequentRule, new FieldCondition("tags", RuleOperator.IsEmpty))));
        var explanation = await h.Run(s => s.ExplainAsync(Frequent, new CustomerId("a")));
        Assert.False(explanation.Matched);
        var conditions = explanation.Conditions.ToList();
        Assert.Equal(("$.rule.all[0]", false, "1"), (conditions[0].Path, conditions[0].Matched, conditions[0].Actual));
        Assert.Equal(("$.rule.all[1]", true), (conditions[1].Path, conditions[1].Matched));
        await Assert.ThrowsAsync<ProfileNotFoundException>(() => h.Run(s => s.ExplainAsync(Frequent, new CustomerId("nobody"))));
        await Assert.ThrowsAsync<SegmentNotFoundException>(() => h.Run(s => s.RefreshAsync(new SegmentId("missing"))));
    }

    [Fact]
    public void Refresh_diff_applied_to_old_members_gives_the_new_members()
    {
        var property = Prop.ForAll(
            SegmentationArbitraries.ProfileSet(),
            SegmentationArbitraries.ProfileSet(),
            SegmentationArbitraries.RandomRule(),
            (before, after, rule) =>
            {
                using var h = new Harness();
                foreach (var p in before.Profiles)
                {
                    h.Profiles.UpsertAsync(p).GetAwaiter().GetResult();
                }
                h.Run(s => s.DefineDynamicAsync(Frequent, "Random", rule.Rule)).GetAwaiter().GetResult();
                h.Run(s => s.RefreshAsync(Frequent)).GetAwaiter().GetResult();
                var old = h.Run(s => s.GetMembersAsync(Frequent)).GetAwaiter().GetResult();
                foreach (var p in before.Profiles.Where(p => after.Profiles.All(q => q.CustomerId != p.CustomerId)))
                {
                    h.Profiles.RemoveAsync(p.CustomerId).GetAwaiter().GetResult();
                }
                foreach (var p in after.Profiles)
                {
                    h.Profiles.UpsertAsync(p).GetAwaiter().GetResult();
                }
                h.Events.Clear();
                var diff = h.Run(s => s.RefreshAsync(Frequent)).GetAwaiter().GetResult();
                var now = h.Run(s => s.GetMembersAsync(Frequent)).GetAwaiter().GetResult();
                var criterion = RuleCompiler.Default.Compile(rule.Rule, h.Clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Berlin"]).Date);
                // Segments are marketing by email by default: only profiles whose consent period covers the refresh instant.
                var expected = after.Profiles.Where(criterion.Compiled)
                    .Where(p => p.HasConsentInForce(ConsentPurpose.Marketing, ContactChannel.Email, h.Clock.GetCurrentInstant()))
                    .Select(p => p.CustomerId).Order().ToList();
                var applied = old.Union(diff.Entered).Except(diff.Left).Order().ToList();
                return applied.SequenceEqual(now) && now.SequenceEqual(expected)
                    && h.Events.EventsOf<SegmentEntered>().Select(e => e.CustomerId).Order().SequenceEqual(diff.Entered)
                    && h.Events.EventsOf<SegmentLeft>().Select(e => e.CustomerId).Order().SequenceEqual(diff.Left)
                    && !diff.Entered.Intersect(old).Any() && diff.Left.All(old.Contains);
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    /// <summary>An in-memory profile store that runs a callback in the middle of streaming matches.</summary>
    private sealed class ObservingProfileStore : ICustomerProfileStore
    {
        private readonly InMemoryCustomerProfileStore _inner = new();

        public Func<IReadOnlyList<CustomerId>>? DuringStream { get; set; }

        public IReadOnlyList<CustomerId>? SeenDuringStream { get; private set; }

        public Task<CustomerProfile?> FindAsync(CustomerId customerId, CancellationToken cancellationToken = default) => _inner.FindAsync(customerId, cancellationToken);

        public async IAsyncEnumerable<IReadOnlyList<CustomerId>> StreamMatchingAsync(Criterion<CustomerProfile> criterion, int batchSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var batch in _inner.StreamMatchingAsync(criterion, 1, cancellationToken))
            {
                yield return batch;
                if (DuringStream is not null)
                {
                    SeenDuringStream = DuringStream();
                }
            }
        }

        public Task<long> CountAsync(Criterion<CustomerProfile> criterion, CancellationToken cancellationToken = default) => _inner.CountAsync(criterion, cancellationToken);

        public Task UpsertAsync(CustomerProfile profile, CancellationToken cancellationToken = default) => _inner.UpsertAsync(profile, cancellationToken);

        public Task RemoveAsync(CustomerId customerId, CancellationToken cancellationToken = default) => _inner.RemoveAsync(customerId, cancellationToken);
    }
}
