using Crm.Core.Segmentation;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Crm.Core.Tests.Segmentation;

/// <summary>
/// The database half of "one rule tree, evaluated in memory and in the database": random profiles stored in an
/// in-memory SQLite database through EF Core, random rules run as SQL, and the members must be exactly those
/// the compiled delegate selects in memory. <c>AsQueryable()</c> over objects would prove nothing (it runs any
/// closure), so this goes through a real SQL translation.
/// </summary>
public class SqliteAgreementProperties
{
    /// <summary>Each case creates a database; set CRM_DB_PROPERTY_MAXTEST (e.g. 500) to run more than the CI default.</summary>
    private static int MaxTest => int.TryParse(Environment.GetEnvironmentVariable("CRM_DB_PROPERTY_MAXTEST"), out var n) && n > 0 ? n : 8;

    [Fact]
    public void Sqlite_returns_exactly_the_in_memory_members_for_random_rules()
    {
        var property = Prop.ForAll(
            SegmentationArbitraries.ProfileSet(),
            Gen.ArrayOf(SegmentationArbitraries.RandomRule().Generator, 8).ToArbitrary(),
            SegmentationArbitraries.EvaluationDate(),
            (set, rules, date) =>
            {
                using var db = new ProfileDatabase();
                db.Store(set.Profiles);
                foreach (var rule in rules)
                {
                    var criterion = RuleCompiler.Default.Compile(rule.Rule, date.Date);
                    var inMemory = set.Profiles.Where(criterion.Compiled).Select(p => p.CustomerId.Value).Order(StringComparer.Ordinal).ToList();
                    var inDatabase = db.Members(criterion);
                    if (!inMemory.SequenceEqual(inDatabase))
                    {
                        return false.Label($"{rule} as of {date}: memory [{string.Join(",", inMemory)}] vs SQLite [{string.Join(",", inDatabase)}]");
                    }
                }
                return true.Label("agree");
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(MaxTest), property);
    }
}
