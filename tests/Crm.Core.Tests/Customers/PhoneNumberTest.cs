using Crm.Core.Customers;
using Crm.Core.Testing;
using FsCheck.Xunit;

namespace Crm.Core.Tests.Customers;

public class PhoneNumberTest
{
    [Theory]
    [InlineData("+44 20 7946 0958", "GB")]
    [InlineData("020 7946 0958", "GB")]
    [InlineData("0044 20 7946 0958", "GB")]
    [InlineData("+44 20 7946 0958", "US")]
    [InlineData("+44 (0)20 7946 0958", "DE")]
    [InlineData("  020-7946-0958 ", "gb")]
    public void London_number_in_every_notation_is_one_E164(string typed, string region)
    {
        var number = PhoneNumber.Parse(typed, region);
        Assert.True(number.IsValid);
        Assert.Equal("+442079460958", number.E164);
        Assert.Equal("+442079460958", number.Value);
        Assert.Null(number.Extension);
        Assert.Equal("GB", number.RegionCode);
    }

    [Fact]
    public void US_national_number_uses_the_default_region()
    {
        var number = PhoneNumber.Parse("(415) 555-2671", "US");
        Assert.Equal("+14155552671", number.E164);
        Assert.Equal("US", number.RegionCode);
        Assert.Equal(number, PhoneNumber.Parse("+1 415 555 2671", "GB"));
    }

    [Theory]
    [InlineData("+44 20 7946 0958 ext. 123", "GB", "123")]
    [InlineData("020 7946 0958 x123", "GB", "123")]
    [InlineData("+442079460958;ext=123", "US", "123")]
    [InlineData("(415) 555-2671 #45", "US", "45")]
    public void Extensions_are_kept_separately(string typed, string region, string extension)
    {
        var number = PhoneNumber.Parse(typed, region);
        Assert.True(number.IsValid);
        Assert.Equal(extension, number.Extension);
        Assert.DoesNotContain(extension, number.E164!, StringComparison.Ordinal);
        Assert.Equal(number.E164 + ";ext=" + extension, number.Value);
    }

    [Fact]
    public void Same_line_with_and_without_extension_differ() =>
        Assert.NotEqual(PhoneNumber.Parse("020 7946 0958", "GB"), PhoneNumber.Parse("020 7946 0958 x1", "GB"));

    [Theory]
    [InlineData("12")]
    [InlineData("n/a")]
    [InlineData("+999 123")]
    [InlineData("call   reception")]
    [InlineData("1234567")]
    public void Invalid_numbers_are_kept_flagged_invalid(string typed)
    {
        var number = PhoneNumber.Parse(typed, "GB");
        Assert.False(number.IsValid);
        Assert.Null(number.E164);
        Assert.Null(number.Extension);
        Assert.Equal(string.Join(' ', typed.Split(' ', StringSplitOptions.RemoveEmptyEntries)), number.Value);
        Assert.Equal("(invalid phone number)", number.ToString());
    }

    [Fact]
    public void Exit_code_of_another_region_does_not_apply() =>
        Assert.False(PhoneNumber.Parse("0044 20 7946 0958", "US").IsValid); // US dials 011, not 00

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 300)]
    public bool Normalisation_is_idempotent(PhoneInput input)
    {
        var once = PhoneNumber.Parse(input.Text, input.DefaultRegion);
        var twice = PhoneNumber.Parse(once.Value, input.DefaultRegion);
        return once == twice && once.Value == twice.Value && once.E164 == twice.E164
            && once.Extension == twice.Extension && once.IsValid == twice.IsValid && once.RegionCode == twice.RegionCode;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) }, MaxTest = 300)]
    public bool Valid_numbers_do_not_depend_on_the_default_region_once_normalised(PhoneInput input)
    {
        var number = PhoneNumber.Parse(input.Text, input.DefaultRegion);
        return !number.IsValid || PhoneNumber.Parse(number.Value, "JP") == number;
    }

    [Property(Arbitrary = new[] { typeof(CrmArbitraries) })]
    public bool Generated_inputs_are_mostly_valid_and_E164_shaped(PhoneInput input)
    {
        var number = PhoneNumber.Parse(input.Text, input.DefaultRegion);
        return !number.IsValid || (number.E164!.StartsWith('+') && number.E164.Skip(1).All(char.IsAsciiDigit) && number.E164.Length <= 16);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        Assert.Equal("number", Assert.Throws<ArgumentNullException>(() => PhoneNumber.Parse(null!, "GB")).ParamName);
        Assert.Equal("number", Assert.Throws<ArgumentException>(() => PhoneNumber.Parse("  ", "GB")).ParamName);
        Assert.Equal("number", Assert.Throws<ArgumentException>(() => PhoneNumber.Parse(new string('1', 101), "GB")).ParamName);
        Assert.Equal("number", Assert.Throws<ArgumentException>(() => PhoneNumber.Parse("020\u0000", "GB")).ParamName);
        Assert.Equal("defaultRegion", Assert.Throws<ArgumentNullException>(() => PhoneNumber.Parse("020 7946 0958", null!)).ParamName);
        Assert.Equal("defaultRegion", Assert.Throws<ArgumentException>(() => PhoneNumber.Parse("020 7946 0958", "XX")).ParamName);
        Assert.Equal("defaultRegion", Assert.Throws<ArgumentException>(() => PhoneNumber.Parse("020 7946 0958", "")).ParamName);
    }

    [Fact]
    public void ToString_masks_the_number()
    {
        var text = PhoneNumber.Parse("+44 20 7946 0958 x12", "GB").ToString();
        Assert.Equal("+44 … 58 ext. …", text);
        Assert.DoesNotContain("7946", text, StringComparison.Ordinal);
        Assert.Equal(string.Empty, default(PhoneNumber).ToString());
    }

    [Fact]
    public void Supported_regions_are_reported()
    {
        Assert.True(PhoneNumber.IsSupportedRegion("gb"));
        Assert.False(PhoneNumber.IsSupportedRegion("XX"));
        Assert.False(PhoneNumber.IsSupportedRegion(null));
    }
}
