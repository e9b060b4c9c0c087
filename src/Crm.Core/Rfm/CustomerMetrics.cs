namespace Crm.Core.Rfm;

/// <summary>The per-customer metrics of scored customers, column-wise: what every aggregation path produces.</summary>
internal sealed class CustomerMetrics<TCustomer>(TCustomer[] customers, int[] lastDay, int[] frequency, MonetaryColumn monetary)
{
    public TCustomer[] Customers { get; } = customers;

    /// <summary>Epoch day of each customer's latest purchase.</summary>
    public int[] LastDay { get; } = lastDay;

    public int[] Frequency { get; } = frequency;

    public MonetaryColumn Monetary { get; } = monetary;

    /// <summary>Scores, segments and packs the metrics into a result.</summary>
    public RfmResult<TCustomer> ToResult(RfmOptions options, Currency? currency)
    {
        var n = Customers.Length;
        var asOf = options.LastDay;
        var recency = new int[n];
        for (var i = 0; i < n; i++)
        {
            recency[i] = asOf - LastDay[i];
        }
        var r = new byte[n];
        var f = new byte[n];
        var m = new byte[n];
        RfmScorer.Score(options, Customers, LastDay, recency, Frequency, Monetary, r, f, m);
        var map = options.EffectiveSegmentMap;
        byte[]? segments = null;
        if (map is not null)
        {
            segments = new byte[n];
            map.Assign(r, f, m, segments);
        }
        return new RfmResult<TCustomer>(options, currency, Customers, recency, Frequency, Monetary, r, f, m, map, segments);
    }
}

/// <summary>
/// The exact, general aggregation: any customer key, optional transaction keys (several rows of one order are one
/// transaction), decimal amounts. Memory grows with distinct customers and transactions, never with rows.
/// </summary>
internal sealed class ExactAggregator<TCustomer, TTransaction>
    where TCustomer : notnull
    where TTransaction : notnull
{
    private const int NoPurchase = int.MinValue;

    private readonly Dictionary<TCustomer, int> _customerIndex = [];
    private readonly Dictionary<(int Customer, TTransaction Transaction), int> _transactionIndex = [];
    private TCustomer[] _customers = new TCustomer[16];
    private int[] _lastDay = new int[16];
    private int[] _frequency = new int[16];
    private decimal[] _monetary = new decimal[16];
    private int[] _txnCustomer = new int[16];
    private int[] _txnDay = new int[16];
    private decimal[] _txnAmount = new decimal[16];
    private int _customerCount;
    private int _transactionCount;

    /// <summary>Adds one row already known to be inside the window.</summary>
    public void Add(TCustomer customer, TTransaction? transaction, bool hasTransaction, int day, decimal amount)
    {
        var c = CustomerIndex(customer);
        if (!hasTransaction)
        {
            Apply(_lastDay, _frequency, _monetary, c, day, amount);
            return;
        }
        ref var t = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_transactionIndex, (c, transaction!), out var exists);
        if (!exists)
        {
            t = _transactionCount;
            if (_transactionCount == _txnDay.Length)
            {
                Array.Resize(ref _txnCustomer, _transactionCount * 2);
                Array.Resize(ref _txnDay, _transactionCount * 2);
                Array.Resize(ref _txnAmount, _transactionCount * 2);
            }
            _txnCustomer[t] = c;
            _txnDay[t] = day;
            _txnAmount[t] = amount;
            _transactionCount++;
            return;
        }
        _txnDay[t] = Math.Max(_txnDay[t], day);
        _txnAmount[t] += amount;
    }

    /// <summary>Folds transactions into customers (on copies, so more rows may follow) and keeps customers with a purchase.</summary>
    public CustomerMetrics<TCustomer> Build(IComparer<TCustomer>? sortBy)
    {
        var lastDay = _lastDay[.._customerCount];
        var frequency = _frequency[.._customerCount];
        var monetary = _monetary[.._customerCount];
        for (var t = 0; t < _transactionCount; t++)
        {
            Apply(lastDay, frequency, monetary, _txnCustomer[t], _txnDay[t], _txnAmount[t]);
        }
        var scored = new List<int>(_customerCount);
        for (var c = 0; c < _customerCount; c++)
        {
            if (frequency[c] > 0)
            {
                scored.Add(c);
            }
        }
        if (sortBy is not null)
        {
            scored.Sort((a, b) => sortBy.Compare(_customers[a], _customers[b]));
        }
        var n = scored.Count;
        var customers = new TCustomer[n];
        var outLastDay = new int[n];
        var outFrequency = new int[n];
        var outMonetary = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            var c = scored[i];
            customers[i] = _customers[c];
            outLastDay[i] = lastDay[c];
            outFrequency[i] = frequency[c];
            outMonetary[i] = monetary[c];
        }
        return new CustomerMetrics<TCustomer>(customers, outLastDay, outFrequency, ToCentsIfExact(outMonetary));
    }

    /// <summary>Uses the fast whole-cents column when every value is a whole number of cents, else keeps decimals.</summary>
    internal static MonetaryColumn ToCentsIfExact(decimal[] values)
    {
        var cents = new long[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            // Range first: multiplying a value near decimal's limit by 100 would overflow.
            if (values[i] > long.MaxValue / 400 || values[i] < long.MinValue / 400)
            {
                return MonetaryColumn.FromExact(values);
            }
            var scaled = values[i] * 100m;
            if (scaled != decimal.Truncate(scaled))
            {
                return MonetaryColumn.FromExact(values);
            }
            cents[i] = (long)scaled;
        }
        return MonetaryColumn.FromMinor(cents);
    }

    private int CustomerIndex(TCustomer customer)
    {
        ref var index = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_customerIndex, customer, out var exists);
        if (!exists)
        {
            index = _customerCount;
            if (_customerCount == _customers.Length)
            {
                var size = _customerCount * 2;
                Array.Resize(ref _customers, size);
                Array.Resize(ref _lastDay, size);
                Array.Resize(ref _frequency, size);
                Array.Resize(ref _monetary, size);
            }
            _customers[index] = customer;
            _lastDay[index] = NoPurchase;
            _customerCount++;
        }
        return index;
    }

    private static void Apply(int[] lastDay, int[] frequency, decimal[] monetary, int c, int day, decimal amount)
    {
        monetary[c] += amount;
        if (amount >= 0)
        {
            frequency[c]++;
            lastDay[c] = Math.Max(lastDay[c], day);
        }
    }
}
