using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public class InteractionTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly CustomerId Ann = new("00042");
    private static readonly PurposeOfUse Notice =
        PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "delivery notice", "ops-team");

    [Fact]
    public void Record_keeps_every_part_and_raises_event()
    {
        var interaction = Interaction.Record(new InteractionId("I-1"), Ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Payment,
            T0, subject: "  Card   payment ", outcome: "paid", reference: InteractionReference.ToOrder(new TransactionId("T-9")));

        Assert.Equal(Ann, interaction.CustomerId);
        Assert.Equal(Channel.Phone, interaction.Channel);
        Assert.Equal(InteractionDirection.Inbound, interaction.Direction);
        Assert.Equal("payment", interaction.Type.Code);
        Assert.Equal("Card payment", interaction.Subject);
        Assert.Equal("paid", interaction.Outcome);
        Assert.Equal(new InteractionReference("order", "T-9"), interaction.Reference);
        Assert.Equal(new InteractionRecorded(new InteractionId("I-1"), Ann, Channel.Phone, InteractionDirection.Inbound, InteractionType.Payment, T0),
            Assert.Single(interaction.DomainEvents));
        Assert.Equal("Interaction I-1 (payment, Phone, Inbound)", interaction.ToString());
    }

    [Fact]
    public void Outcome_can_be_recorded_later()
    {
        var interaction = Interaction.Record(new InteractionId("I-2"), Ann, Channel.Chat, InteractionDirection.Inbound, InteractionType.Complaint, T0,
            reference: InteractionReference.ToCase("C-17"));
        Assert.Null(interaction.Outcome);
        interaction.RecordOutcome(" resolved ", T0 + Duration.FromHours(2));
        Assert.Equal("resolved", interaction.Outcome);
        Assert.IsType<InteractionOutcomeRecorded>(interaction.DomainEvents[^1]);
        Assert.Equal("case reference", interaction.Reference!.ToString()); // never the other system's id
        Assert.Equal("outcome", Assert.Throws<ArgumentException>(() => interaction.RecordOutcome(" ", T0)).ParamName);
        Assert.Equal("resolved", interaction.Outcome);
    }

    [Fact]
    public void Snapshot_copies_the_state()
    {
        var interaction = Interaction.Record(new InteractionId("I-3"), Ann, Channel.Web, InteractionDirection.Outbound, InteractionType.SalesContact, T0, "offer",
            purpose: Notice);
        var copy = (Interaction)interaction.Snapshot();
        interaction.RecordOutcome("accepted", T0);
        Assert.Null(copy.Outcome);
        Assert.Equal(("offer", Channel.Web, T0, Notice), (copy.Subject, copy.Channel, copy.OccurredAt, copy.Purpose));
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        static Interaction Call(InteractionId? id = null, CustomerId? customer = null, Channel channel = Channel.Web,
            InteractionDirection direction = InteractionDirection.Inbound, InteractionType? type = null, string? subject = null, string? outcome = null) =>
            Interaction.Record(id ?? new InteractionId("I"), customer ?? Ann, channel, direction, type ?? InteractionType.Enquiry, T0, subject, outcome);

        Assert.Equal("id", Assert.Throws<ArgumentException>(() => Call(id: default(InteractionId))).ParamName);
        Assert.Equal("customerId", Assert.Throws<ArgumentException>(() => Call(customer: default(CustomerId))).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentOutOfRangeException>(() => Call(channel: (Channel)99)).ParamName);
        Assert.Equal("direction", Assert.Throws<ArgumentOutOfRangeException>(() => Call(direction: 0)).ParamName);
        Assert.Equal("type", Assert.Throws<ArgumentException>(() => Call(type: default(InteractionType))).ParamName);
        Assert.Equal("subject", Assert.Throws<ArgumentException>(() => Call(subject: new string('s', 501))).ParamName);
        Assert.Equal("outcome", Assert.Throws<ArgumentException>(() => Call(outcome: "")).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => new InteractionReference("a b!", "1")).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentNullException>(() => new InteractionReference("case", null!)).ParamName);
        Assert.Equal("caseId", Assert.Throws<ArgumentException>(() => InteractionReference.ToCase(" C")).ParamName);
        Assert.Equal("transactionId", Assert.Throws<ArgumentException>(() => InteractionReference.ToOrder(default)).ParamName);
    }

    [Fact]
    public void Timeline_is_one_customer_half_open_range_newest_first()
    {
        var other = new CustomerId("00043");
        var interactions = new[]
        {
            Make("a", Ann, 0), Make("b", Ann, 10), Make("c", Ann, 10), Make("d", Ann, 20), Make("e", other, 5), Make("f", Ann, 30),
        };
        var timeline = SpecificationEvaluator.GetQuery(interactions.AsQueryable(), new InteractionTimeline(Ann, T0, T0 + Duration.FromMinutes(30)))
            .Select(i => i.Id.Value).ToList();
        Assert.Equal(["d", "c", "b", "a"], timeline);

        var latestTwo = SpecificationEvaluator.GetQuery(interactions.AsQueryable(), new InteractionTimeline(Ann, T0, T0 + Duration.FromHours(1), take: 2))
            .Select(i => i.Id.Value).ToList();
        Assert.Equal(["f", "d"], latestTwo);
    }

    [Fact]
    public void Timeline_arguments_are_validated()
    {
        Assert.Equal("customerId", Assert.Throws<ArgumentException>(() => new InteractionTimeline(default, T0, T0)).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentException>(() => new InteractionTimeline(Ann, T0, T0 - Duration.Epsilon)).ParamName);
        Assert.Equal("take", Assert.Throws<ArgumentOutOfRangeException>(() => new InteractionTimeline(Ann, T0, T0, take: 0)).ParamName);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 100)]
    public bool Timeline_equals_the_plain_LINQ_query(int[] minutes, int fromMinute, int length, bool otherCustomer)
    {
        var other = new CustomerId("00043");
        var interactions = minutes.Select((m, i) => Make("i" + i, otherCustomer && i % 3 == 0 ? other : Ann, Math.Abs(m % 120))).ToList();
        var from = T0 + Duration.FromMinutes(Math.Abs(fromMinute % 120));
        var to = from + Duration.FromMinutes(Math.Abs(length % 60));

        var viaSpec = SpecificationEvaluator.GetQuery(interactions.AsQueryable(), new InteractionTimeline(Ann, from, to)).ToList();
        var expected = interactions
            .Where(i => i.CustomerId == Ann && i.OccurredAt >= from && i.OccurredAt < to)
            .OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).ToList();
        return viaSpec.SequenceEqual(expected);
    }

    private static Interaction Make(string id, CustomerId customer, int minute) =>
        Interaction.Record(new InteractionId(id), customer, Channel.Web, InteractionDirection.Inbound, InteractionType.Visit, T0 + Duration.FromMinutes(minute));

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 50)]
    public bool Generated_interactions_are_valid_and_copy_faithfully(Interaction interaction)
    {
        var copy = (Interaction)interaction.Snapshot();
        return interaction.DomainEvents.Count == 0
            && Crm.Core.Testing.Storage.StateFingerprint.Of(copy) == Crm.Core.Testing.Storage.StateFingerprint.Of(interaction)
            && !interaction.ToString().Contains(interaction.Subject ?? "\u0000", StringComparison.Ordinal);
    }
}
