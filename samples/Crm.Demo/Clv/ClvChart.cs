using System.Globalization;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Summaries;
using ScottPlot;

namespace Crm.Demo.Clv;

/// <summary>
/// The probability-alive matrix (as in Fader, Hardie &amp; Lee's iso-value plots): for a customer observed for the
/// longest age T in the data, P(alive) by repeat purchases x (up) and recency t_x (right), with the customers of the
/// file drawn on top. Bright top-right: frequent, recent buyers; dark top-left: frequent buyers who went quiet.
/// </summary>
public static class ClvChart
{
    /// <summary>Draws the chart into a PNG at <paramref name="path"/>.</summary>
    public static void SavePng(BgNbdModel model, IReadOnlyList<CustomerSummary> customers, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(customers);
        ArgumentNullException.ThrowIfNull(path);
        var age = customers.Max(c => c.Age);
        var maxX = Math.Max(5, (int)Math.Ceiling(customers.Select(c => (double)c.Frequency).Order().ElementAt((int)(customers.Count * 0.99))));
        const int columns = 60;
        var cells = new double[maxX + 1, columns];
        for (var row = 0; row <= maxX; row++)
        {
            var x = maxX - row; // heat-map row 0 is drawn at the top
            for (var col = 0; col < columns; col++)
            {
                var recency = x == 0 ? 0 : age * (col + 0.5) / columns;
                cells[row, col] = model.ProbabilityAlive(new RecencyFrequency(x, recency, age));
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(age * 0.5 / columns, age * (columns - 0.5) / columns, 0, maxX);
        plot.Add.ColorBar(heatmap).Label = "P(alive)";

        var shown = customers.Where(c => c.Frequency <= maxX).ToArray();
        var scatter = plot.Add.ScatterPoints(shown.Select(c => c.Recency).ToArray(), shown.Select(c => (double)c.Frequency).ToArray());
        scatter.MarkerSize = 3;
        scatter.Color = Colors.White.WithAlpha(0.5);

        var unit = model.Period == PeriodUnit.Week ? "weeks" : "days";
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"BG/NBD P(alive) at T = {age:F1} {unit}; dots: the {customers.Count:N0} customers"));
        plot.XLabel($"Recency t_x: time of the last purchase after the first ({unit})");
        plot.YLabel("Frequency x: repeat purchases");
        var ticks = Enumerable.Range(0, maxX + 1).Select(i => (double)i).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(0, age, -0.5, maxX + 0.5);
        plot.SavePng(path, 1000, 760);
    }
}
