using Crm.Core.Customers;

namespace Crm.Core.Tests.Customers;

public class CustomerNameTest
{
    [Fact]
    public void Person_names_are_cleaned_and_display_name_defaults()
    {
        var name = CustomerName.Person("  Mary  Jane ", " O'Brien ");
        Assert.Equal(CustomerKind.Person, name.Kind);
        Assert.Equal("Mary Jane", name.GivenName);
        Assert.Equal("O'Brien", name.FamilyName);
        Assert.Equal("Mary Jane O'Brien", name.DisplayName);
        Assert.Null(name.LegalName);
        Assert.Equal("Sukarno", CustomerName.Person(null, "Sukarno").DisplayName);
        Assert.Equal("Lee, Ann", CustomerName.Person("Ann", "Lee", "Lee, Ann").DisplayName);
        Assert.Equal(CustomerName.Person("Ann", "Lee"), CustomerName.Person(" Ann", "Lee "));
    }

    [Fact]
    public void Organisation_names_have_a_legal_name()
    {
        var name = CustomerName.Organisation(" Acme   Trading Ltd ", "Acme");
        Assert.Equal(CustomerKind.Organisation, name.Kind);
        Assert.Equal("Acme Trading Ltd", name.LegalName);
        Assert.Equal("Acme", name.DisplayName);
        Assert.Equal("Acme Trading Ltd", CustomerName.Organisation("Acme Trading Ltd").DisplayName);
    }

    [Fact]
    public void Bad_names_are_rejected_naming_the_parameter_without_echoing_them()
    {
        Assert.Equal("givenName", Assert.Throws<ArgumentException>(() => CustomerName.Person(null, null)).ParamName);
        Assert.Equal("givenName", Assert.Throws<ArgumentException>(() => CustomerName.Person(" ", "Lee")).ParamName);
        Assert.Equal("familyName", Assert.Throws<ArgumentException>(() => CustomerName.Person("Ann", new string('x', 201))).ParamName);
        Assert.Equal("displayName", Assert.Throws<ArgumentException>(() => CustomerName.Person("Ann", "Lee", "")).ParamName);
        Assert.Equal("legalName", Assert.Throws<ArgumentNullException>(() => CustomerName.Organisation(null!)).ParamName);
        var ex = Assert.Throws<ArgumentException>(() => CustomerName.Organisation("Secret\u0007Corp"));
        Assert.Equal("legalName", ex.ParamName);
        Assert.DoesNotContain("Secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_shows_the_kind_only() =>
        Assert.Equal("Organisation name", CustomerName.Organisation("Acme Ltd").ToString());
}
