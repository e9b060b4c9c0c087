using System.Globalization;
using Crm.Core.Analytics.Affinity;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Product affinities: which categories go into the same basket (support, confidence, lift), and which customers are
/// the best prospects for a category they have not bought yet.
/// </summary>
public static class AffinityShowcase
{
    /// <summary>Writes the showcase.</summary>
    public static void Run(DemoContext demo)
    {
        var console = demo.Console;
        var data = demo.Data;
        console.Write(new Rule("[bold]Product affinities[/]").LeftJustified());

        // One transaction per basket, items at category level; returns are not baskets.
        var purchases = data.Purchases.Where(p => !p.IsRefund).ToList();
        var model = ProductAffinity.FromPurchases(purchases, line => line.Category, AffinityBasis.Basket);
        var pairs = model.Products.SelectMany(model.TopAssociations)
            .OrderByDescending(a => a.Lift).ThenByDescending(a => a.Count).ThenBy(a => a.Antecedent, StringComparer.Ordinal).ThenBy(a => a.Consequent, StringComparer.Ordinal)
            .Take(8).ToList();
        var table = new Table().Title($"Categories bought together ({DemoContext.N(model.Transactions)} baskets)")
            .AddColumns("Basket has", "Also has", "Baskets", "Confidence", "Lift");
        foreach (var a in pairs)
        {
            table.AddRow(Markup.Escape(a.Antecedent), Markup.Escape(a.Consequent), DemoContext.N(a.Count),
                a.Confidence.ToString("P0", CultureInfo.InvariantCulture), a.Lift.ToString("F1", CultureInfo.InvariantCulture));
        }
        foreach (var column in table.Columns.Skip(2))
        {
            column.RightAligned();
        }
        console.Write(table);

        // Cross-sell: rank customers who have not bought the target yet by the associations of what they hold.
        var target = pairs.Count > 0 ? pairs[0].Consequent : "sleeping";
        var holdings = ProductAffinity.HoldingsFromPurchases(purchases, line => line.Category);
        var prospects = model.RankCustomers(target, holdings, 5);
        console.MarkupLine($"Best prospects for [bold]{Markup.Escape(target)}[/]: "
            + string.Join(", ", prospects.Select(p => string.Create(CultureInfo.InvariantCulture, $"{demo.NameOf(p.CustomerId)} ({p.Score:F2})"))));
    }
}
