using Crm.Core.Customers;
using Crm.Core.Duplicates;
using NodaTime;

namespace Crm.Core.Tests.Duplicates;

public class SurvivorshipTest
{
    private static readonly CustomerId A = new("A");
    private static readonly CustomerId B = new("B");

    /// <summary>A (the survivor, older changes) and B (the merged record, changed later, more complete name, verified email).</summary>
    private static async Task<MergeWorld> World()
    {
        var world = new MergeWorld();
        var t = MergeWorld.T0;
        var a = Customer.Register(A, CustomerName.Person(null, "Lee"), t);
        a.AddEmail("a@example.com", t);
        a.AssignOwnership("agent-1", null, t);
        a.SetAttribute("shoe-size", AttributeValue.OfNumber(38), false, t + Duration.FromDays(2));
        a.SetAttribute("colour", AttributeValue.OfText("red"), false, t);
        await world.AddCustomer(a);
        var b = Customer.Register(B, CustomerName.Person("Ann", "Lee"), t);
        var email = b.AddEmail("b@example.com", t);
        b.MarkVerified(email.Id, t);
        b.SetBirthDate(new LocalDate(1990, 1, 2), t);
        b.AssignOwnership("agent-2", "team-9", t);
        b.SetAttribute("shoe-size", AttributeValue.OfNumber(39), false, t + Duration.FromDays(1));
        b.SetAttribute("colour", AttributeValue.OfText("blue"), false, t + Duration.FromDays(3));
        await world.AddCustomer(b);
        return world;
    }

    private static async Task<Customer> MergeWith(SurvivorshipRules rules)
    {
        await using var world = await World();
        return (await world.Merge(A, B, new CustomerMergeOptions { Survivorship = rules, Actor = "data-steward" })).Survivor;
    }

    [Fact]
    public async Task KeepPrimary_KeepsTheSurvivorsValues_AndFillsGaps()
    {
        var survivor = await MergeWith(SurvivorshipRules.Default);

        Assert.Null(survivor.Name.GivenName);
        Assert.Equal(new LocalDate(1990, 1, 2), survivor.BirthDate); // the survivor had none
        Assert.Equal(("agent-1", (string?)null), (survivor.OwnerId, survivor.TeamId));
        Assert.Equal("a@example.com", survivor.PrimaryEmail!.Address.Value);
        Assert.Equal(38m, survivor.Attributes["shoe-size"].Value.AsNumber());
        Assert.Equal("data-steward", survivor.MergeHistory.Single().Actor);
    }

    [Fact]
    public async Task Newest_TakesTheLaterChangedRecord_AndPerAttributeTheLaterValue()
    {
        var survivor = await MergeWith(SurvivorshipRules.All(SurvivorshipRule.Newest));

        Assert.Equal("Ann", survivor.Name.GivenName); // B changed last (its birth date and attributes were set later)
        Assert.Equal(("agent-2", "team-9"), (survivor.OwnerId, survivor.TeamId));
        Assert.Equal(38m, survivor.Attributes["shoe-size"].Value.AsNumber()); // A's value is newer
        Assert.Equal("blue", survivor.Attributes["colour"].Value.AsText()); // B's value is newer
    }

    [Fact]
    public async Task MostComplete_TakesTheFullerValue()
    {
        var survivor = await MergeWith(SurvivorshipRules.All(SurvivorshipRule.MostComplete));

        Assert.Equal("Ann", survivor.Name.GivenName);
        Assert.Equal(("agent-2", "team-9"), (survivor.OwnerId, survivor.TeamId));
        Assert.Equal("b@example.com", survivor.PrimaryEmail!.Address.Value); // verified beats unverified
        Assert.Equal(2, survivor.Emails.Count());
    }

    [Fact]
    public async Task Callback_DecidesPerField()
    {
        var asked = new List<MergeField>();
        var rule = SurvivorshipRule.Choose((field, survivor, merged) =>
        {
            asked.Add(field);
            return field == MergeField.Ownership ? MergeSide.Merged : MergeSide.Survivor;
        });

        var result = await MergeWith(SurvivorshipRules.All(rule));

        Assert.Equal(("agent-2", "team-9"), (result.OwnerId, result.TeamId));
        Assert.Null(result.Name.GivenName);
        Assert.Contains(MergeField.Name, asked);
        Assert.Contains(MergeField.Attributes, asked);
        Assert.DoesNotContain(MergeField.BirthDate, asked); // only one record has a value: no choice to make
    }
}
