using System.Globalization;
using System.Text.Json;
using Crm.Core;
using Crm.Core.Analytics.BgNbd;
using Crm.Core.Analytics.Clv;
using Crm.Core.Analytics.Fitting;
using Crm.Core.Analytics.GammaGamma;
using Crm.Core.Analytics.Summaries;
using Crm.Demo.Cli;
using Crm.Demo.Csv;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Crm.Demo.Clv;

/// <summary>
/// <c>clv</c>: fits BG/NBD and Gamma-Gamma to a purchase CSV up to a calibration end and predicts, per customer,
/// probability alive, expected purchases, expected spend and discounted CLV over a horizon after it.
/// </summary>
public sealed class ClvCommand : ICliCommand
{
    /// <summary>The output header, exactly.</summary>
    public const string OutputHeader = "customer_id,frequency,recency,T,monetary_value,p_alive,expected_purchases,expected_avg_spend,clv";

    /// <inheritdoc/>
    public string Name => "clv";

    /// <inheritdoc/>
    public string Summary => "Fit BG/NBD + Gamma-Gamma to a purchase CSV and predict probability alive, purchases and CLV per customer.";

    /// <inheritdoc/>
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("--input", "FILE.csv", true, "Purchases: customer_id,timestamp,amount[,transaction_id] (header, any order)."),
        new("--calibration-end", "YYYY-MM-DD", true, "Last day used for fitting; predictions cover the horizon after it."),
        new("--period", "week|day", false, "Time unit of recency, T and the horizon (default week)."),
        new("--horizon", "N", false, "Prediction horizon in periods (default 52)."),
        new("--discount-rate", "D", false, "Discount rate per period, 0 <= D < 1 (default 0)."),
        new("--params-out", "PARAMS.json", false, "Write the fitted parameters and log-likelihoods as JSON."),
        new("--output", "OUT.csv", false, "Write the predictions here instead of stdout; a summary is printed."),
        new("--chart", "FILE.png", false, "Draw the probability-alive matrix by frequency and recency."),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<string> Examples { get; } =
    [
        $"{CliApp.ProgramName} clv --input cdnow_sample.csv --calibration-end 1997-09-30",
        $"{CliApp.ProgramName} clv --input cdnow_sample.csv --calibration-end 1997-09-30 --horizon 39 --discount-rate 0.0019 --params-out params.json --output clv.csv --chart clv.png",
    ];

    /// <inheritdoc/>
    public int Run(CliArguments arguments, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var input = arguments.GetRequired("--input");
        var endText = arguments.GetRequired("--calibration-end");
        var end = LocalDatePattern.Iso.Parse(endText);
        if (!end.Success)
        {
            throw new CliUsageException($"Option '--calibration-end' must be a date YYYY-MM-DD; got '{endText}'.");
        }
        var period = (arguments.Get("--period") ?? "week") switch
        {
            "week" => PeriodUnit.Week,
            "day" => PeriodUnit.Day,
            var other => throw new CliUsageException($"Option '--period' must be 'week' or 'day'; got '{other}'."),
        };
        var horizon = arguments.GetInt32("--horizon", 1, 10_000) ?? 52;
        var discount = 0.0;
        if (arguments.Get("--discount-rate") is { } rateText
            && !(double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out discount) && discount >= 0 && discount < 1))
        {
            throw new CliUsageException($"Option '--discount-rate' must be a number with 0 <= D < 1 (per period); got '{rateText}'.");
        }
        var result = Compute(input, end.Value, period, new ClvHorizon(horizon, period, discount));

        var output = arguments.Get("--output");
        if (output is null)
        {
            WriteCsv(result.Predictions, result.Summaries, context.Out);
        }
        else
        {
            OutputFiles.WriteAtomically(output, path =>
            {
                using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
                WriteCsv(result.Predictions, result.Summaries, writer);
            });
        }
        if (arguments.Get("--params-out") is { } paramsOut)
        {
            OutputFiles.WriteAtomically(paramsOut, path => File.WriteAllBytes(path, ParamsJson(result)));
        }
        if (arguments.Get("--chart") is { } chart)
        {
            OutputFiles.WriteAtomically(chart, path => ClvChart.SavePng(result.BgNbd.Model, result.Summaries, path));
        }
        if (output is not null)
        {
            WriteSummary(result, input, output, context.Console);
        }
        return CliApp.Success;
    }

    /// <summary>Reads the file, fits both models and predicts; bad rows or an unfittable file throw <see cref="CliInputException"/>.</summary>
    public static ClvResult Compute(string input, LocalDate calibrationEnd, PeriodUnit period, ClvHorizon horizon)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(horizon);
        var transactions = new List<CustomerTransaction>();
        var skippedReturns = 0;
        string fileName;
        using (var reader = PurchaseCsvReader.Open(input))
        {
            fileName = reader.FileName;
            foreach (var row in reader.ReadRows())
            {
                if (row.Amount < 0)
                {
                    skippedReturns++; // returns are not buying occasions in BG/NBD
                    continue;
                }
                transactions.Add(new CustomerTransaction(row.Customer, row.Timestamp.DateIn(DateTimeZone.Utc), row.Amount));
            }
        }
        var summaries = CustomerSummarizer.Summarize(transactions, calibrationEnd, period);
        if (summaries.Count == 0)
        {
            throw new CliInputException($"{fileName}: no purchase on or before the calibration end {calibrationEnd:uuuu-MM-dd}; choose a later --calibration-end.");
        }
        try
        {
            var bgnbd = BgNbdModel.Fit(summaries.Select(s => s.ToRecencyFrequency()), period);
            var gammaGamma = GammaGammaModel.Fit(summaries.Select(s => new FrequencyMonetary(s.Frequency, (double)s.MonetaryValue)));
            var predictions = new ClvCalculator(bgnbd.Model, gammaGamma.Model).Predict(summaries, horizon);
            return new ClvResult(summaries, bgnbd, gammaGamma, predictions, horizon, skippedReturns);
        }
        catch (Exception e) when (e is CrmException or ArgumentException)
        {
            // Not a bad row but data the models cannot describe (too few repeat buyers, undefined mean spend, ...).
            throw new CliInputException($"{fileName}: cannot fit the models to the purchases up to {calibrationEnd:uuuu-MM-dd}: {e.Message}", e);
        }
    }

    /// <summary>Writes <see cref="OutputHeader"/> and one row per customer, ordered by customer id (ordinal).</summary>
    public static void WriteCsv(IReadOnlyList<ClvPrediction> predictions, IReadOnlyList<CustomerSummary> summaries, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(OutputHeader);
        writer.Write('\n');
        // The summarizer already orders by ordinal customer id and Predict keeps input order.
        for (var i = 0; i < predictions.Count; i++)
        {
            var (p, s) = (predictions[i], summaries[i]);
            writer.Write(OutputFiles.Quote(p.CustomerId.Value));
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $",{s.Frequency},{s.Recency:R},{s.Age:R},{s.MonetaryValue},{p.ProbabilityAlive:R},{p.ExpectedPurchases:R},{p.ExpectedAverageSpend:R},{p.Clv:R}"));
            writer.Write('\n');
        }
        writer.Flush();
    }

    /// <summary>The PARAMS.json document: customers, bgnbd {r, alpha, a, b, logLikelihood}, gammaGamma {p, q, v, logLikelihood}.</summary>
    public static byte[] ParamsJson(ClvResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("customers", result.Summaries.Count);
            json.WriteStartObject("bgnbd");
            var b = result.BgNbd.Parameters;
            json.WriteNumber("r", b.R);
            json.WriteNumber("alpha", b.Alpha);
            json.WriteNumber("a", b.A);
            json.WriteNumber("b", b.B);
            json.WriteNumber("logLikelihood", result.BgNbd.LogLikelihood);
            json.WriteEndObject();
            json.WriteStartObject("gammaGamma");
            var g = result.GammaGamma.Parameters;
            json.WriteNumber("p", g.P);
            json.WriteNumber("q", g.Q);
            json.WriteNumber("v", g.V);
            json.WriteNumber("logLikelihood", result.GammaGamma.LogLikelihood);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteSummary(ClvResult result, string input, string output, IAnsiConsole console)
    {
        var unit = result.Horizon.Unit == PeriodUnit.Week ? "weeks" : "days";
        var table = new Table().AddColumn("").AddColumn("value");
        table.AddRow("input", Markup.Escape(input));
        table.AddRow("customers", result.Summaries.Count.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("BG/NBD", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{result.BgNbd.Parameters}, LL {result.BgNbd.LogLikelihood:F2}")));
        table.AddRow("Gamma-Gamma", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.GammaGamma.Parameters}, LL {result.GammaGamma.LogLikelihood:F2}, corr(x, m) {result.GammaGamma.FrequencySpendCorrelation:F3}")));
        table.AddRow("horizon", string.Create(CultureInfo.InvariantCulture, $"{result.Horizon.Periods} {unit}, discount {result.Horizon.DiscountRatePerPeriod} per period"));
        table.AddRow("expected purchases", result.Predictions.Sum(p => p.ExpectedPurchases).ToString("N1", CultureInfo.InvariantCulture));
        table.AddRow("total CLV", result.Predictions.Sum(p => p.Clv).ToString("N2", CultureInfo.InvariantCulture));
        if (result.SkippedReturns > 0)
        {
            table.AddRow("returns skipped", result.SkippedReturns.ToString(CultureInfo.InvariantCulture));
        }
        table.AddRow("output", Markup.Escape(output));
        console.Write(table);
    }
}

/// <summary>What <see cref="ClvCommand.Compute"/> produced.</summary>
/// <param name="Summaries">The calibration summaries, ordered by customer id.</param>
/// <param name="BgNbd">The purchase model fit.</param>
/// <param name="GammaGamma">The spend model fit.</param>
/// <param name="Predictions">One prediction per summary, same order.</param>
/// <param name="Horizon">The horizon predicted over.</param>
/// <param name="SkippedReturns">Rows with a negative amount, left out.</param>
public sealed record ClvResult(IReadOnlyList<CustomerSummary> Summaries, BgNbdFit BgNbd, GammaGammaFit GammaGamma, IReadOnlyList<ClvPrediction> Predictions, ClvHorizon Horizon, int SkippedReturns);
