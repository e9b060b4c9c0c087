using Crm.Core.Customers;

namespace Crm.Core.Tests.Customers;

public class PostalAddressTest
{
    [Fact]
    public void Parts_are_cleaned_and_codes_upper_cased()
    {
        var address = new PostalAddress("  10  Downing Street ", "London", " gb ", "sw1a 2aa", "Greater London", "Flat 1");
        Assert.Equal("10 Downing Street", address.Street);
        Assert.Equal("GB", address.CountryCode);
        Assert.Equal("SW1A 2AA", address.PostalCode);
        Assert.Equal("Greater London", address.Region);
        Assert.Equal("Flat 1", address.ExtraLine);
        Assert.Equal("Postal address in GB", address.ToString());
    }

    [Fact]
    public void Same_place_ignores_case_but_equality_does_not()
    {
        var a = new PostalAddress("1 High Street", "London", "GB");
        var b = new PostalAddress("1 HIGH STREET", "london", "gb");
        Assert.True(a.IsSamePlaceAs(b));
        Assert.NotEqual(a, b);
        Assert.Equal(a, new PostalAddress(" 1 High Street", "London ", "GB"));
        Assert.False(a.IsSamePlaceAs(new PostalAddress("1 High Street", "London", "GB", "E1 6AN")));
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => a.IsSamePlaceAs(null!)).ParamName);
    }

    [Fact]
    public void Bad_parts_are_rejected_naming_the_parameter()
    {
        Assert.Equal("street", Assert.Throws<ArgumentNullException>(() => new PostalAddress(null!, "London", "GB")).ParamName);
        Assert.Equal("street", Assert.Throws<ArgumentException>(() => new PostalAddress(" ", "London", "GB")).ParamName);
        Assert.Equal("locality", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "", "GB")).ParamName);
        Assert.Equal("countryCode", Assert.Throws<ArgumentNullException>(() => new PostalAddress("1 High St", "London", null!)).ParamName);
        Assert.Equal("countryCode", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "London", "GBR")).ParamName);
        Assert.Equal("countryCode", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "London", "1B")).ParamName);
        Assert.Equal("postalCode", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "London", "GB", new string('1', 21))).ParamName);
        Assert.Equal("region", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "London", "GB", region: "")).ParamName);
        Assert.Equal("extraLine", Assert.Throws<ArgumentException>(() => new PostalAddress("1 High St", "London", "GB", extraLine: "a\u0000")).ParamName);
    }
}
