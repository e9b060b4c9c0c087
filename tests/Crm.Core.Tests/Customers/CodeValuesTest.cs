using Crm.Core.Customers;

namespace Crm.Core.Tests.Customers;

/// <summary>The open, code-like values: <see cref="ConsentPurpose"/>, <see cref="ContactChannel"/>, <see cref="LifeEventType"/>, <see cref="InteractionType"/>.</summary>
public class CodeValuesTest
{
    [Theory]
    [InlineData("marketing", "marketing")]
    [InlineData(" Product News ", "product-news")]
    [InlineData("THIRD  PARTY\tsharing", "third-party-sharing")]
    [InlineData("v2.terms_2025", "v2.terms_2025")]
    public void Codes_are_normalised(string typed, string code)
    {
        Assert.Equal(code, new ConsentPurpose(typed).Code);
        Assert.Equal(code, new ContactChannel(typed).ToString());
        Assert.Equal(code, LifeEventType.Parse(typed).Code);
        Assert.True(InteractionType.TryParse(typed, null, out var parsed));
        Assert.Equal(code, parsed.Code);
        Assert.Equal(new ConsentPurpose(code), new ConsentPurpose(new ConsentPurpose(typed).Code)); // idempotent
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-leading-dash")]
    [InlineData("e-mail!")]
    [InlineData("naïve")]
    [InlineData("a/b")]
    public void Invalid_codes_are_rejected(string typed)
    {
        Assert.Equal("code", Assert.Throws<ArgumentException>(() => new ConsentPurpose(typed)).ParamName);
        Assert.Equal("code", Assert.Throws<ArgumentException>(() => new ContactChannel(typed)).ParamName);
        Assert.Equal("code", Assert.Throws<ArgumentException>(() => new LifeEventType(typed)).ParamName);
        Assert.Equal("code", Assert.Throws<ArgumentException>(() => new InteractionType(typed)).ParamName);
        Assert.False(ConsentPurpose.TryParse(typed, null, out var result));
        Assert.True(result.IsDefault);
    }

    [Fact]
    public void Null_and_too_long_codes_are_rejected()
    {
        Assert.Equal("code", Assert.Throws<ArgumentNullException>(() => new ConsentPurpose(null!)).ParamName);
        Assert.Equal("code", Assert.Throws<ArgumentNullException>(() => new ContactChannel(null!)).ParamName);
        Assert.Throws<ArgumentException>(() => new LifeEventType(new string('a', 65)));
        Assert.Equal(64, new LifeEventType(new string('a', 64)).Code.Length);
        Assert.False(ContactChannel.TryParse(null, null, out _));
    }

    [Fact]
    public void Well_known_values_have_stable_codes()
    {
        Assert.Equal(["marketing", "profiling", "service", "research", "third-party-sharing"],
            new[] { ConsentPurpose.Marketing, ConsentPurpose.Profiling, ConsentPurpose.Service, ConsentPurpose.Research, ConsentPurpose.ThirdPartySharing }.Select(p => p.Code));
        Assert.Equal(["email", "sms", "phone", "post", "push", "messaging"],
            new[] { ContactChannel.Email, ContactChannel.Sms, ContactChannel.Phone, ContactChannel.Post, ContactChannel.Push, ContactChannel.Messaging }.Select(c => c.Code));
        Assert.Equal("home-move", LifeEventType.HomeMove.Code);
        Assert.Equal("complaint", InteractionType.Complaint.Code);
        Assert.Equal(string.Empty, default(ConsentPurpose).Code);
    }
}
