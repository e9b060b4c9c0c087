using Crm.Core.Customers;
using Crm.Core.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Crm.Core.Testing.Storage;

/// <summary>
/// The conformance kit for an <see cref="ICustomerProfileStore"/> (the segmentation read model): random rules over random
/// profiles must select exactly the customers the compiled rule selects in memory, in batches no larger than asked,
/// with matching counts; consent criteria (marketing segments' consent test) agree with the in-memory answer; profiles
/// round-trip unchanged and an upsert replaces everything of the previous profile.
/// </summary>
/// <remarks>
/// Every test writes customers with fresh ids and restricts its rules to them, so a shared database is fine. Each case
/// writes up to 40 profiles; <see cref="Cases"/> sets how many random populations are checked.
/// </remarks>
public abstract class CustomerProfileStoreConformanceTests : StoreConformanceTests
{
    /// <summary>How many random populations (each checked against 8 random rules) a run checks.</summary>
    protected virtual int Cases => 6;

    /// <summary>Random rules select exactly the in-memory members, in bounded batches, and counts agree.</summary>
    [SkippableFact]
    public async Task Rules_select_exactly_the_in_memory_members()
    {
        var cases = (from set in SegmentationArbitraries.ProfileSet().Generator
                     from rules in Gen.ArrayOf(SegmentationArbitraries.RandomRule().Generator, 8)
                     from date in SegmentationArbitraries.EvaluationDate().Generator
                     select (set, rules, date)).Sample(Cases);
        foreach (var (set, rules, date) in cases)
        {
            var run = Guid.NewGuid().ToString("N")[..12];
            foreach (var profile in set.Profiles)
            {
                profile.CustomerId = new CustomerId($"{run}-{profile.CustomerId.Value}");
            }
            var ids = set.Profiles.Select(p => p.CustomerId).ToList();
            await InScopeAsync(async sp =>
            {
                var store = sp.GetRequiredService<ICustomerProfileStore>();
                foreach (var profile in set.Profiles)
                {
                    await store.UpsertAsync(profile);
                }
                foreach (var rule in rules)
                {
                    // Only this case's customers: other tests may share the store.
                    var criterion = RuleCompiler.Default.Compile(rule.Rule, date.Date) & Criterion<CustomerProfile>.Where(p => ids.Contains(p.CustomerId));
                    var expected = set.Profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
                    var actual = new List<string>();
                    await foreach (var batch in store.StreamMatchingAsync(criterion, 7))
                    {
                        Assert.InRange(batch.Count, 1, 7);
                        actual.AddRange(batch.Select(c => c.Value));
                    }
                    actual.Sort(StringComparer.Ordinal);
                    Assert.True(expected.SequenceEqual(actual), $"{rule} as of {date}: in memory [{string.Join(",", expected)}], store [{string.Join(",", actual)}]");
                    Assert.Equal(expected.Count, await store.CountAsync(criterion));
                }
            });
        }
    }

    /// <summary>
    /// Consent criteria (what marketing segments AND onto their rule) select exactly the profiles whose consent
    /// periods cover the instant, for random periods, purposes, channels and instants (often on a period's bound).
    /// </summary>
    [SkippableFact]
    public async Task Consent_criteria_select_exactly_the_in_memory_members()
    {
        var keys = new[] { (ConsentPurpose.Marketing, ContactChannel.Email), (ConsentPurpose.Marketing, ContactChannel.Sms), (ConsentPurpose.Research, ContactChannel.Email), (ConsentPurpose.Marketing, ContactChannel.Push) };
        var cases = (from set in SegmentationArbitraries.ProfileSet().Generator
                     from instants in Gen.ArrayOf(SegmentationArbitraries.ConsentInstant(), 6)
                     from rule in SegmentationArbitraries.RandomRule().Generator
                     select (set, instants, rule)).Sample(Cases);
        foreach (var (set, instants, rule) in cases)
        {
            var run = Guid.NewGuid().ToString("N")[..12];
            foreach (var profile in set.Profiles)
            {
                profile.CustomerId = new CustomerId($"{run}-{profile.CustomerId.Value}");
            }
            var ids = set.Profiles.Select(p => p.CustomerId).ToList();
            await InScopeAsync(async sp =>
            {
                var store = sp.GetRequiredService<ICustomerProfileStore>();
                foreach (var profile in set.Profiles)
                {
                    await store.UpsertAsync(profile);
                }
                foreach (var (at, (purpose, channel)) in instants.Zip(keys.Concat(keys)))
                {
                    var mine = Criterion<CustomerProfile>.Where(p => ids.Contains(p.CustomerId));
                    foreach (var criterion in new[] { ConsentCriteria.InForce(purpose, channel, at) & mine,
                        RuleCompiler.Default.Compile(rule.Rule, SegmentationArbitraries.Anchor) & ConsentCriteria.InForce(purpose, channel, at) & mine })
                    {
                        var expected = set.Profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
                        Assert.True(expected.SequenceEqual(set.Profiles.Where(p => criterion.Compiled(p) && p.HasConsentInForce(purpose, channel, at)).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal)));
                        var actual = new List<string>();
                        await foreach (var batch in store.StreamMatchingAsync(criterion, 50))
                        {
                            actual.AddRange(batch.Select(c => c.Value));
                        }
                        actual.Sort(StringComparer.Ordinal);
                        Assert.True(expected.SequenceEqual(actual), $"consent {purpose} on {channel} at {at}: in memory [{string.Join(",", expected)}], store [{string.Join(",", actual)}]");
                    }
                }
            });
        }
    }

    /// <summary>Profiles come back unchanged; an upsert replaces the whole previous profile; removing twice is harmless.</summary>
    [SkippableFact]
    public async Task Profiles_round_trip_and_upsert_replaces_everything()
    {
        var profiles = SegmentationArbitraries.Profile().Sample(10);
        await InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<ICustomerProfileStore>();
            foreach (var profile in profiles)
            {
                profile.CustomerId = new CustomerId("rt-" + Guid.NewGuid().ToString("N"));
                await store.UpsertAsync(profile);
                Assert.Equal(StateFingerprint.Of(profile), StateFingerprint.Of(await store.FindAsync(profile.CustomerId)));
            }
            var replacement = profiles[1]; // the store keeps copies, so the stored second profile is not affected
            replacement.CustomerId = profiles[0].CustomerId;
            await store.UpsertAsync(replacement);
            Assert.Equal(StateFingerprint.Of(replacement), StateFingerprint.Of(await store.FindAsync(profiles[0].CustomerId)));

            await store.RemoveAsync(profiles[0].CustomerId);
            Assert.Null(await store.FindAsync(profiles[0].CustomerId));
            await store.RemoveAsync(profiles[0].CustomerId);
            Assert.Null(await store.FindAsync(new CustomerId("never-" + Guid.NewGuid().ToString("N"))));
        });
    }

    /// <summary>The store keeps its own copy: changing a profile after upserting it changes nothing stored.</summary>
    [SkippableFact]
    public async Task Stored_profiles_are_not_shared_with_callers()
    {
        await InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<ICustomerProfileStore>();
            var profile = new CustomerProfile(new CustomerId("copy-" + Guid.NewGuid().ToString("N"))) { PurchaseCount = 1, Tags = ["vip"] };
            await store.UpsertAsync(profile);
            profile.PurchaseCount = 99;
            profile.Tags.Add("changed");
            var loaded = await store.FindAsync(profile.CustomerId);
            Assert.Equal(1, loaded!.PurchaseCount);
            Assert.Equal(["vip"], loaded.Tags);
        });
    }

    /// <summary>Arguments are checked.</summary>
    [SkippableFact]
    public async Task Arguments_are_checked()
    {
        await InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<ICustomerProfileStore>();
            await Assert.ThrowsAsync<ArgumentNullException>(() => store.UpsertAsync(null!));
            await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(new CustomerProfile()));
            var withNull = new CustomerProfile(new CustomerId("null-" + Guid.NewGuid().ToString("N"))) { Holdings = [null!] };
            Assert.Equal("profile", (await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(withNull))).ParamName);
            Assert.Null(await store.FindAsync(withNull.CustomerId));
            await Assert.ThrowsAsync<ArgumentException>(() => store.FindAsync(default));
            await Assert.ThrowsAsync<ArgumentNullException>(() => store.CountAsync(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => store.StreamMatchingAsync(Criterion<CustomerProfile>.True, 0));
        });
    }
}
