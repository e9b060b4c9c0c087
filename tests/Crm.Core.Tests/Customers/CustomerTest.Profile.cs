using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Tests.Customers;

public partial class CustomerTest
{
    [Fact]
    public void Attributes_are_typed_named_case_insensitively_and_flag_personal_data()
    {
        var ann = Ann();
        ann.SetAttribute("Shoe size", AttributeValue.OfNumber(38.5m), isPersonalData: false, T0);
        ann.SetAttribute("nickname", AttributeValue.OfText(" Annie "), isPersonalData: true, T0);
        ann.SetAttribute("member-since", AttributeValue.OfDate(new LocalDate(2019, 4, 1)), false, T0);
        ann.SetAttribute("newsletter", AttributeValue.OfBoolean(true), false, T0);
        ann.SetAttribute("credit limit", AttributeValue.OfMoney(Money.Of(2500m, "GBP")), true, T0);

        Assert.Equal(38.5m, ann.Attributes["shoe SIZE"].Value.AsNumber());
        Assert.Equal("Annie", ann.Attributes["nickname"].Value.AsText());
        Assert.True(ann.Attributes["nickname"].IsPersonalData);
        Assert.Equal(new LocalDate(2019, 4, 1), ann.Attributes["member-since"].Value.AsDate());
        Assert.True(ann.Attributes["newsletter"].Value.AsBoolean());
        Assert.Equal(Money.Of(2500m, "GBP"), ann.Attributes["credit limit"].Value.AsMoney());

        var replaced = ann.SetAttribute("SHOE SIZE", AttributeValue.OfNumber(39m), false, Later(1));
        Assert.Equal("Shoe size", replaced.Name); // first spelling kept
        Assert.Equal(5, ann.Attributes.Count);
        Assert.Equal(Later(1), ann.Attributes["shoe size"].UpdatedAt);

        Assert.True(ann.RemoveAttribute("Nickname", Later(2)));
        Assert.False(ann.RemoveAttribute("nickname", Later(2)));
        Assert.Equal(4, ann.Attributes.Count);
        Assert.Equal("credit limit: Money value (personal data)", ann.Attributes["credit limit"].ToString());
    }

    [Fact]
    public void Life_events_are_recorded_once_per_type_and_date()
    {
        var ann = Ann();
        Assert.True(ann.RecordLifeEvent(LifeEventType.HomeMove, new LocalDate(2025, 2, 14), "address-change", T0));
        Assert.False(ann.RecordLifeEvent(new LifeEventType("Home Move"), new LocalDate(2025, 2, 14), "branch-advisor", Later(1)));
        Assert.True(ann.RecordLifeEvent(LifeEventType.Child, new LocalDate(2025, 6, 1), "self-declared", Later(1)));

        Assert.Equal(2, ann.LifeEvents.Count);
        Assert.Equal("address-change", ann.LifeEvents[0].Source);
        Assert.Equal(
            [new LifeEventRecorded(AnnId, LifeEventType.HomeMove, new LocalDate(2025, 2, 14), T0),
             new LifeEventRecorded(AnnId, LifeEventType.Child, new LocalDate(2025, 6, 1), Later(1))],
            ann.DomainEvents.OfType<LifeEventRecorded>());
    }

    [Fact]
    public void Product_holdings_open_suspend_reactivate_and_close()
    {
        var ann = Ann();
        var card = new ProductId("P-CC-GOLD");
        var savings = new ProductId("P-SAV-2");
        ann.OpenProduct(card, "Credit Card", new LocalDate(2020, 1, 10), T0);
        ann.OpenProduct(savings, "savings", new LocalDate(2022, 5, 1), T0);
        Assert.Equal("credit-card", ann.ProductHoldings[0].Category);
        Assert.Equal(2, ann.OpenProductCount);

        Assert.Equal(HoldingStatus.Suspended, ann.SuspendProduct(card, Later(1)).Status);
        Assert.Throws<ProductHoldingException>(() => ann.SuspendProduct(card, Later(1)));
        Assert.Equal(2, ann.OpenProductCount); // suspended is still held
        Assert.Equal(HoldingStatus.Active, ann.ReactivateProduct(card, Later(2)).Status);
        Assert.Throws<ProductHoldingException>(() => ann.ReactivateProduct(card, Later(2)));

        var closed = ann.CloseProduct(card, new LocalDate(2024, 12, 31), Later(3));
        Assert.Equal(HoldingStatus.Closed, closed.Status);
        Assert.Equal(new LocalDate(2024, 12, 31), closed.ClosedOn);
        Assert.Equal(1, ann.OpenProductCount);
        Assert.Equal(2, ann.ProductsHeldOn(new LocalDate(2023, 1, 1)));
        Assert.Equal(1, ann.ProductsHeldOn(new LocalDate(2024, 12, 31))); // closed on that day
        Assert.Equal(0, ann.ProductsHeldOn(new LocalDate(2019, 1, 1)));

        var ex = Assert.Throws<ProductHoldingException>(() => ann.CloseProduct(card, new LocalDate(2025, 1, 1), Later(4)));
        Assert.Equal(card, ex.ProductId);
        ann.OpenProduct(card, "credit-card", new LocalDate(2025, 2, 1), Later(5)); // held again after closing
        Assert.Equal(3, ann.ProductHoldings.Count);
        Assert.Throws<ProductHoldingException>(() => ann.OpenProduct(card, "credit-card", new LocalDate(2025, 2, 2), Later(6)));
        Assert.Equal(
            [HoldingStatus.Active, HoldingStatus.Active, HoldingStatus.Suspended, HoldingStatus.Active, HoldingStatus.Closed, HoldingStatus.Active],
            ann.DomainEvents.OfType<ProductHoldingChanged>().Select(e => e.Status));
    }

    [Fact]
    public void Closing_before_opening_is_rejected_and_changes_nothing()
    {
        var ann = Ann();
        var card = new ProductId("P-CC-GOLD");
        ann.OpenProduct(card, "credit-card", new LocalDate(2020, 1, 10), T0);
        Assert.Equal("closedOn", Assert.Throws<ArgumentOutOfRangeException>(() => ann.CloseProduct(card, new LocalDate(2020, 1, 9), T0)).ParamName);
        Assert.True(ann.ProductHoldings[0].IsOpen);
        ann.CloseProduct(card, new LocalDate(2020, 1, 10), T0); // same day is fine
        Assert.False(ann.ProductHoldings[0].IsOpen);
    }
}
