using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Tests.Customers;

/// <summary>Every public entry point of <see cref="Customer"/> rejects bad arguments with the documented exception, naming the parameter, and changes nothing.</summary>
public partial class CustomerTest
{
    public static TheoryData<string, Action<Customer>, Type, string> BadCalls()
    {
        var at = T0;
        var valid = new ContactPointId(1);
        return new()
        {
            { "register default id", _ => Customer.Register(default, CustomerName.Person("A", "B"), at), typeof(ArgumentException), "id" },
            { "register null name", _ => Customer.Register(AnnId, null!, at), typeof(ArgumentNullException), "name" },
            { "register default tenant", _ => Customer.Register(AnnId, CustomerName.Person("A", "B"), at, default(Crm.Core.Tenancy.TenantId)), typeof(ArgumentException), "tenantId" },
            { "rename null", c => c.Rename(null!, at), typeof(ArgumentNullException), "name" },
            { "owner blank", c => c.AssignOwnership("", null, at), typeof(ArgumentException), "ownerId" },
            { "team padded", c => c.AssignOwnership(null, " retail", at), typeof(ArgumentException), "teamId" },
            { "link null system", c => c.LinkExternalId(null!, "X", at), typeof(ArgumentNullException), "sourceSystem" },
            { "link bad system", c => c.LinkExternalId("bill/ing", "X", at), typeof(ArgumentException), "sourceSystem" },
            { "link null id", c => c.LinkExternalId("billing", null!, at), typeof(ArgumentNullException), "externalId" },
            { "link empty id", c => c.LinkExternalId("billing", "", at), typeof(ArgumentException), "externalId" },
            { "unlink null", c => c.UnlinkExternalId(null!, at), typeof(ArgumentNullException), "sourceSystem" },
            { "tag null", c => c.AddTag(null!, at), typeof(ArgumentNullException), "tag" },
            { "tag blank", c => c.AddTag("  ", at), typeof(ArgumentException), "tag" },
            { "tag long", c => c.AddTag(new string('t', 65), at), typeof(ArgumentException), "tag" },
            { "tag control", c => c.AddTag("a\u0001b", at), typeof(ArgumentException), "tag" },
            { "remove tag null", c => c.RemoveTag(null!, at), typeof(ArgumentNullException), "tag" },
            { "has tag blank", c => c.HasTag(""), typeof(ArgumentException), "tag" },
            { "email null", c => c.AddEmail((string)null!, at), typeof(ArgumentNullException), "address" },
            { "email invalid", c => c.AddEmail("not-an-email", at), typeof(ArgumentException), "address" },
            { "email default", c => c.AddEmail(default(EmailAddress), at), typeof(ArgumentException), "address" },
            { "phone null", c => c.AddPhone(null!, "GB", at), typeof(ArgumentNullException), "number" },
            { "phone blank", c => c.AddPhone(" ", "GB", at), typeof(ArgumentException), "number" },
            { "phone region null", c => c.AddPhone("020 7946 0958", null!, at), typeof(ArgumentNullException), "defaultRegion" },
            { "phone region unknown", c => c.AddPhone("020 7946 0958", "UK", at), typeof(ArgumentException), "defaultRegion" },
            { "phone default", c => c.AddPhone(default(PhoneNumber), at), typeof(ArgumentException), "number" },
            { "postal null", c => c.AddPostalAddress(null!, at), typeof(ArgumentNullException), "address" },
            { "get default id", c => c.GetContactPoint(default), typeof(ArgumentOutOfRangeException), "id" },
            { "primary default id", c => c.MakePrimary(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "verify default id", c => c.MarkVerified(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "opt in default id", c => c.OptIn(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "invalid default id", c => c.MarkInvalid(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "valid default id", c => c.MarkValid(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "remove default id", c => c.RemoveContactPoint(default, at), typeof(ArgumentOutOfRangeException), "id" },
            { "remove unknown id", c => c.RemoveContactPoint(new ContactPointId(99), at), typeof(ContactPointNotFoundException), "" },
            { "attribute null name", c => c.SetAttribute(null!, AttributeValue.OfBoolean(true), false, at), typeof(ArgumentNullException), "name" },
            { "attribute blank name", c => c.SetAttribute(" ", AttributeValue.OfBoolean(true), false, at), typeof(ArgumentException), "name" },
            { "attribute null value", c => c.SetAttribute("x", null!, false, at), typeof(ArgumentNullException), "value" },
            { "remove attribute null", c => c.RemoveAttribute(null!, at), typeof(ArgumentNullException), "name" },
            { "life event default type", c => c.RecordLifeEvent(default, new LocalDate(2020, 1, 1), "x", at), typeof(ArgumentException), "type" },
            { "life event null source", c => c.RecordLifeEvent(LifeEventType.Child, new LocalDate(2020, 1, 1), null!, at), typeof(ArgumentNullException), "source" },
            { "open default product", c => c.OpenProduct(default, "savings", new LocalDate(2020, 1, 1), at), typeof(ArgumentException), "productId" },
            { "open null category", c => c.OpenProduct(new ProductId("P"), null!, new LocalDate(2020, 1, 1), at), typeof(ArgumentNullException), "category" },
            { "open bad category", c => c.OpenProduct(new ProductId("P"), "!!", new LocalDate(2020, 1, 1), at), typeof(ArgumentException), "category" },
            { "suspend default product", c => c.SuspendProduct(default, at), typeof(ArgumentException), "productId" },
            { "reactivate default product", c => c.ReactivateProduct(default, at), typeof(ArgumentException), "productId" },
            { "close default product", c => c.CloseProduct(default, new LocalDate(2020, 1, 1), at), typeof(ArgumentException), "productId" },
            { "close unknown product", c => c.CloseProduct(new ProductId("P-NONE"), new LocalDate(2020, 1, 1), at), typeof(ProductHoldingException), "" },
            { "birth date future", c => c.SetBirthDate(new LocalDate(2100, 1, 1), at), typeof(ArgumentOutOfRangeException), "birthDate" },
            { "may contact default purpose", c => c.MayContact(default, ContactChannel.Email, at), typeof(ArgumentException), "purpose" },
            { "duplicate email", c => c.AddEmail("ann.lee@example.com", at), typeof(DuplicateContactPointException), "" },
        };
    }

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_calls_throw_the_documented_exception_and_change_nothing(string name, Action<Customer> call, Type expected, string paramName)
    {
        var customer = Ann();
        customer.AddEmail("ann.lee@example.com", T0);
        customer.ClearDomainEvents();
        var before = Fingerprint(customer);

        var ex = Record.Exception(() => call(customer));

        Assert.NotNull(ex);
        Assert.True(ex.GetType() == expected, $"{name}: expected {expected.Name}, got {ex.GetType().Name}: {ex.Message}");
        if (ex is ArgumentException argument)
        {
            Assert.Equal(paramName, argument.ParamName);
        }
        else
        {
            Assert.IsAssignableFrom<CrmException>(ex);
        }
        Assert.DoesNotContain("ann.lee", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Fingerprint(customer));
        Assert.Empty(customer.DomainEvents);
    }
}
