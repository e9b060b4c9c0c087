using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Customers;

public class EmailAddressTest
{
    [Theory]
    [InlineData(" Ann.Lee@Example.COM ", "ann.lee@example.com")]
    [InlineData("bob+news@mail.example.co.uk", "bob+news@mail.example.co.uk")]
    [InlineData("\tO'Brien@Example.org\n", "o'brien@example.org")]
    [InlineData("zoë@exämple.ch", "zoë@exämple.ch")]
    public void Addresses_are_trimmed_and_lower_cased(string typed, string expected)
    {
        var address = new EmailAddress(typed);
        Assert.Equal(expected, address.Value);
        Assert.Equal(address, EmailAddress.Parse(expected));
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Normalisation_is_idempotent(EmailInput input)
    {
        var once = new EmailAddress(input.Text);
        var twice = new EmailAddress(once.Value);
        return once == twice && once.Value == twice.Value;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Case_and_padding_do_not_matter(EmailInput input) =>
        new EmailAddress(input.Text) == new EmailAddress("  " + input.Text.ToUpperInvariant() + " ");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ann")]
    [InlineData("ann@")]
    [InlineData("@example.com")]
    [InlineData("ann@example")]
    [InlineData("ann@@example.com")]
    [InlineData("ann@b@example.com")]
    [InlineData("ann lee@example.com")]
    [InlineData(".ann@example.com")]
    [InlineData("ann.@example.com")]
    [InlineData("ann..lee@example.com")]
    [InlineData("ann@-example.com")]
    [InlineData("ann@example-.com")]
    [InlineData("ann@example..com")]
    [InlineData("ann@example.123")]
    [InlineData("ann@exa_mple.com")]
    public void Invalid_addresses_are_rejected_without_echoing_them(string typed)
    {
        var ex = Assert.Throws<ArgumentException>(() => new EmailAddress(typed));
        Assert.Equal("value", ex.ParamName);
        if (typed.Trim().Length > 0)
        {
            Assert.DoesNotContain(typed.Trim(), ex.Message, StringComparison.Ordinal);
        }
        Assert.False(EmailAddress.TryParse(typed, out var result));
        Assert.True(result.IsDefault);
    }

    [Fact]
    public void Length_limits_apply()
    {
        Assert.Throws<ArgumentException>(() => new EmailAddress(new string('a', 65) + "@example.com"));
        Assert.Throws<ArgumentException>(() => new EmailAddress("a@" + new string('b', 64) + ".com"));
        Assert.Throws<ArgumentException>(() => new EmailAddress("a@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 5)) + ".com"));
        Assert.Equal(64, new EmailAddress(new string('a', 64) + "@example.com").LocalPart.Length);
    }

    [Fact]
    public void Null_is_rejected_naming_the_parameter()
    {
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => new EmailAddress(null!)).ParamName);
        Assert.False(EmailAddress.TryParse(null, out _));
    }

    [Fact]
    public void Parts_are_exposed()
    {
        var address = new EmailAddress("Ann.Lee@Example.com");
        Assert.Equal("ann.lee", address.LocalPart);
        Assert.Equal("example.com", address.Domain);
    }

    [Fact]
    public void ToString_masks_the_address()
    {
        var text = new EmailAddress("ann.lee@example.com").ToString();
        Assert.Equal("a***@e***.com", text);
        Assert.DoesNotContain("lee", text, StringComparison.Ordinal);
        Assert.Equal(string.Empty, default(EmailAddress).ToString());
    }
}
