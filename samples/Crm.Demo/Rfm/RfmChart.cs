using System.Globalization;
using Crm.Core.Customers;
using Crm.Core.Rfm;
using ScottPlot;

namespace Crm.Demo.Rfm;

/// <summary>An R×F heat-map: one cell per (R, F) pair, coloured by customer count, labelled with count and segment.</summary>
public static class RfmChart
{
    /// <summary>Draws the heat-map of <paramref name="result"/> into a PNG at <paramref name="path"/>.</summary>
    public static void SavePng(RfmResult<CustomerId> result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(path);
        var k = result.Options.Bins;
        var counts = new int[k, k];
        var r = result.RecencyScores;
        var f = result.FrequencyScores;
        for (var i = 0; i < result.Count; i++)
        {
            counts[f[i] - 1, r[i] - 1]++;
        }

        // Row 0 of a ScottPlot heat-map is drawn at the top: put F = k there so frequency grows upwards.
        var intensities = new double[k, k];
        for (var row = 0; row < k; row++)
        {
            for (var col = 0; col < k; col++)
            {
                intensities[row, col] = counts[k - 1 - row, col];
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // ScottPlot places the outer cells' centres on the extent, so centres go on 1..k (cells span 0.5..k+0.5).
        heatmap.Extent = new CoordinateRect(1, k, 1, k);
        var max = Math.Max(1, counts.Cast<int>().Max());
        var map = result.SegmentMap;
        for (var fs = 1; fs <= k; fs++)
        {
            for (var rs = 1; rs <= k; rs++)
            {
                var count = counts[fs - 1, rs - 1];
                var segment = map is null ? string.Empty : "\n" + map.SegmentOf(new RfmScore(rs, fs, 1));
                var label = plot.Add.Text(count.ToString("N0", CultureInfo.InvariantCulture) + segment, rs, fs);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = k <= 5 ? 13 : 9;
                label.LabelBold = true;
                // Light text on the dark end of the colour map, dark text on the bright end.
                label.LabelFontColor = count > max * 0.6 ? Colors.Black : Colors.White;
            }
        }
        var ticks = Enumerable.Range(1, k).Select(i => (double)i).ToArray();
        var tickLabels = ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, tickLabels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, tickLabels);
        plot.Axes.SetLimits(0.5, k + 0.5, 0.5, k + 0.5);
        plot.Add.ColorBar(heatmap).Label = "customers";
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"RFM as of {result.Options.AsOf:uuuu-MM-dd}: customers per R×F cell ({result.Count:N0} scored)"));
        plot.XLabel("Recency score R (5 = bought most recently)");
        plot.YLabel("Frequency score F (5 = buys most often)");
        plot.SavePng(path, 1000, 760);
    }
}
