using Crm.Core.Customers;

namespace Crm.Core.Tests.Customers;

/// <summary>The identifiers the customer capability adds: <see cref="ProductId"/>, <see cref="InteractionId"/>, <see cref="ContactPointId"/>.</summary>
public class CustomerIdsTest
{
    [Theory]
    [InlineData("00042")]
    [InlineData("P-CC-GOLD")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public void String_ids_round_trip_verbatim(string text)
    {
        Assert.Equal(text, ProductId.Parse(text).ToString());
        Assert.Equal(text, InteractionId.Parse(text).Value);
        Assert.True(ProductId.TryParse(text, out var product) && product == new ProductId(text));
        Assert.True(InteractionId.TryParse(text, null, out var interaction) && interaction == new InteractionId(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" P")]
    [InlineData("P\t1")]
    public void Invalid_string_ids_are_rejected(string text)
    {
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => new ProductId(text)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => new InteractionId(text)).ParamName);
        Assert.False(ProductId.TryParse(text, out _));
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => new InteractionId(null!)).ParamName);
    }

    [Fact]
    public void Contact_point_ids_are_positive_numbers()
    {
        Assert.Equal("#3", new ContactPointId(3).ToString());
        Assert.True(new ContactPointId(2).CompareTo(new ContactPointId(10)) < 0);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ContactPointId(0)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ContactPointId(-1)).ParamName);
    }
}
