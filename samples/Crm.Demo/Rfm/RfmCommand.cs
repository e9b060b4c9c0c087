using System.Globalization;
using Crm.Core;
using Crm.Core.Rfm;
using Crm.Demo.Cli;
using Crm.Demo.Csv;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Crm.Demo.Rfm;

/// <summary>
/// <c>rfm</c>: scores the customers of a purchase CSV (recency, frequency, monetary), writes one row per customer and,
/// optionally, an R×F heat-map. Streams the input, so memory grows with customers and orders, not with file size.
/// </summary>
public sealed class RfmCommand : ICliCommand
{
    /// <summary>The output header, exactly.</summary>
    public const string OutputHeader = "customer_id,recency_days,frequency,monetary,r,f,m,segment";

    /// <summary>The currency assumed when the file has no currency column (ISO 4217 "no currency").</summary>
    private static readonly Currency NoCurrency = new("XXX");

    /// <inheritdoc/>
    public string Name => "rfm";

    /// <inheritdoc/>
    public string Summary => "Score customers of a purchase CSV by recency, frequency and monetary value (default 10-segment map).";

    /// <inheritdoc/>
    public IReadOnlyList<CliOption> Options { get; } =
    [
        new("--input", "FILE.csv", true, "Purchases: customer_id,timestamp,amount[,transaction_id][,currency] (header, any order)."),
        new("--as-of", "YYYY-MM-DD", true, "Date recency is measured from; later rows are ignored."),
        new("--window-days", "N", false, "Only rows after as-of minus N days count."),
        new("--zone", "TZID", false, "Time zone for instants, e.g. Europe/Berlin (default UTC)."),
        new("--output", "OUT.csv", false, "Write the scores here instead of stdout; a summary is printed."),
        new("--chart", "FILE.png", false, "Also draw an R×F heat-map of customer counts per segment."),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<string> Examples { get; } =
    [
        $"{CliApp.ProgramName} rfm --input purchases.csv --as-of 2024-06-30",
        $"{CliApp.ProgramName} rfm --input purchases.csv --as-of 2024-06-30 --window-days 365 --output rfm.csv --chart rfm.png",
    ];

    /// <inheritdoc/>
    public int Run(CliArguments arguments, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var input = arguments.GetRequired("--input");
        var asOfText = arguments.GetRequired("--as-of");
        var asOf = LocalDatePattern.Iso.Parse(asOfText);
        if (!asOf.Success)
        {
            throw new CliUsageException($"Option '--as-of' must be a date YYYY-MM-DD; got '{asOfText}'.");
        }
        var window = arguments.GetInt32("--window-days", 1, RfmOptions.MaxWindowDays);
        var zone = DateTimeZone.Utc;
        if (arguments.Get("--zone") is { } zoneId)
        {
            zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
                ?? throw new CliUsageException($"Option '--zone' must be an IANA time zone id such as Europe/Berlin; got '{zoneId}'.");
        }
        var output = arguments.Get("--output");
        var chart = arguments.Get("--chart");
        var options = new RfmOptions(asOf.Value) { WindowDays = window, Zone = zone };

        var result = Compute(input, options);

        if (output is null)
        {
            WriteCsv(result, context.Out);
        }
        else
        {
            OutputFiles.WriteAtomically(output, path =>
            {
                using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
                WriteCsv(result, writer);
            });
        }
        if (chart is not null)
        {
            OutputFiles.WriteAtomically(chart, path => RfmChart.SavePng(result, path));
        }
        if (output is not null)
        {
            WriteSummary(result, input, output, chart, context.Console);
        }
        return CliApp.Success;
    }

    /// <summary>Reads the whole file into an accumulator; any bad row throws <see cref="CsvInputException"/> before output starts.</summary>
    public static RfmResult<Crm.Core.Customers.CustomerId> Compute(string input, RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        using var reader = PurchaseCsvReader.Open(input);
        var accumulator = new RfmAccumulator(options);
        foreach (var row in reader.ReadRows())
        {
            try
            {
                accumulator.Add(row.Customer, row.Transaction, row.Timestamp.DateIn(options.Zone), new Money(row.Amount, row.Currency ?? NoCurrency));
            }
            catch (RfmCurrencyMismatchException e)
            {
                throw new CsvInputException(reader.FileName, row.Line, "currency",
                    $"{e.Actual.Code} differs from {e.Expected.Code} in earlier rows; RFM needs one currency, so filter or convert the file first.", e);
            }
        }
        return accumulator.ToResult();
    }

    /// <summary>Writes the scores as CSV: <see cref="OutputHeader"/>, one row per customer in the result's order.</summary>
    public static void WriteCsv(RfmResult<Crm.Core.Customers.CustomerId> result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(OutputHeader);
        writer.Write('\n');
        foreach (var c in result)
        {
            writer.Write(OutputFiles.Quote(c.Customer.Value));
            writer.Write(',');
            writer.Write(c.RecencyDays.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(c.Frequency.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(c.Monetary.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(c.Score.R.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(c.Score.F.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(c.Score.M.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(OutputFiles.Quote(c.Segment ?? string.Empty));
            writer.Write('\n');
        }
        writer.Flush();
    }

    private static void WriteSummary(RfmResult<Crm.Core.Customers.CustomerId> result, string input, string output, string? chart, IAnsiConsole console)
    {
        var table = new Table().AddColumn("Segment").AddColumn(new TableColumn("Customers").RightAligned())
            .AddColumn(new TableColumn("Share").RightAligned()).AddColumn(new TableColumn("Revenue").RightAligned()).AddColumn(new TableColumn("Revenue share").RightAligned());
        foreach (var s in result.SegmentReport())
        {
            table.AddRow(Markup.Escape(s.Segment), s.Count.ToString("N0", CultureInfo.InvariantCulture), s.CustomerShare.ToString("P1", CultureInfo.InvariantCulture),
                s.Monetary.ToString("N2", CultureInfo.InvariantCulture), s.RevenueShare.ToString("P1", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        var top = result.Top(5m);
        var total = result.TotalMonetary;
        var topShare = total == 0 ? 0 : top.Sum(c => c.Monetary) / total;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Count:N0} customers scored from {input} as of {result.Options.AsOf:uuuu-MM-dd}; the top 5% ({top.Count:N0}) hold {topShare:P1} of revenue."));
        console.WriteLine($"Scores written to {output}{(chart is null ? string.Empty : $", heat-map to {chart}")}.");
    }
}
