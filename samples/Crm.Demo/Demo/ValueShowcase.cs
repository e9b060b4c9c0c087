using System.Globalization;
using Crm.Core;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Demo.Data;
using Spectre.Console;

namespace Crm.Demo.Demo;

/// <summary>
/// Customer value: BG/NBD (how often will they buy, are they still "alive"?) and Gamma-Gamma (how much per order?)
/// fitted to the generated purchases, then each customer's expected purchases and value over the next year.
/// </summary>
public static class ValueShowcase
{
    /// <summary>Writes the showcase.</summary>
    public static void Run(DemoContext demo)
    {
        var console = demo.Console;
        var data = demo.Data;
        console.Write(new Rule("[bold]Customer value: predicted by BG/NBD + Gamma-Gamma[/]").LeftJustified());

        // Returns are not buying occasions for BG/NBD; the models see purchases only, per customer and day.
        var transactions = data.Purchases.Where(p => !p.IsRefund)
            .Select(p => new CustomerTransaction(p.CustomerId, p.OccurredAt.InZone(RetailDataSet.Zone).Date, p.Total.Amount));
        var summaries = CustomerSummarizer.Summarize(transactions, data.Today, PeriodUnit.Week);
        // A small penaliser keeps the fit well-posed on small or young data sets (as in the lifetimes package).
        var options = new FitOptions { Penalizer = 0.001 };
        IReadOnlyList<ClvPrediction> predictions;
        try
        {
            var bgnbd = BgNbdModel.Fit(summaries.Select(s => s.ToRecencyFrequency()), PeriodUnit.Week, options);
            var gammaGamma = GammaGammaModel.Fit(summaries.Select(s => new FrequencyMonetary(s.Frequency, (double)s.MonetaryValue)), options);
            var horizon = new ClvHorizon(52, PeriodUnit.Week, discountRatePerPeriod: 0.0019); // ~10 % a year
            predictions = new ClvCalculator(bgnbd.Model, gammaGamma.Model).Predict(summaries, horizon);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Fitted on {summaries.Count:N0} buyers: BG/NBD {bgnbd.Parameters}; Gamma-Gamma {gammaGamma.Parameters}.")));
        }
        catch (CrmException e)
        {
            // The models refuse data they cannot describe (too few repeat buyers, a spend tail too heavy for a mean)
            // rather than predict nonsense; with a few thousand customers the generated data always fits.
            console.MarkupLine($"[yellow]The models cannot be fitted to {DemoContext.N(summaries.Count)} buyers:[/] {Markup.Escape(e.Message)}");
            return;
        }

        var table = new Table().Title("Top 10 customers by predicted value over the next 52 weeks")
            .AddColumns("Customer", "Repeat purchases", "Avg order", "P(alive)", "Expected purchases", "Predicted value");
        var summaryOf = summaries.ToDictionary(s => s.CustomerId);
        var top = predictions.OrderByDescending(p => p.Clv).ThenBy(p => p.CustomerId).Take(10).ToList();
        foreach (var p in top)
        {
            var s = summaryOf[p.CustomerId];
            table.AddRow($"{p.CustomerId} {demo.NameOf(p.CustomerId)}", s.Frequency.ToString(CultureInfo.InvariantCulture), s.MonetaryValue.ToString("N2", CultureInfo.InvariantCulture),
                p.ProbabilityAlive.ToString("P0", CultureInfo.InvariantCulture), p.ExpectedPurchases.ToString("N2", CultureInfo.InvariantCulture),
                p.Clv.ToString("N2", CultureInfo.InvariantCulture));
        }
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }
        console.Write(table);

        // Probability alive separates loyal buyers who are merely between orders from those who have gone.
        var alive = new BarChart().Width(70).Label("[bold]Buyers by probability of still being a customer[/]");
        foreach (var (label, low, high) in new[] { ("< 25 %", 0.0, 0.25), ("25–50 %", 0.25, 0.5), ("50–75 %", 0.5, 0.75), ("≥ 75 %", 0.75, 1.01) })
        {
            alive.AddItem(label, predictions.Count(p => p.ProbabilityAlive >= low && p.ProbabilityAlive < high), Color.Green);
        }
        console.Write(alive);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Expected next year: [bold]{predictions.Sum(p => p.ExpectedPurchases):N0}[/] purchases worth [bold]{predictions.Sum(p => p.Clv):N0} {RetailDataSet.Currency.Code}[/] (discounted)."));
    }
}
