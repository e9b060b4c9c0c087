using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public class AttributeValueTest
{
    [Fact]
    public void Each_kind_round_trips_and_formats_invariantly()
    {
        Assert.Equal("hello", AttributeValue.OfText(" hello ").FormatValue());
        Assert.Equal("-12.5", AttributeValue.OfNumber(-12.5m).FormatValue());
        Assert.Equal("true", AttributeValue.OfBoolean(true).FormatValue());
        Assert.Equal("2024-02-29", AttributeValue.OfDate(new LocalDate(2024, 2, 29)).FormatValue());
        Assert.Equal("9.99 EUR", AttributeValue.OfMoney(Money.Of(9.99m, "EUR")).FormatValue());
        Assert.Equal(AttributeKind.Date, AttributeValue.OfDate(new LocalDate(2024, 2, 29)).Kind);
    }

    [Fact]
    public void Equality_compares_kind_and_value()
    {
        Assert.Equal(AttributeValue.OfNumber(1m), AttributeValue.OfNumber(1.0m));
        Assert.NotEqual(AttributeValue.OfNumber(0m), AttributeValue.OfBoolean(false));
        Assert.NotEqual(AttributeValue.OfText("a"), AttributeValue.OfText("A"));
    }

    [Fact]
    public void Reading_the_wrong_kind_throws_a_domain_exception()
    {
        var ex = Assert.Throws<AttributeTypeMismatchException>(() => AttributeValue.OfText("x").AsNumber());
        Assert.Equal(AttributeKind.Text, ex.Actual);
        Assert.Equal(AttributeKind.Number, ex.Requested);
        Assert.Throws<AttributeTypeMismatchException>(() => AttributeValue.OfNumber(1m).AsText());
        Assert.Throws<AttributeTypeMismatchException>(() => AttributeValue.OfNumber(1m).AsBoolean());
        Assert.Throws<AttributeTypeMismatchException>(() => AttributeValue.OfNumber(1m).AsDate());
        Assert.Throws<AttributeTypeMismatchException>(() => AttributeValue.OfNumber(1m).AsMoney());
    }

    [Fact]
    public void Bad_values_are_rejected_naming_the_parameter()
    {
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => AttributeValue.OfText(null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => AttributeValue.OfText(new string('x', 2001))).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => AttributeValue.OfMoney(default)).ParamName);
    }

    [Fact]
    public void ToString_never_shows_the_value() =>
        Assert.Equal("Text value", AttributeValue.OfText("secret diagnosis").ToString());

    [Fact]
    public void Value_boxes_the_natural_type()
    {
        Assert.Equal("x", AttributeValue.OfText("x").Value);
        Assert.Equal(2.5m, AttributeValue.OfNumber(2.5m).Value);
        Assert.Equal(true, AttributeValue.OfBoolean(true).Value);
        Assert.Equal(new LocalDate(2024, 1, 2), AttributeValue.OfDate(new LocalDate(2024, 1, 2)).Value);
        Assert.Equal(Money.Of(1m, "EUR"), AttributeValue.OfMoney(Money.Of(1m, "EUR")).Value);
    }
}
