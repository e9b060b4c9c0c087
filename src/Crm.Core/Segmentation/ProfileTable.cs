using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Segmentation;

/// <summary>
/// The profiles of an in-memory store kept as a table: one row per customer, plus a column (struct-of-arrays) for
/// every <see cref="CustomerProfile"/> property a rule has touched so far. Full evaluations
/// (<see cref="Evaluate"/>) run over the columns instead of over the object graphs, which is what makes a scan of
/// a million profiles cheap: an object-per-profile scan is dominated by cache misses on each profile, its lists and
/// their strings, not by the comparisons.
/// </summary>
/// <remarks>
/// <para><b>Columns.</b> A column is materialised from the rows the first time a rule reads its property and is
/// maintained on every <see cref="Upsert"/>/<see cref="Remove"/> afterwards (so data changes never force a
/// rebuild). Values of the supported field types (text, text sets, numbers, booleans, dates, enums) are
/// dictionary-encoded: the column holds an <see cref="int"/> code per row and the distinct values once. A condition
/// on such a column is evaluated once per <i>distinct value</i> (with the very expression the compiler produced)
/// into a lookup table, and the scan is then a table look-up per row. Other property types (the lists of
/// attributes, holdings and purchase statistics) are kept as a plain array of references.</para>
/// <para><b>Exactness.</b> Codes are assigned by an equality under which no predicate can tell two values apart:
/// ordinal for text, element-wise ordinal for text sets, bit-exact for decimals (1.0 and 1.00 differ), the type's
/// own equality for the other value types. So "the predicate on the code's value" is exactly "the predicate on the
/// row's value".</para>
/// <para>Not thread-safe (evaluation materialises columns); <see cref="InMemoryCustomerProfileStore"/> serialises
/// access. Rows are the store's private copies and are never mutated in place, which the columns rely on.</para>
/// </remarks>
internal sealed class ProfileTable
{
    private readonly Dictionary<CustomerId, int> _rowOf = [];
    private readonly Dictionary<MemberKey, ProfileColumn> _columns = [];
    private CustomerProfile[] _rows = new CustomerProfile[64];
    private CustomerId[] _ids = new CustomerId[64];
    private int _count;

    /// <summary>Number of rows (profiles).</summary>
    public int Count => _count;

    /// <summary>The profiles, in row order (for callers that scan objects, e.g. tests).</summary>
    public IEnumerable<CustomerProfile> Rows => _rows.Take(_count);

    /// <summary>The stored profile of a customer (not a copy), or null.</summary>
    public CustomerProfile? Find(CustomerId customerId) => _rowOf.TryGetValue(customerId, out var row) ? _rows[row] : null;

    /// <summary>Adds or replaces the row of <paramref name="profile"/>'s customer; the table keeps the instance.</summary>
    public void Upsert(CustomerProfile profile)
    {
        if (!_rowOf.TryGetValue(profile.CustomerId, out var row))
        {
            row = _count;
            if (row == _rows.Length)
            {
                Grow();
            }
            _rowOf.Add(profile.CustomerId, row);
            _ids[row] = profile.CustomerId;
            _count++;
        }
        _rows[row] = profile;
        foreach (var column in _columns.Values)
        {
            column.Set(row, profile);
        }
    }

    /// <summary>Removes a customer's row; the last row moves into the hole so the columns stay dense.</summary>
    /// <returns>Whether there was a row.</returns>
    public bool Remove(CustomerId customerId)
    {
        if (!_rowOf.Remove(customerId, out var row))
        {
            return false;
        }
        var last = _count - 1;
        if (row != last)
        {
            _rows[row] = _rows[last];
            _ids[row] = _ids[last];
            _rowOf[_ids[row]] = row;
            foreach (var column in _columns.Values)
            {
                column.Move(last, row);
            }
        }
        _rows[last] = null!;
        _ids[last] = default;
        _count--;
        return true;
    }

    /// <summary>
    /// Evaluates <paramref name="criterion"/> for every row: bit <c>i % 64</c> of word <c>i / 64</c> is set when
    /// row <c>i</c> satisfies it. Exactly the rows for which <see cref="Criterion{T}.IsSatisfiedBy"/> is true.
    /// </summary>
    public ulong[] Evaluate(Criterion<CustomerProfile> criterion)
    {
        var words = (_count + 63) / 64;
        var result = new ulong[words];
        if (words == 0)
        {
            return result;
        }
        try
        {
            EvaluateColumns(criterion, words, result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A leaf threw for a value that short-circuiting may have skipped (see BatchPlan): decide row by row
            // in the expression's own order, which throws exactly when IsSatisfiedBy would.
            EvaluateRows(criterion.Compiled, result);
        }
        return result;
    }

    private void EvaluateColumns(Criterion<CustomerProfile> criterion, int words, ulong[] result)
    {
        var bound = BatchPlan.For(criterion).Bind(this);
        // Evaluate the whole rule one chunk of rows at a time: the intermediate bit sets of a chunk stay in L1 and
        // each column is still read sequentially.
        Span<ulong> active = stackalloc ulong[BoundNode.ChunkWords];
        for (var first = 0; first < words; first += BoundNode.ChunkWords)
        {
            var n = Math.Min(BoundNode.ChunkWords, words - first);
            var chunkActive = active[..n];
            chunkActive.Fill(ulong.MaxValue);
            if (first + n == words && _count % 64 != 0)
            {
                chunkActive[n - 1] = (1UL << (_count % 64)) - 1;
            }
            bound.Evaluate(first, chunkActive, result.AsSpan(first, n));
        }
    }

    private void EvaluateRows(Func<CustomerProfile, bool> predicate, ulong[] result)
    {
        Array.Clear(result);
        for (var row = 0; row < _count; row++)
        {
            if (predicate(_rows[row]))
            {
                result[row / 64] |= 1UL << (row % 64);
            }
        }
    }

    /// <summary>Counts the rows that satisfy <paramref name="criterion"/>.</summary>
    public long CountMatching(Criterion<CustomerProfile> criterion)
    {
        long count = 0;
        foreach (var word in Evaluate(criterion))
        {
            count += BitOperations.PopCount(word);
        }
        return count;
    }

    /// <summary>The customers whose rows satisfy <paramref name="criterion"/>, in row order.</summary>
    public List<CustomerId> Match(Criterion<CustomerProfile> criterion)
    {
        var bits = Evaluate(criterion);
        var ids = new List<CustomerId>();
        for (var w = 0; w < bits.Length; w++)
        {
            for (var word = bits[w]; word != 0; word &= word - 1)
            {
                ids.Add(_ids[(w * 64) + BitOperations.TrailingZeroCount(word)]);
            }
        }
        return ids;
    }

    /// <summary>The rows array (valid up to <see cref="Count"/>), for row-wise leaves.</summary>
    internal CustomerProfile[] RowArray => _rows;

    /// <summary>The column of a <see cref="CustomerProfile"/> member, materialised (or re-encoded) when needed.</summary>
    internal ProfileColumn Column(MemberInfo member, Type type)
    {
        var key = new MemberKey(member);
        if (_columns.TryGetValue(key, out var column) && !column.IsBloated(_count))
        {
            return column;
        }
        column = ProfileColumn.Create(member, type, _rows.Length);
        for (var row = 0; row < _count; row++)
        {
            column.Set(row, _rows[row]);
        }
        _columns[key] = column;
        return column;
    }

    private void Grow()
    {
        var capacity = _rows.Length * 2;
        Array.Resize(ref _rows, capacity);
        Array.Resize(ref _ids, capacity);
        foreach (var column in _columns.Values)
        {
            column.Resize(capacity);
        }
    }

    /// <summary>A member identity that does not depend on which reflection call produced the <see cref="MemberInfo"/>.</summary>
    private readonly record struct MemberKey(Module Module, int Token)
    {
        public MemberKey(MemberInfo member)
            : this(member.Module, member.MetadataToken)
        {
        }
    }
}

/// <summary>One column of a <see cref="ProfileTable"/>: the values of one <see cref="CustomerProfile"/> member for every row.</summary>
internal abstract class ProfileColumn
{
    /// <summary>Writes the row's value, read from <paramref name="profile"/>.</summary>
    public abstract void Set(int row, CustomerProfile profile);

    /// <summary>Copies row <paramref name="from"/> over row <paramref name="to"/> (row removal).</summary>
    public abstract void Move(int from, int to);

    /// <summary>Grows the column to <paramref name="capacity"/> rows.</summary>
    public abstract void Resize(int capacity);

    /// <summary>
    /// Whether updates left so many distinct values that no row uses any more that the column should be re-encoded
    /// (evaluation cost grows with the distinct values, so they must stay proportional to the rows).
    /// </summary>
    public virtual bool IsBloated(int rows) => false;

    /// <summary>Binds a leaf predicate (a <c>Func&lt;TValue, bool&gt;</c> over this column's value type) for one evaluation.</summary>
    public abstract BoundNode Bind(Delegate predicate, int rows);

    /// <summary>A column for <paramref name="member"/> of type <paramref name="type"/>: dictionary-encoded when the type allows it.</summary>
    public static ProfileColumn Create(MemberInfo member, Type type, int capacity)
    {
        var p = Expression.Parameter(typeof(CustomerProfile), "p");
        var read = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(CustomerProfile), type), Expression.MakeMemberAccess(p, member), p).Compile();
        var columnType = IsEncodable(type) ? typeof(EncodedColumn<>) : typeof(RawColumn<>);
        return (ProfileColumn)Activator.CreateInstance(columnType.MakeGenericType(type), read, capacity)!;
    }

    /// <summary>Types whose equality (as chosen by <see cref="EncodedColumn{T}"/>) no predicate can see through.</summary>
    public static bool IsEncodable(Type type)
    {
        if (type == typeof(string) || type == typeof(List<string>))
        {
            return true;
        }
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(decimal) || t == typeof(LocalDate) || t.IsEnum;
    }
}

/// <summary>A dictionary-encoded column: a code per row and each distinct value once.</summary>
/// <typeparam name="T">The member type (nullable at run time: null gets a code of its own; the constraint is for the dictionary).</typeparam>
internal sealed class EncodedColumn<T> : ProfileColumn
    where T : notnull
{
    private readonly Func<CustomerProfile, T> _read;
    private readonly Dictionary<T, int> _codeOf;
    private readonly List<T> _values = [];
    private int _nullCode = -1;
    private int[] _codes;

    public EncodedColumn(Func<CustomerProfile, T> read, int capacity)
    {
        _read = read;
        _codes = new int[capacity];
        _codeOf = new Dictionary<T, int>(ExactComparer());
    }

    public override void Set(int row, CustomerProfile profile) => _codes[row] = Encode(_read(profile));

    public override void Move(int from, int to) => _codes[to] = _codes[from];

    public override void Resize(int capacity) => Array.Resize(ref _codes, capacity);

    public override bool IsBloated(int rows) => _values.Count > (2 * rows) + 1024;

    public override BoundNode Bind(Delegate predicate, int rows)
    {
        var test = (Func<T, bool>)predicate;
        var lookup = new byte[_values.Count];
        for (var code = 0; code < lookup.Length; code++)
        {
            lookup[code] = test(_values[code]) ? (byte)1 : (byte)0;
        }
        return new BoundLookup(_codes, lookup, rows);
    }

    private int Encode(T value)
    {
        if (value is null)
        {
            if (_nullCode < 0)
            {
                _nullCode = _values.Count;
                _values.Add(value!);
            }
            return _nullCode;
        }
        if (!_codeOf.TryGetValue(value, out var code))
        {
            code = _values.Count;
            _values.Add(value);
            _codeOf.Add(value, code);
        }
        return code;
    }

    private static IEqualityComparer<T> ExactComparer()
    {
        if (typeof(T) == typeof(string))
        {
            return (IEqualityComparer<T>)StringComparer.Ordinal;
        }
        if (typeof(T) == typeof(List<string>))
        {
            return (IEqualityComparer<T>)(object)TextSetComparer.Instance;
        }
        if (typeof(T) == typeof(decimal))
        {
            return (IEqualityComparer<T>)(object)DecimalBitsComparer.Instance;
        }
        if (typeof(T) == typeof(decimal?))
        {
            return (IEqualityComparer<T>)(object)NullableDecimalBitsComparer.Instance;
        }
        return EqualityComparer<T>.Default;
    }

    /// <summary>Element by element, ordinal: two lists that compare equal give the same answer to every set operator.</summary>
    private sealed class TextSetComparer : IEqualityComparer<List<string>>
    {
        public static readonly TextSetComparer Instance = new();

        public bool Equals(List<string>? x, List<string>? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal));

        public int GetHashCode(List<string> obj)
        {
            var hash = new HashCode();
            foreach (var item in obj)
            {
                hash.Add(item is null ? 0 : StringComparer.Ordinal.GetHashCode(item));
            }
            return hash.ToHashCode();
        }
    }

    /// <summary>Bit-exact decimals: 1.0m and 1.00m are equal numbers but different values (a computed field could format them).</summary>
    private sealed class DecimalBitsComparer : IEqualityComparer<decimal>
    {
        public static readonly DecimalBitsComparer Instance = new();

        public bool Equals(decimal x, decimal y) => x == y && x.Scale == y.Scale;

        public int GetHashCode(decimal obj) => HashCode.Combine(obj, obj.Scale);
    }

    private sealed class NullableDecimalBitsComparer : IEqualityComparer<decimal?>
    {
        public static readonly NullableDecimalBitsComparer Instance = new();

        public bool Equals(decimal? x, decimal? y) => x is null ? y is null : y is not null && DecimalBitsComparer.Instance.Equals(x.Value, y.Value);

        public int GetHashCode(decimal? obj) => obj is null ? 0 : DecimalBitsComparer.Instance.GetHashCode(obj.Value);
    }
}

/// <summary>A column of values kept as they are (types without an exact value equality, e.g. lists of objects).</summary>
/// <typeparam name="T">The member type.</typeparam>
internal sealed class RawColumn<T> : ProfileColumn
{
    private readonly Func<CustomerProfile, T> _read;
    private T[] _values;

    public RawColumn(Func<CustomerProfile, T> read, int capacity)
    {
        _read = read;
        _values = new T[capacity];
    }

    public override void Set(int row, CustomerProfile profile) => _values[row] = _read(profile);

    public override void Move(int from, int to)
    {
        _values[to] = _values[from];
        _values[from] = default!;
    }

    public override void Resize(int capacity) => Array.Resize(ref _values, capacity);

    public override BoundNode Bind(Delegate predicate, int rows) => new BoundPerRow<T>(_values, (Func<T, bool>)predicate);
}
