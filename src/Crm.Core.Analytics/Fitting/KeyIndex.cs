using System.Numerics;

namespace Crm.Core.Analytics.Fitting;

/// <summary>
/// Numbers distinct (int, long, long) keys densely (0, 1, 2, … in first-seen order) with an open-addressing hash
/// table on plain arrays: no allocation per key, no boxing, no per-entry objects.
/// </summary>
/// <remarks>
/// Used to number distinct time values and distinct (x, T) pairs, of which summaries of day-stamped transactions have
/// few, so the table stays cache-resident. (For a million distinct keys any hash costs a random memory access per key;
/// the BG/NBD likelihood therefore collapses rows by sorting instead.) Doubles are keyed by their bit pattern
/// (<see cref="Bits"/> maps −0.0 to +0.0 first, so equal values get equal keys). Not thread-safe.
/// </remarks>
internal sealed class KeyIndex
{
    private Entry[] _slots;   // the keys inline, so a probe costs one cache miss, not four
    private int[] _x;         // the keys again by id, in first-seen order
    private long[] _a;
    private long[] _b;
    private int _mask;

    public KeyIndex(int expectedKeys = 16)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Math.Min(expectedKeys, 1 << 28) * 2));
        _slots = new Entry[capacity];
        _mask = capacity - 1;
        var keys = Math.Max(8, Math.Min(expectedKeys, 1 << 20));
        _x = new int[keys];
        _a = new long[keys];
        _b = new long[keys];
    }

    /// <summary>The number of distinct keys seen.</summary>
    public int Count { get; private set; }

    /// <summary>The first component of key <paramref name="id"/>.</summary>
    public int X(int id) => _x[id];

    /// <summary>The second component of key <paramref name="id"/>.</summary>
    public long A(int id) => _a[id];

    /// <summary>The third component of key <paramref name="id"/>.</summary>
    public long B(int id) => _b[id];

    /// <summary>The bits of a double as a key: −0.0 and +0.0 are the same value, so they must be the same key.</summary>
    public static long Bits(double value) => BitConverter.DoubleToInt64Bits(value + 0.0);

    /// <summary>The id of the key, adding it when new.</summary>
    public int IdOf(int x, long a, long b)
    {
        var slot = (int)Hash(x, a, b) & _mask;
        while (true)
        {
            ref var entry = ref _slots[slot];
            if (entry.IdPlusOne == 0)
            {
                return Add(ref entry, x, a, b);
            }
            if (entry.A == a && entry.X == x && entry.B == b)
            {
                return entry.IdPlusOne - 1;
            }
            slot = (slot + 1) & _mask; // linear probing: the strong mix below keeps runs short
        }
    }

    private int Add(ref Entry entry, int x, long a, long b)
    {
        var id = Count;
        if (id == _x.Length)
        {
            var size = checked(_x.Length * 2);
            Array.Resize(ref _x, size);
            Array.Resize(ref _a, size);
            Array.Resize(ref _b, size);
        }
        _x[id] = x;
        _a[id] = a;
        _b[id] = b;
        entry = new Entry(a, b, x, id + 1);
        Count++;
        if (Count * 2 > _slots.Length)
        {
            Grow(); // keep the load factor at most 1/2
        }
        return id;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Entry[checked(old.Length * 2)];
        _mask = _slots.Length - 1;
        foreach (var e in old)
        {
            if (e.IdPlusOne == 0)
            {
                continue;
            }
            var slot = (int)Hash(e.X, e.A, e.B) & _mask;
            while (_slots[slot].IdPlusOne != 0)
            {
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = e;
        }
    }

    // Keys are doubles like k/7 whose mantissas repeat and differ only in exponent bits, and small ints: a weak mix
    // piles them into a few probe runs (a bucket of 1,800 was measured). Each component therefore goes through the
    // full MurmurHash3 finaliser, chained.
    private static ulong Hash(int x, long a, long b) => Mix((ulong)a ^ Mix((ulong)b ^ Mix((uint)x)));

    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return k;
    }

    private readonly record struct Entry(long A, long B, int X, int IdPlusOne);
}
