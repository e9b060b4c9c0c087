using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public class InteractionPurposeTest
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 3, 1, 9, 0);

    private static Customer Ann()
    {
        var ann = Customer.Register(new CustomerId("00042"), CustomerName.Person("Ann", "Example"), T0 - Duration.FromDays(100));
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, T0 - Duration.FromDays(10), "web-signup");
        ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, T0 + Duration.FromDays(10), "unsubscribe-link");
        return ann;
    }

    private static Interaction Campaign(Customer customer, Instant at, PurposeOfUse purpose) =>
        Interaction.RecordOutbound(new InteractionId("I-1"), customer, Channel.Email, InteractionType.SalesContact, at, purpose, "Spring sale");

    [Fact]
    public void Outbound_marketing_with_consent_in_force_is_recorded_with_its_purpose()
    {
        var interaction = Campaign(Ann(), T0, PurposeOfUse.Marketing(ContactChannel.Email));
        Assert.Equal(InteractionDirection.Outbound, interaction.Direction);
        Assert.Equal(PurposeOfUse.Marketing(ContactChannel.Email), interaction.Purpose);
        Assert.True(interaction.Purpose!.RequiresConsent);
    }

    [Fact]
    public void Outbound_marketing_without_consent_at_its_instant_fails_saying_what_to_do()
    {
        var ann = Ann();
        foreach (var at in new[] { T0 - Duration.FromDays(11), T0 + Duration.FromDays(10), T0 + Duration.FromDays(30) })
        {
            var ex = Assert.Throws<ConsentRequiredException>(() => Campaign(ann, at, PurposeOfUse.Marketing(ContactChannel.Email)));
            Assert.Equal((ann.Id, ConsentPurpose.Marketing, ContactChannel.Email, at), (ex.CustomerId, ex.Purpose, ex.Channel, ex.At));
            Assert.Contains("GrantConsent", ex.Message, StringComparison.Ordinal);
            Assert.Contains("PurposeOfUse.NonMarketing", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Ann", ex.Message, StringComparison.Ordinal); // no personal data, only the id
            Assert.IsAssignableFrom<CrmException>(ex);
        }
        // Consent on another channel does not count.
        Assert.Throws<ConsentRequiredException>(() => Campaign(ann, T0, PurposeOfUse.Marketing(ContactChannel.Sms)));
    }

    [Fact]
    public void Outbound_non_marketing_is_recorded_without_consent_with_basis_justification_and_actor()
    {
        var purpose = PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Sms, LawfulBasis.LegalObligation, "  product   recall ", "compliance-desk");
        var interaction = Campaign(Ann(), T0 + Duration.FromDays(30), purpose);
        Assert.Equal((LawfulBasis.LegalObligation, "product recall", "compliance-desk"),
            (interaction.Purpose!.Basis, interaction.Purpose.Justification, interaction.Purpose.DecidedBy));
        Assert.False(interaction.Purpose.RequiresConsent);
        Assert.DoesNotContain("recall", interaction.Purpose.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("compliance", interaction.Purpose.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Record_refuses_outbound_without_a_non_marketing_purpose_and_inbound_with_one()
    {
        var id = new InteractionId("I-2");
        var ann = new CustomerId("00042");
        var notice = PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "delivery notice", "ops");
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() =>
            Interaction.Record(id, ann, Channel.Email, InteractionDirection.Outbound, InteractionType.SalesContact, T0)).ParamName);
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() =>
            Interaction.Record(id, ann, Channel.Email, InteractionDirection.Outbound, InteractionType.SalesContact, T0, purpose: PurposeOfUse.Marketing(ContactChannel.Email))).ParamName);
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() =>
            Interaction.Record(id, ann, Channel.Email, InteractionDirection.Inbound, InteractionType.Enquiry, T0, purpose: notice)).ParamName);
        Assert.Same(notice, Interaction.Record(id, ann, Channel.Email, InteractionDirection.Outbound, InteractionType.Service, T0, purpose: notice).Purpose);
        Assert.Null(Interaction.Record(id, ann, Channel.Email, InteractionDirection.Inbound, InteractionType.Enquiry, T0).Purpose);
    }

    [Fact]
    public void RecordOutbound_checks_its_arguments_before_consent()
    {
        var ann = Ann();
        var marketing = PurposeOfUse.Marketing(ContactChannel.Email);
        var late = T0 + Duration.FromDays(30); // no consent then: argument errors still come first
        Assert.Equal("customer", Assert.Throws<ArgumentNullException>(() =>
            Interaction.RecordOutbound(new InteractionId("I"), null!, Channel.Email, InteractionType.SalesContact, T0, marketing)).ParamName);
        Assert.Equal("purpose", Assert.Throws<ArgumentNullException>(() =>
            Interaction.RecordOutbound(new InteractionId("I"), ann, Channel.Email, InteractionType.SalesContact, T0, null!)).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentException>(() =>
            Interaction.RecordOutbound(default, ann, Channel.Email, InteractionType.SalesContact, late, marketing)).ParamName);
        Assert.Equal("subject", Assert.Throws<ArgumentException>(() =>
            Interaction.RecordOutbound(new InteractionId("I"), ann, Channel.Email, InteractionType.SalesContact, late, marketing, " ")).ParamName);
    }

    [Fact]
    public void PurposeOfUse_factories_refuse_a_disguised_bypass()
    {
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Marketing, ContactChannel.Email, LawfulBasis.LegitimateInterests, "we like it", "ops")).ParamName);
        Assert.Equal("basis", Assert.Throws<ArgumentException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Consent, "x", "ops")).ParamName);
        Assert.Equal("basis", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, (LawfulBasis)0, "x", "ops")).ParamName);
        Assert.Equal("justification", Assert.Throws<ArgumentException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, " ", "ops")).ParamName);
        Assert.Equal("justification", Assert.Throws<ArgumentNullException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, null!, "ops")).ParamName);
        Assert.Equal("decidedBy", Assert.Throws<ArgumentException>(() =>
            PurposeOfUse.NonMarketing(ConsentPurpose.Service, ContactChannel.Email, LawfulBasis.Contract, "x", " ops")).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => PurposeOfUse.Marketing(default)).ParamName);
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() => PurposeOfUse.Consented(default, ContactChannel.Email)).ParamName);
        Assert.True(PurposeOfUse.Marketing(ContactChannel.Email).IsMarketing);
        Assert.Equal("marketing on email (Consent)", PurposeOfUse.Marketing(ContactChannel.Email).ToString());
    }
}
