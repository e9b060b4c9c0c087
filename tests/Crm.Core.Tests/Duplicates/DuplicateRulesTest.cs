using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Duplicates;

public class DuplicateRulesTest
{
    private static readonly Instant T = MergeWorld.T0;

    private static Customer Person(string id, string given, string family) => Customer.Register(new CustomerId(id), CustomerName.Person(given, family), T);

    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.84)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("abc", "xyz", 0.0)]
    public void JaroWinkler_MatchesPublishedValues(string a, string b, double expected) =>
        Assert.Equal(expected, NameSimilarity.JaroWinkler(a, b), 3);

    [Fact]
    public void NameNormalisation_IgnoresCaseAccentsPunctuationAndWordOrder() =>
        Assert.Equal(NameSimilarity.Normalise(CustomerName.Person("Zoë", "O'Brien")), NameSimilarity.Normalise(CustomerName.Person("o brien", "ZOE")));

    [Fact]
    public void Email_Phone_ExternalId_EachMatchAlone()
    {
        var a = Person("A", "Ann", "Lee");
        var email = Person("B", "Bob", "Smith");
        var phone = Person("C", "Cy", "Jones");
        var external = Person("D", "Di", "Park");
        a.AddEmail("ann@example.com", T);
        a.AddPhone(PhoneNumber.Parse("+1 212 555 0101", "US"), T);
        a.LinkExternalId("crm", "X-1", T);
        email.AddEmail("Ann@Example.com", T);
        phone.AddPhone(PhoneNumber.Parse("(212) 555-0101", "US"), T);
        external.LinkExternalId("CRM", "X-1", T);

        Assert.Equal([MatchReason.Email], DuplicateRules.Default.Compare(a, email)!.Reasons);
        Assert.Equal([MatchReason.Phone], DuplicateRules.Default.Compare(a, phone)!.Reasons);
        Assert.Equal([MatchReason.ExternalId], DuplicateRules.Default.Compare(a, external)!.Reasons);
        Assert.Equal(1.0, DuplicateRules.Default.Compare(a, external)!.Score);
        Assert.Null(DuplicateRules.Default.Compare(email, phone));
    }

    [Fact]
    public void TurnedOffRules_AndTheMinimumScore_AreRespected()
    {
        var a = Person("A", "Ann", "Lee");
        var b = Person("B", "Bob", "Smith");
        a.AddPhone(PhoneNumber.Parse("+1 212 555 0101", "US"), T);
        b.AddPhone(PhoneNumber.Parse("+1 212 555 0101", "US"), T);

        Assert.Null((DuplicateRules.Default with { PhoneWeight = 0 }).Compare(a, b));
        Assert.Null((DuplicateRules.Default with { MinimumScore = 0.95 }).Compare(a, b));
        Assert.NotNull(DuplicateRules.Default.Compare(a, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuplicateRules.Default with { EmailWeight = 1.5 });
    }

    [Fact]
    public async Task Scan_ReturnsEachPairOnce_WithReasons_AndSkipsTombstones()
    {
        await using var world = new MergeWorld();
        var people = new[]
        {
            (Id: "P1", Email: "one@example.com", Postal: "AB1 2CD", Given: "Jonathan", Family: "Smyth"),
            (Id: "P2", Email: "ONE@example.com", Postal: "ZZ9 9ZZ", Given: "Someone", Family: "Else"),
            (Id: "P3", Email: "three@example.com", Postal: "AB1 2CD", Given: "Jonathon", Family: "Smyth"),
            (Id: "P4", Email: "four@example.com", Postal: "XY1 1XY", Given: "Jonathan", Family: "Smyth"),
        };
        foreach (var p in people)
        {
            var c = Person(p.Id, p.Given, p.Family);
            c.AddEmail(p.Email, T);
            c.AddPostalAddress(new PostalAddress("1 Street", "Town", "GB", p.Postal), T);
            await world.AddCustomer(c);
        }

        var pairs = await world.Read(async sp => await sp.GetRequiredService<DuplicateFinder>().ScanAsync(DuplicateRules.WithFuzzyNames).ToListAsync());

        Assert.Equal(["P1 ~ P2 (Email)", "P1 ~ P3 (NameAndPostalCode)"], pairs.Select(p => $"{p.First} ~ {p.Second} ({string.Join(",", p.Reasons)})"));
        await world.Merge(new CustomerId("P1"), new CustomerId("P2"));
        var after = await world.Read(async sp => await sp.GetRequiredService<DuplicateFinder>().ScanAsync(DuplicateRules.WithFuzzyNames).ToListAsync());
        Assert.Equal(["P1 ~ P3"], after.Select(p => $"{p.First} ~ {p.Second}"));
    }

    [Fact]
    public async Task Scan_SkipsOversizedBlocks()
    {
        await using var world = new MergeWorld();
        for (var i = 0; i < 5; i++)
        {
            var c = Person($"S{i}", "Shared", $"Inbox{i}");
            c.AddEmail("info@example.com", T);
            await world.AddCustomer(c);
        }

        var all = await world.Read(async sp => await sp.GetRequiredService<DuplicateFinder>().ScanAsync().ToListAsync());
        var capped = await world.Read(async sp => await sp.GetRequiredService<DuplicateFinder>().ScanAsync(DuplicateRules.Default with { MaxBlockSize = 3 }).ToListAsync());

        Assert.Equal(10, all.Count); // 5 choose 2
        Assert.Equal(3, capped.Count); // S1~S0, S2~S0, S2~S1; then the block is full
    }
}
