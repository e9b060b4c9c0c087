using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Testing;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Primitives;

public class IdentifierTest
{
    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool CustomerId_round_trips_through_text(CustomerId id) =>
        CustomerId.Parse(id.ToString()) == id && CustomerId.TryParse(id.Value, out var parsed) && parsed == id;

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool TransactionId_round_trips_through_text(TransactionId id) => TransactionId.Parse(id.ToString()) == id;

    [Theory]
    [InlineData("00042")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("12345678901234567890")]
    public void Host_ids_are_echoed_verbatim(string text) => Assert.Equal(text, new CustomerId(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData(" 42")]
    [InlineData("42 ")]
    [InlineData("a\nb")]
    public void Invalid_ids_are_rejected_naming_the_parameter(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CustomerId(text));
        Assert.Equal("value", ex.ParamName);
        Assert.False(CustomerId.TryParse(text, out _));
    }

    [Fact]
    public void Too_long_ids_are_rejected() =>
        Assert.Throws<ArgumentException>(() => new CustomerId(new string('x', 201)));

    [Fact]
    public void Null_id_is_rejected() =>
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => new CustomerId(null!)).ParamName);

    [Fact]
    public void Ordering_and_equality_are_ordinal()
    {
        Assert.NotEqual(new CustomerId("a"), new CustomerId("A"));
        Assert.True(new CustomerId("B") < new CustomerId("a"));
        Assert.True(default(CustomerId).IsDefault);
    }
}
