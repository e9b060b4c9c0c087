using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public partial class CustomerTest
{
    [Fact]
    public void Consent_is_opt_in_and_answers_from_history_at_any_instant()
    {
        var ann = Ann();
        var marketing = ConsentPurpose.Marketing;
        Assert.False(ann.MayContact(marketing, ContactChannel.Email, T0));
        Assert.Null(ann.ConsentStatusAt(marketing, ContactChannel.Email, T0));

        ann.GrantConsent(marketing, ContactChannel.Email, Later(10), "web-signup");
        ann.WithdrawConsent(marketing, ContactChannel.Email, Later(20), "unsubscribe-link");

        Assert.False(ann.MayContact(marketing, ContactChannel.Email, Later(9)));
        Assert.True(ann.MayContact(marketing, ContactChannel.Email, Later(10))); // effective at its own instant
        Assert.True(ann.MayContact(marketing, ContactChannel.Email, Later(19)));
        Assert.False(ann.MayContact(marketing, ContactChannel.Email, Later(20)));
        Assert.Equal(ConsentStatus.Withdrawn, ann.ConsentStatusAt(marketing, ContactChannel.Email, Later(60)));

        Assert.False(ann.MayContact(marketing, ContactChannel.Sms, Later(15)));     // per channel
        Assert.False(ann.MayContact(ConsentPurpose.Profiling, ContactChannel.Email, Later(15))); // per purpose
        Assert.Equal(2, ann.ConsentHistory.Count);
        Assert.Equal(
            [new ConsentChanged(AnnId, marketing, ContactChannel.Email, ConsentStatus.Granted, "web-signup", Later(10)),
             new ConsentChanged(AnnId, marketing, ContactChannel.Email, ConsentStatus.Withdrawn, "unsubscribe-link", Later(20))],
            ann.DomainEvents.OfType<ConsentChanged>());
    }

    [Fact]
    public void Back_filled_history_is_placed_by_its_instant_not_its_recording_order()
    {
        var ann = Ann();
        ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, Later(20), "call-centre");
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, Later(10), "paper-form-import");
        Assert.True(ann.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, Later(15)));
        Assert.False(ann.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, Later(25)));
    }

    [Fact]
    public void Withdrawal_wins_at_the_same_instant_whatever_the_recording_order()
    {
        var first = Ann();
        first.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5), "web");
        first.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5), "call-centre");
        var second = Ann();
        second.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5), "call-centre");
        second.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5), "web");

        Assert.False(first.MayContact(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5)));
        Assert.False(second.MayContact(ConsentPurpose.Marketing, ContactChannel.Sms, Later(5)));
    }

    [Fact]
    public void Purposes_and_channels_are_open_normalised_codes()
    {
        var ann = Ann();
        ann.GrantConsent(new ConsentPurpose(" Product News "), new ContactChannel("WhatsApp"), T0, "mobile-app");
        Assert.True(ann.MayContact(new ConsentPurpose("product-news"), new ContactChannel("whatsapp"), T0));
        var effective = Assert.Single(ann.ConsentsAt(T0));
        Assert.Equal("product-news", effective.Purpose.Code);
        Assert.Equal("mobile-app", effective.Source);
    }

    [Fact]
    public void ConsentsAt_lists_the_deciding_entry_per_purpose_and_channel()
    {
        var ann = Ann();
        ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, Later(1), "web");
        ann.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, Later(3), "web");
        ann.GrantConsent(ConsentPurpose.Service, ContactChannel.Sms, Later(2), "branch");

        Assert.Equal(
            [("marketing", "email", ConsentStatus.Granted), ("service", "sms", ConsentStatus.Granted)],
            ann.ConsentsAt(Later(2)).Select(r => (r.Purpose.Code, r.Channel.Code, r.Status)));
        Assert.Equal(ConsentStatus.Withdrawn, ann.ConsentsAt(Later(3))[0].Status);
        Assert.Empty(ann.ConsentsAt(T0));
    }

    [Fact]
    public void Consent_arguments_are_validated_before_anything_is_recorded()
    {
        var ann = Ann();
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() => ann.GrantConsent(default, ContactChannel.Email, T0, "web")).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => ann.WithdrawConsent(ConsentPurpose.Marketing, default, T0, "web")).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, T0, null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, T0, " ")).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => ann.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, T0, new string('s', 201))).ParamName);
        Assert.Equal("purpose", Assert.Throws<ArgumentException>(() => ann.MayContact(default, ContactChannel.Email, T0)).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => ann.ConsentStatusAt(ConsentPurpose.Marketing, default, T0)).ParamName);
        Assert.Empty(ann.ConsentHistory);
        Assert.Single(ann.DomainEvents); // only CustomerRegistered
    }

    /// <summary>
    /// The reference model replays the history in time order, one instant at a time: at each instant, a withdrawal
    /// recorded for that instant beats a grant; the state at T is the state after replaying every instant up to T.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 300)]
    public bool MayContact_matches_a_replay_of_the_history(ConsentOperation[] operations, int queryMinute, bool marketing, bool email)
    {
        var customer = Ann();
        foreach (var op in operations)
        {
            _ = op.Status == ConsentStatus.Granted
                ? customer.GrantConsent(op.Purpose, op.Channel, op.At, op.Source)
                : customer.WithdrawConsent(op.Purpose, op.Channel, op.At, op.Source);
        }
        var purpose = marketing ? ConsentPurpose.Marketing : ConsentPurpose.Profiling;
        var channel = email ? ContactChannel.Email : ContactChannel.Sms;
        var at = CrmArbitraries.Epoch + Duration.FromMinutes(Math.Abs(queryMinute % 23) - 1);

        var state = false;
        foreach (var instant in operations.Select(o => o.At).Distinct().Order().TakeWhile(i => i <= at))
        {
            var atInstant = operations.Where(o => o.At == instant && o.Purpose == purpose && o.Channel == channel).ToList();
            if (atInstant.Count > 0)
            {
                state = atInstant.TrueForAll(o => o.Status == ConsentStatus.Granted);
            }
        }
        return customer.MayContact(purpose, channel, at) == state
            && customer.ConsentHistory.Count == operations.Length;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 100)]
    public bool MayContact_does_not_depend_on_recording_order(ConsentOperation[] operations, int seed)
    {
        var ordered = Ann();
        var shuffled = Ann();
        foreach (var op in operations)
        {
            Apply(ordered, op);
        }
        foreach (var op in operations.OrderBy(o => HashCode.Combine(o.GetHashCode(), seed)))
        {
            Apply(shuffled, op);
        }
        return Enumerable.Range(-1, 23).All(minute =>
        {
            var at = CrmArbitraries.Epoch + Duration.FromMinutes(minute);
            return ordered.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, at) == shuffled.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, at)
                && ordered.MayContact(ConsentPurpose.Profiling, ContactChannel.Sms, at) == shuffled.MayContact(ConsentPurpose.Profiling, ContactChannel.Sms, at);
        });

        static void Apply(Customer c, ConsentOperation op) =>
            _ = op.Status == ConsentStatus.Granted ? c.GrantConsent(op.Purpose, op.Channel, op.At, op.Source) : c.WithdrawConsent(op.Purpose, op.Channel, op.At, op.Source);
    }
}
