using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Customers;

public partial class CustomerTest
{
    [Fact]
    public void First_contact_point_of_each_kind_is_primary()
    {
        var ann = Ann();
        var email = ann.AddEmail(" Ann.Lee@Example.com ", T0);
        var second = ann.AddEmail("ann@work.example.com", Later(1));
        var phone = ann.AddPhone("020 7946 0958", "GB", Later(2));
        var address = ann.AddPostalAddress(new PostalAddress("1 High Street", "London", "gb", "sw1a 1aa"), Later(3));

        Assert.Equal("ann.lee@example.com", email.Address.Value);
        Assert.True(email.IsPrimary);
        Assert.False(second.IsPrimary);
        Assert.True(phone.IsPrimary);
        Assert.True(address.IsPrimary);
        Assert.Equal("SW1A 1AA", address.Address.PostalCode);
        Assert.Equal(email.Id, ann.PrimaryEmail!.Id);
        Assert.Equal(phone.Id, ann.PrimaryPhone!.Id);
        Assert.Equal(address.Id, ann.PrimaryPostalAddress!.Id);
        Assert.Equal([1, 2, 3, 4], ann.ContactPoints.Select(c => c.Id.Value));
        Assert.Equal(4, ann.DomainEvents.OfType<ContactPointAdded>().Count());
    }

    [Fact]
    public void Make_primary_moves_the_role_within_the_kind_only()
    {
        var ann = Ann();
        var first = ann.AddEmail("ann@example.com", T0);
        var phone = ann.AddPhone("+44 20 7946 0958", "GB", T0);
        var second = ann.AddEmail("ann@work.example.com", T0, makePrimary: true);

        Assert.True(ann.GetContactPoint(second.Id).IsPrimary);
        Assert.False(ann.GetContactPoint(first.Id).IsPrimary);
        Assert.True(ann.GetContactPoint(phone.Id).IsPrimary);

        ann.MakePrimary(first.Id, Later(1));
        Assert.Equal(first.Id, ann.PrimaryEmail!.Id);
        Assert.Single(ann.Emails, e => e.IsPrimary);
        Assert.Contains(new ContactPointChanged(AnnId, first.Id, ContactKind.Email, ContactPointChange.MadePrimary, Later(1)), ann.DomainEvents);
    }

    [Fact]
    public void Duplicates_are_detected_after_normalisation()
    {
        var ann = Ann();
        var email = ann.AddEmail("ann@example.com", T0);
        var phone = ann.AddPhone("020 7946 0958", "GB", T0);
        var address = ann.AddPostalAddress(new PostalAddress("1 High Street", "London", "GB"), T0);

        Assert.Equal(email.Id, Assert.Throws<DuplicateContactPointException>(() => ann.AddEmail(" ANN@example.COM", T0)).Existing);
        Assert.Equal(phone.Id, Assert.Throws<DuplicateContactPointException>(() => ann.AddPhone("+44 20 7946 0958", "US", T0)).Existing);
        Assert.Equal(address.Id, Assert.Throws<DuplicateContactPointException>(() => ann.AddPostalAddress(new PostalAddress("1 HIGH STREET", " london ", "gb"), T0)).Existing);
        Assert.Equal(3, ann.ContactPoints.Count);
    }

    [Fact]
    public void Invalid_phone_is_kept_flagged_and_never_made_primary_over_a_valid_one()
    {
        var ann = Ann();
        var garbage = ann.AddPhone("call reception", "GB", T0);
        Assert.True(garbage.IsInvalid);
        Assert.True(garbage.IsPrimary); // the only phone: exactly one primary per kind
        Assert.Contains(new ContactPointAdded(AnnId, garbage.Id, ContactKind.Phone, true, T0), ann.DomainEvents);

        var valid = ann.AddPhone("020 7946 0958", "GB", Later(1));
        Assert.Equal(valid.Id, ann.PrimaryPhone!.Id);
        Assert.Equal(2, ann.Phones.Count());

        Assert.Throws<ContactPointNotUsableException>(() => ann.MakePrimary(garbage.Id, Later(2)));
        Assert.Throws<ContactPointNotUsableException>(() => ann.MarkValid(garbage.Id, Later(2)));
        Assert.Throws<ContactPointNotUsableException>(() => ann.MarkVerified(garbage.Id, Later(2)));
        Assert.Throws<ContactPointNotUsableException>(() => ann.AddPhone("n/a", "GB", Later(2), makePrimary: true));
        Assert.Equal(2, ann.Phones.Count());
    }

    [Fact]
    public void Primary_moves_when_it_becomes_unusable_and_back_when_usable()
    {
        var ann = Ann();
        var a = ann.AddEmail("a@example.com", T0);
        var b = ann.AddEmail("b@example.com", T0);

        ann.MarkInvalid(a.Id, Later(1));
        Assert.Equal(b.Id, ann.PrimaryEmail!.Id);
        Assert.True(ann.GetContactPoint(a.Id).IsInvalid);

        ann.OptOut(b.Id, Later(2)); // no usable one left: b stays primary
        Assert.Equal(b.Id, ann.PrimaryEmail!.Id);
        Assert.Single(ann.Emails, e => e.IsPrimary);

        ann.MarkValid(a.Id, Later(3)); // a usable one reappears and takes over
        Assert.Equal(a.Id, ann.PrimaryEmail!.Id);

        ann.OptIn(b.Id, Later(4));
        Assert.True(ann.GetContactPoint(b.Id).IsUsable);
        Assert.Equal(a.Id, ann.PrimaryEmail!.Id);
    }

    [Fact]
    public void Removing_the_primary_promotes_the_next_usable_one()
    {
        var ann = Ann();
        var a = ann.AddEmail("a@example.com", T0);
        var b = ann.AddEmail("b@example.com", T0);
        var c = ann.AddEmail("c@example.com", T0);
        ann.OptOut(b.Id, T0);

        ann.RemoveContactPoint(a.Id, Later(1));
        Assert.Equal(c.Id, ann.PrimaryEmail!.Id);
        ann.RemoveContactPoint(c.Id, Later(2));
        Assert.Equal(b.Id, ann.PrimaryEmail!.Id); // unusable, but the only one left
        ann.RemoveContactPoint(b.Id, Later(3));
        Assert.Null(ann.PrimaryEmail);
        Assert.Throws<ContactPointNotFoundException>(() => ann.GetContactPoint(a.Id));
        Assert.Equal(4, ann.AddEmail("d@example.com", Later(4)).Id.Value); // ids are never reused
    }

    [Fact]
    public void Verifying_twice_raises_one_event()
    {
        var ann = Ann();
        var email = ann.AddEmail("a@example.com", T0);
        ann.MarkVerified(email.Id, Later(1));
        ann.MarkVerified(email.Id, Later(2));
        Assert.True(ann.GetContactPoint(email.Id).IsVerified);
        Assert.Single(ann.DomainEvents.OfType<ContactPointChanged>(), e => e.Change == ContactPointChange.Verified);
        Assert.Equal("Email contact point #1 (primary, verified)", ann.GetContactPoint(email.Id).ToString());
    }

    [Fact]
    public void Unknown_contact_point_ids_are_reported()
    {
        var ann = Ann();
        var ex = Assert.Throws<ContactPointNotFoundException>(() => ann.MarkVerified(new ContactPointId(9), T0));
        Assert.Equal(new ContactPointId(9), ex.ContactPointId);
        Assert.Contains("#9", ex.Message, StringComparison.Ordinal);
        Assert.Equal("id", Assert.Throws<ArgumentOutOfRangeException>(() => ann.OptOut(default, T0)).ParamName);
    }

    /// <summary>A random mix of contact point operations keeps exactly one primary per kind that has any.</summary>
    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 100)]
    public void Exactly_one_primary_per_kind_survives_any_operation_sequence(Customer customer, int[] script)
    {
        var at = customer.UpdatedAt;
        var added = 0;
        foreach (var step in script.Take(30))
        {
            at += NodaTime.Duration.FromMinutes(1);
            var points = customer.ContactPoints;
            if (points.Count == 0 || step % 7 == 0)
            {
                customer.AddEmail($"added{++added}@example.net", at);
                continue;
            }
            var target = points[Math.Abs(step % points.Count)].Id;
            try
            {
                switch (Math.Abs(step / 7) % 6)
                {
                    case 0: customer.MakePrimary(target, at); break;
                    case 1: customer.OptOut(target, at); break;
                    case 2: customer.OptIn(target, at); break;
                    case 3: customer.MarkInvalid(target, at); break;
                    case 4: customer.MarkValid(target, at); break;
                    default: customer.RemoveContactPoint(target, at); break;
                }
            }
            catch (ContactPointNotUsableException)
            {
                // allowed refusal; the invariant must still hold
            }
            foreach (var kind in customer.ContactPoints.Select(c => c.Kind).Distinct())
            {
                var ofKind = customer.ContactPoints.Where(c => c.Kind == kind).ToList();
                Assert.Single(ofKind, c => c.IsPrimary);
                if (ofKind.Exists(c => c.IsUsable))
                {
                    Assert.True(ofKind.Single(c => c.IsPrimary).IsUsable, "a usable contact point exists, so the primary must be usable");
                }
            }
        }
    }
}
