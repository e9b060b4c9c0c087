using System.Globalization;
using Crm.Core;
using Crm.Demo.Cli;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>The first showcase: money values in a table.</summary>
public static class MoneyShowcase
{
    /// <summary>Writes the showcase to the context's console.</summary>
    public static void Run(CliContext context)
    {
        var table = new Table().AddColumn("Amount").AddColumn("Currency");
        foreach (var money in new[] { Money.Of(19.99m, "EUR"), Money.Of(5m, "EUR") })
        {
            table.AddRow(money.Amount.ToString(CultureInfo.InvariantCulture), money.Currency.Code);
        }
        context.Console.Write(table);
    }
}
