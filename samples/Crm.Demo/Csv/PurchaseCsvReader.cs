using System.Globalization;
using Crm.Core;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Demo.Cli;
using NodaTime;
using NodaTime.Text;
using Sylvan.Data.Csv;

namespace Crm.Demo.Csv;

/// <summary>When a purchase happened: a calendar date, or an instant (ISO-8601 with <c>Z</c> or an offset).</summary>
public readonly record struct PurchaseTimestamp
{
    private PurchaseTimestamp(LocalDate? date, Instant? instant)
    {
        Date = date;
        Instant = instant;
    }

    /// <summary>The date, when the cell was <c>YYYY-MM-DD</c>.</summary>
    public LocalDate? Date { get; }

    /// <summary>The instant, when the cell carried a time and an offset.</summary>
    public Instant? Instant { get; }

    /// <summary>A timestamp that is a calendar date.</summary>
    public static PurchaseTimestamp FromDate(LocalDate date) => new(date, null);

    /// <summary>A timestamp that is an instant.</summary>
    public static PurchaseTimestamp FromInstant(Instant instant) => new(null, instant);

    /// <summary>The calendar date in <paramref name="zone"/> (a date is returned as is).</summary>
    public LocalDate DateIn(DateTimeZone zone) => Date ?? Instant!.Value.InZone(zone).Date;

    /// <summary>The instant; a date means the start of that day in <paramref name="zone"/>.</summary>
    public Instant InstantIn(DateTimeZone zone) => Instant ?? zone.AtStartOfDay(Date!.Value).ToInstant();
}

/// <summary>One data row of a purchase CSV.</summary>
/// <param name="Line">The 1-based line number in the file (the header is line 1).</param>
/// <param name="Customer">The <c>customer_id</c> cell, verbatim.</param>
/// <param name="Transaction">The <c>transaction_id</c> cell, or null when the column is absent or the cell empty.</param>
/// <param name="Timestamp">The <c>timestamp</c> cell.</param>
/// <param name="Amount">The <c>amount</c> cell (<c>.</c> as decimal separator); negative for returns.</param>
/// <param name="Currency">The <c>currency</c> cell, or null when the column is absent.</param>
public readonly record struct PurchaseCsvRow(long Line, CustomerId Customer, TransactionId? Transaction, PurchaseTimestamp Timestamp, decimal Amount, Currency? Currency);

/// <summary>A problem in an input file, located by file, line and column. Printed as one line; exit code 2.</summary>
public sealed class CsvInputException : CliInputException
{
    /// <summary>Creates the exception; the message reads "FILE: line N, column 'C': problem".</summary>
    public CsvInputException(string file, long line, string? column, string problem, Exception? innerException = null)
        : base(column is null ? $"{file}: line {line}: {problem}" : $"{file}: line {line}, column '{column}': {problem}", innerException)
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The file as named on the command line.</summary>
    public string File { get; }

    /// <summary>The 1-based line number.</summary>
    public long Line { get; }

    /// <summary>The column name, or null when the problem is not in one column.</summary>
    public string? Column { get; }
}

/// <summary>
/// Streams purchase rows from a CSV export with a header row. Columns are found by name: <c>customer_id</c>,
/// <c>timestamp</c> and <c>amount</c> are required, <c>transaction_id</c> and <c>currency</c> optional, others ignored.
/// <c>timestamp</c> is <c>YYYY-MM-DD</c> or an ISO-8601 instant with <c>Z</c> or an offset; amounts use <c>.</c> as
/// decimal separator. Any bad cell throws <see cref="CsvInputException"/> naming file, line and column.
/// </summary>
/// <remarks>
/// One row is in memory at a time, so files of any size stream. Reuse it for any command reading purchases
/// (<c>rfm</c>, <c>clv</c>): <c>foreach (var row in PurchaseCsvReader.Open(path).ReadRows())</c>. Not thread-safe.
/// </remarks>
public sealed class PurchaseCsvReader : IDisposable
{
    /// <summary>The required columns.</summary>
    public static readonly IReadOnlyList<string> RequiredColumns = ["customer_id", "timestamp", "amount"];

    private static readonly OffsetDateTimePattern InstantPattern = OffsetDateTimePattern.ExtendedIso;
    private static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;

    private readonly TextReader _text;
    private readonly CsvDataReader _csv;
    private readonly int _customer;
    private readonly int _timestamp;
    private readonly int _amount;
    private readonly int _transaction;
    private readonly int _currency;

    private PurchaseCsvReader(TextReader text, string fileName)
    {
        FileName = fileName;
        _text = text;
        if (text.Peek() < 0)
        {
            text.Dispose();
            throw new CsvInputException(fileName, 1, null, $"the file is empty; expected a header line with {string.Join(',', RequiredColumns)}.");
        }
        try
        {
            _csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        }
        catch (CsvFormatException e)
        {
            text.Dispose();
            throw new CsvInputException(fileName, 1, null, "the header line is not valid CSV.", e);
        }
        var columns = Enumerable.Range(0, _csv.FieldCount).Select(i => _csv.GetName(i).Trim()).ToArray();
        int Find(string name) => Array.FindIndex(columns, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
        _customer = Find("customer_id");
        _timestamp = Find("timestamp");
        _amount = Find("amount");
        _transaction = Find("transaction_id");
        _currency = Find("currency");
        var missing = RequiredColumns.Where(c => Find(c) < 0).ToArray();
        if (missing.Length > 0)
        {
            Dispose();
            throw new CsvInputException(fileName, 1, missing[0],
                $"required column{(missing.Length > 1 ? "s" : string.Empty)} {string.Join(", ", missing.Select(m => $"'{m}'"))} missing from the header; the header needs {string.Join(',', RequiredColumns)} (transaction_id, currency optional).");
        }
    }

    /// <summary>The file name used in messages.</summary>
    public string FileName { get; }

    /// <summary>Whether the file has a <c>transaction_id</c> column.</summary>
    public bool HasTransactionColumn => _transaction >= 0;

    /// <summary>Whether the file has a <c>currency</c> column.</summary>
    public bool HasCurrencyColumn => _currency >= 0;

    /// <summary>Opens a file and reads its header.</summary>
    /// <exception cref="CsvInputException">The file does not exist, cannot be read, is empty or lacks a required column.</exception>
    public static PurchaseCsvReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        StreamReader text;
        try
        {
            text = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CsvInputException(path, 0, null, $"cannot read the file: {e.Message}", e);
        }
        return new PurchaseCsvReader(text, path);
    }

    /// <summary>Reads from a text reader (e.g. a string in tests); <paramref name="fileName"/> is used in messages.</summary>
    /// <exception cref="CsvInputException">The text is empty or lacks a required column.</exception>
    public static PurchaseCsvReader Create(TextReader text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return new PurchaseCsvReader(text, fileName);
    }

    /// <summary>The data rows, one at a time.</summary>
    /// <exception cref="CsvInputException">A cell is missing or cannot be parsed, or the CSV is malformed.</exception>
    public IEnumerable<PurchaseCsvRow> ReadRows()
    {
        while (true)
        {
            bool more;
            try
            {
                more = _csv.Read();
            }
            catch (CsvFormatException e)
            {
                throw new CsvInputException(FileName, e.RowNumber + 1, null, "malformed CSV (check quoting).", e);
            }
            if (!more)
            {
                yield break;
            }
            yield return ParseRow();
        }
    }

    private PurchaseCsvRow ParseRow()
    {
        // Sylvan's RowNumber counts data records from 1; the header is line 1. Exact unless a quoted cell spans lines.
        long line = _csv.RowNumber + 1;
        var customerText = Cell(line, _customer, "customer_id");
        if (!CustomerId.TryParse(customerText.ToString(), out var customer))
        {
            throw new CsvInputException(FileName, line, "customer_id", "not a valid customer id (empty, surrounding spaces, control characters or over 200 characters).");
        }
        TransactionId? transaction = null;
        if (_transaction >= 0 && _transaction < _csv.RowFieldCount)
        {
            var text = _csv.GetFieldSpan(_transaction);
            if (!text.IsEmpty)
            {
                if (!TransactionId.TryParse(text.ToString(), out var t))
                {
                    throw new CsvInputException(FileName, line, "transaction_id", "not a valid transaction id (surrounding spaces, control characters or over 200 characters).");
                }
                transaction = t;
            }
        }
        var timestamp = ParseTimestamp(line, Cell(line, _timestamp, "timestamp"));
        var amountText = Cell(line, _amount, "amount");
        if (!decimal.TryParse(amountText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            throw new CsvInputException(FileName, line, "amount", $"'{Shorten(amountText)}' is not an amount; use digits with '.' as decimal separator, e.g. 12.50 or -3.");
        }
        Currency? currency = null;
        if (_currency >= 0)
        {
            var code = Cell(line, _currency, "currency").ToString();
            if (!Currency.TryParse(code, out var c))
            {
                throw new CsvInputException(FileName, line, "currency", $"'{Shorten(code)}' is not a currency code; use three letters such as EUR.");
            }
            currency = c;
        }
        return new PurchaseCsvRow(line, customer, transaction, timestamp, amount, currency);
    }

    private PurchaseTimestamp ParseTimestamp(long line, ReadOnlySpan<char> cell)
    {
        var text = cell.ToString();
        if (text.Length == 10)
        {
            var date = DatePattern.Parse(text);
            if (date.Success)
            {
                return PurchaseTimestamp.FromDate(date.Value);
            }
        }
        else
        {
            var instant = InstantPattern.Parse(text);
            if (instant.Success)
            {
                return PurchaseTimestamp.FromInstant(instant.Value.ToInstant());
            }
        }
        throw new CsvInputException(FileName, line, "timestamp", $"'{Shorten(text)}' is not a date; use YYYY-MM-DD or an ISO-8601 instant with Z or an offset, e.g. 2024-05-01T13:45:00Z.");
    }

    private ReadOnlySpan<char> Cell(long line, int ordinal, string column)
    {
        if (ordinal >= _csv.RowFieldCount)
        {
            throw new CsvInputException(FileName, line, column, "the row has too few cells.");
        }
        var span = _csv.GetFieldSpan(ordinal);
        if (span.IsEmpty)
        {
            throw new CsvInputException(FileName, line, column, "the cell is empty.");
        }
        return span;
    }

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");

    /// <inheritdoc/>
    public void Dispose()
    {
        _csv?.Dispose();
        _text.Dispose();
    }
}
