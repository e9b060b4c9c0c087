using Crm.Core.Testing;
using FsCheck;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Primitives;

public class MoneyTest
{
    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Addition_is_commutative_within_a_currency(Money a, decimal b)
    {
        var other = new Money(Math.Round(b, 2), a.Currency);
        return a + other == other + a;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Addition_is_associative_within_a_currency(Money a, int b, int c)
    {
        var x = new Money(b / 100m, a.Currency);
        var y = new Money(c / 100m, a.Currency);
        return (a + x) + y == a + (x + y);
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Zero_is_the_identity_and_negation_the_inverse(Money a) =>
        a + Money.Zero(a.Currency) == a && a + -a == Money.Zero(a.Currency) && a - a == Money.Zero(a.Currency);

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public void Different_currencies_never_combine(Money a, Money b)
    {
        if (a.Currency == b.Currency)
        {
            return;
        }
        Assert.Throws<CurrencyMismatchException>(() => a + b);
        Assert.Throws<CurrencyMismatchException>(() => a - b);
        Assert.Throws<CurrencyMismatchException>(() => a < b);
    }

    [Fact]
    public void Currency_mismatch_message_names_both_currencies()
    {
        var ex = Assert.Throws<CurrencyMismatchException>(() => Money.Of(1m, "EUR") + Money.Of(1m, "USD"));
        Assert.Contains("EUR", ex.Message);
        Assert.Contains("USD", ex.Message);
        Assert.Equal(Currency.EUR, ex.Expected);
        Assert.Equal(Currency.USD, ex.Actual);
    }

    [Fact]
    public void Equality_is_numeric_on_the_amount()
    {
        Assert.Equal(Money.Of(1.0m, "EUR"), Money.Of(1.00m, "eur"));
        Assert.Equal(Money.Of(1.0m, "EUR").GetHashCode(), Money.Of(1.00m, "EUR").GetHashCode());
        Assert.NotEqual(Money.Of(1m, "EUR"), Money.Of(1m, "USD"));
    }

    [Fact]
    public void Decimal_arithmetic_is_exact()
    {
        var total = Money.Zero(Currency.EUR);
        for (var i = 0; i < 10; i++)
        {
            total += Money.Of(0.10m, "EUR");
        }
        Assert.Equal(Money.Of(1m, "EUR"), total);
    }

    [Fact]
    public void ToString_is_invariant() => Assert.Equal("12.50 EUR", Money.Of(12.50m, "EUR").ToString());

    [Theory]
    [InlineData("")]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    public void Invalid_currency_codes_are_rejected(string code)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Currency(code));
        Assert.Equal("code", ex.ParamName);
    }

    [Fact]
    public void Null_and_default_currency_are_rejected()
    {
        Assert.Equal("code", Assert.Throws<ArgumentNullException>(() => new Currency(null!)).ParamName);
        Assert.Equal("currency", Assert.Throws<ArgumentException>(() => new Money(1m, default)).ParamName);
        Assert.Equal("currencyCode", Assert.Throws<ArgumentNullException>(() => Money.Of(1m, null!)).ParamName);
    }

    [Fact]
    public void Round_validates_and_rounds()
    {
        Assert.Equal(Money.Of(0.12m, "EUR"), Money.Of(0.125m, "EUR").Round(2));
        Assert.Equal(Money.Of(0.13m, "EUR"), Money.Of(0.125m, "EUR").Round(2, MidpointRounding.AwayFromZero));
        Assert.Equal("decimals", Assert.Throws<ArgumentOutOfRangeException>(() => Money.Of(1m, "EUR").Round(-1)).ParamName);
    }
}
