using Crm.Core;
using Spectre.Console;

// A first version of the demo; the full story (customers across channels, lifecycle, loyalty,
// segments, RFM, CLV) grows here as capabilities land.
var table = new Table().AddColumn("Amount").AddColumn("Currency");
foreach (var money in new[] { Money.Of(19.99m, "EUR"), Money.Of(5m, "EUR") })
{
    table.AddRow(money.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), money.Currency.Code);
}
AnsiConsole.Write(table);
