using Crm.Core.Customers;
using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class ProfileFieldRegistryTest
{
    [Fact]
    public void Default_discovers_attributed_properties_with_their_types()
    {
        var registry = ProfileFieldRegistry.Default;
        Assert.True(registry.TryGet("purchases.count", out var count));
        Assert.Equal(ProfileFieldType.Number, count.Type);
        Assert.True(registry.TryGet("tags", out var tags));
        Assert.Equal(ProfileFieldType.TextSet, tags.Type);
        Assert.True(registry.TryGet("birthDate", out var birth));
        Assert.Equal(ProfileFieldType.Date, birth.Type);
        Assert.True(registry.TryGet("rfm.segment", out var segment));
        Assert.Equal(ProfileFieldType.Text, segment.Type);
        Assert.False(registry.TryGet("BirthMonthDay", out _));
    }

    [Fact]
    public void GetValue_reads_the_property()
    {
        var profile = new CustomerProfile(new CustomerId("c1")) { PurchaseCount = 3, BirthDate = new LocalDate(1990, 2, 28) };
        Assert.True(ProfileFieldRegistry.Default.TryGet("purchases.count", out var count));
        Assert.Equal(3, count.GetValue(profile));
        Assert.Equal(228, profile.BirthMonthDay);
    }

    [Fact]
    public void With_adds_a_computed_field_and_rejects_duplicates()
    {
        var registry = ProfileFieldRegistry.Default.With(ProfileField.Create("spendPerPurchase", p => p.PurchaseCount == 0 ? 0m : p.TotalSpent / p.PurchaseCount));
        Assert.True(registry.TryGet("spendPerPurchase", out var field));
        Assert.Equal(ProfileFieldType.Number, field.Type);
        Assert.False(ProfileFieldRegistry.Default.TryGet("spendPerPurchase", out _));
        Assert.Throws<ArgumentException>("field", () => registry.With(ProfileField.Create("tags", p => p.Tags)));
    }

    [Fact]
    public void Create_rejects_unsupported_types_and_bad_names()
    {
        Assert.Throws<ArgumentException>("accessor", () => ProfileField.Create("x", p => p.Attributes));
        Assert.Throws<ArgumentException>("name", () => ProfileField.Create("bad name", p => p.City));
        Assert.Throws<ArgumentNullException>("accessor", () => ProfileField.Create<int>("x", null!));
    }
}
