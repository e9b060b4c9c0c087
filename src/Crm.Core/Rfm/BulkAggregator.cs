using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using NodaTime;

namespace Crm.Core.Rfm;

/// <summary>
/// The fast path of the bulk form: one row per transaction, 64-bit customer keys, amounts in whole cents.
/// </summary>
/// <remarks>
/// Rows are taken in chunks (4M by default). Each chunk goes through three phases:
/// <list type="number">
/// <item>count: how many rows of each slice of the chunk fall into each partition (a hash of the customer key);</item>
/// <item>scatter: each row is converted (epoch day, whole cents) and written next to the other rows of its partition;</item>
/// <item>fold: each partition's rows go into its own open-addressing table of accumulators.</item>
/// </list>
/// A partition's table holds ~1/P of the customers and stays in L2 while its rows are folded, instead of every row
/// missing on one table the size of all customers. Count and scatter split the chunk's rows into slices, the fold
/// splits the partitions, so with several threads every row is read by one thread only and no table is shared: no
/// merge and no locks, and the result (even its order) does not depend on the number of threads. The slices of one
/// partition are written one after the other in row order, so each table sees its rows in input order too.
/// The scratch (16 bytes per chunk row) is borrowed from <see cref="ArrayPool{T}.Shared"/> and returned, so what a
/// call allocates grows with customers only. An amount that is not a whole number of cents fitting 32 bits makes
/// <c>TryAggregate</c> return null and the caller recomputes on the exact path.
/// </remarks>
internal static class BulkAggregator
{
    /// <summary>Rows per chunk (4M: a pooled 64 MB scratch): large enough that each table is reused many times per load. Tests lower it to cover several chunks.</summary>
    internal static int ChunkRows { get; set; } = 1 << 22;

    /// <summary>Aggregates, or returns null when some amount needs the exact path.</summary>
    public static CustomerMetrics<long>? TryAggregate(ReadOnlyMemory<long> keys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, int firstDay, int lastDay, int threads) =>
        TryAggregate(keys, dates, amounts, firstDay, lastDay, threads, BulkLayout.Default with { ChunkRows = ChunkRows });

    /// <summary>Aggregates with an explicit layout (tests use tiny chunks and partitions to reach every edge on little data).</summary>
    internal static CustomerMetrics<long>? TryAggregate(ReadOnlyMemory<long> keys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, int firstDay, int lastDay, int threads,
        BulkLayout layout) =>
        new PartitionedRun(keys, dates, amounts, firstDay, lastDay, layout, Math.Max(1, threads)).Aggregate();
}

/// <summary>How the bulk path cuts its work: chunk size, partition size, and from what size threads are worth starting.</summary>
/// <param name="ChunkRows">Rows scattered and folded at a time (the scratch holds one chunk).</param>
/// <param name="RowsPerPartition">
/// Rows a partition should receive per chunk (~16K by default). Fewer, larger partitions scatter faster (fewer write
/// streams and TLB entries in flight); 16K keeps a partition's table (~4K customers at 24 bytes, half full) in L2.
/// </param>
/// <param name="MaxPartitionBits">At most 2^bits partitions (8 by default: more write streams thrash the L1 and TLB during the scatter).</param>
/// <param name="MinParallelRows">Below this many rows a second thread costs more to start than it saves.</param>
internal readonly record struct BulkLayout(int ChunkRows, int RowsPerPartition, int MaxPartitionBits, int MinParallelRows)
{
    public static BulkLayout Default { get; } = new(1 << 22, 16_384, 8, 65_536);

    /// <summary>The chunk size for <paramref name="rows"/> rows (at least 1).</summary>
    public int ChunkFor(int rows) => Math.Clamp(ChunkRows, 1, Math.Max(rows, 1));

    /// <summary>log2 of the partition count for a chunk of <paramref name="chunk"/> rows.</summary>
    public int PartitionBitsFor(int chunk) =>
        Math.Clamp(BitOperations.Log2((uint)Math.Max(1, chunk / Math.Max(1, RowsPerPartition))), 0, Math.Clamp(MaxPartitionBits, 0, 16));
}

/// <summary>One bulk aggregation: the partition tables, the pooled scratch and the per-slice offsets of the current chunk.</summary>
internal sealed class PartitionedRun
{
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15UL;

    private readonly ReadOnlyMemory<long> _keys;
    private readonly ReadOnlyMemory<LocalDate> _dates;
    private readonly ReadOnlyMemory<decimal> _amounts;
    private readonly int _firstDay;
    private readonly int _lastDay;
    private readonly int _bits;
    private readonly int _partitions;
    private readonly int _chunk;
    private readonly int _workers;
    private readonly int _slices;
    private readonly int _foldTasks;
    private readonly Table?[] _tables;

    // Slots per table at the start (a power of two); every table starts in its share of one pooled region.
    private readonly int _tableSize;

    // [slice * partitions + p]: the rows a slice counted for partition p, then its write cursor, finally its end.
    private readonly int[] _cursors;

    // [slice * partitions + p]: where the slice's rows of partition p begin in the scratch.
    private readonly int[] _starts;
    private readonly Action<int> _count;
    private readonly Action<int> _scatter;
    private readonly Action<int> _fold;
    private Entry[] _scratch = [];
    private Slot[] _region = [];
    private int _chunkStart;
    private int _chunkLength;
    private bool _lastChunk;
    private int _failed;

    public PartitionedRun(ReadOnlyMemory<long> keys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, int firstDay, int lastDay, BulkLayout layout, int threads)
    {
        _keys = keys;
        _dates = dates;
        _amounts = amounts;
        _firstDay = firstDay;
        _lastDay = lastDay;
        _chunk = layout.ChunkFor(keys.Length);
        _bits = layout.PartitionBitsFor(_chunk);
        _partitions = 1 << _bits;
        _workers = keys.Length < layout.MinParallelRows ? 1 : threads;
        // Several slices per worker: Parallel.For hands them out as threads come free, so a thread that the
        // (shared) machine delays is helped by the other instead of everyone waiting for it.
        _slices = _workers == 1 ? 1 : _workers * 4;
        _foldTasks = Math.Min(_partitions, _slices);
        _tables = new Table?[_partitions];
        // Sized for the rows a partition sees, as if most customers buy more than a few times; a table grows when that
        // guess is low. 24 bytes per slot: about 48 bytes per customer at 10 rows per customer.
        _tableSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, keys.Length >> (_bits + 3)));
        _cursors = new int[_slices * _partitions];
        _starts = new int[_slices * _partitions];
        _count = Count;
        _scatter = Scatter;
        _fold = Fold;
    }

    /// <summary>Aggregates every chunk and collects the scored customers; null when an amount needs the exact path.</summary>
    public CustomerMetrics<long>? Aggregate()
    {
        var n = _keys.Length;
        if (n == 0)
        {
            return Collect();
        }
        // Both are working memory of this call only, borrowed and returned: scratch 16 bytes per chunk row, tables
        // 24 bytes per slot. What the call keeps (and allocates) is the result columns.
        _scratch = ArrayPool<Entry>.Shared.Rent(_chunk);
        _region = ArrayPool<Slot>.Shared.Rent(_partitions * _tableSize);
        try
        {
            for (var start = 0; start < n; start += _chunk)
            {
                _chunkStart = start;
                _chunkLength = Math.Min(_chunk, n - start);
                _lastChunk = start + _chunkLength == n;
                ForEach(_slices, _count);
                Offsets();
                ForEach(_slices, _scatter);
                if (Volatile.Read(ref _failed) != 0)
                {
                    return null;
                }
                ForEach(_foldTasks, _fold);
            }
            return Collect();
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(_scratch);
            ArrayPool<Slot>.Shared.Return(_region);
            _scratch = [];
            _region = [];
        }
    }

    /// <summary>The scored customers of every table, partition by partition (each table was compacted after its last fold).</summary>
    private CustomerMetrics<long> Collect()
    {
        var at = new int[_partitions + 1];
        for (var p = 0; p < _partitions; p++)
        {
            at[p + 1] = at[p] + (_tables[p]?.Scored ?? 0);
        }
        var n = at[_partitions];
        var customers = new long[n];
        var lastDay = new int[n];
        var frequency = new int[n];
        var monetary = new long[n];
        ForEach(_foldTasks, task =>
        {
            var (lo, hi) = PartitionRange(task);
            for (var p = lo; p < hi; p++)
            {
                var slots = _tables[p] is { } table ? table.Compacted : [];
                var offset = at[p];
                for (var i = 0; i < slots.Length; i++)
                {
                    ref readonly var slot = ref slots[i];
                    customers[offset + i] = slot.Key;
                    lastDay[offset + i] = slot.LastDay;
                    frequency[offset + i] = slot.Frequency;
                    monetary[offset + i] = slot.Cents;
                }
            }
        });
        return new CustomerMetrics<long>(customers, lastDay, frequency, MonetaryColumn.FromMinor(monetary));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Partition(long key) =>
        // The top bits of a multiplicative hash (two shifts, so that 0 bits gives partition 0 rather than a 64-bit shift).
        (int)(((ulong)key * HashMultiplier) >> 32 >> (32 - _bits));

    private (int Lo, int Hi) SliceRange(int slice) =>
        (_chunkStart + (int)((long)_chunkLength * slice / _slices), _chunkStart + (int)((long)_chunkLength * (slice + 1) / _slices));

    private (int Lo, int Hi) PartitionRange(int task) =>
        (_partitions * task / _foldTasks, _partitions * (task + 1) / _foldTasks);

    private void Count(int slice)
    {
        var (lo, hi) = SliceRange(slice);
        var counts = _cursors.AsSpan(slice * _partitions, _partitions);
        counts.Clear();
        foreach (var key in _keys.Span[lo..hi])
        {
            counts[Partition(key)]++;
        }
    }

    /// <summary>Lays the scratch out partition by partition, and within a partition slice by slice (row order).</summary>
    private void Offsets()
    {
        var at = 0;
        for (var p = 0; p < _partitions; p++)
        {
            for (var s = 0; s < _slices; s++)
            {
                var i = (s * _partitions) + p;
                var count = _cursors[i];
                _starts[i] = at;
                _cursors[i] = at;
                at += count;
            }
        }
    }

    /// <summary>Converts each row of the slice and writes it to its partition; rows outside the window are dropped here.</summary>
    private void Scatter(int slice)
    {
        var (lo, hi) = SliceRange(slice);
        var keys = _keys.Span[lo..hi];
        var dates = _dates.Span[lo..hi];
        var amounts = _amounts.Span[lo..hi];
        var cursors = _cursors.AsSpan(slice * _partitions, _partitions);
        var scratch = _scratch;
        using var days = new DayCache();
        for (var r = 0; r < keys.Length; r++)
        {
            var day = days.Get(in dates[r]);
            if (day < _firstDay || day > _lastDay)
            {
                continue;
            }
            if (!Cents.TryFrom(amounts[r], out var cents))
            {
                Volatile.Write(ref _failed, 1);
                return;
            }
            var key = keys[r];
            scratch[cursors[Partition(key)]++] = new Entry(key, day, cents);
        }
    }

    private void Fold(int task)
    {
        var (lo, hi) = PartitionRange(task);
        for (var p = lo; p < hi; p++)
        {
            // Sized for the rows it may see (most customers buy more than once); it grows when that guess is low.
            var table = _tables[p] ??= new Table(_region, p * _tableSize, _tableSize, _bits);
            for (var s = 0; s < _slices; s++)
            {
                var i = (s * _partitions) + p;
                table.Fold(_scratch.AsSpan(_starts[i], _cursors[i] - _starts[i]));
            }
            if (_lastChunk)
            {
                // While the table is still in cache: move its scored customers to the front for Collect.
                table.Compact();
            }
        }
    }

    private void ForEach(int count, Action<int> body)
    {
        if (_workers == 1 || count == 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }
            return;
        }
        // Callers see the same exception (e.g. a non-ISO date) whatever the number of threads.
        Parallelism.For(count, body, _workers);
    }

    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct Entry(long key, int day, int cents)
    {
        public readonly long Key = key;
        public readonly int Day = day;
        public readonly int Cents = cents;
    }

    /// <summary>One customer's accumulators; one slot is one cache-line fragment, so a fold touches one line per row.</summary>
    internal struct Slot
    {
        public long Key;
        public long Cents;
        public int LastDay;
        public int Frequency;
    }

    /// <summary>
    /// Open addressing with linear probing; grows at half load. A slot is in use when its LastDay is not Empty. A table
    /// starts in its share of the run's pooled slot region and moves to an array of its own only if it outgrows it.
    /// </summary>
    private sealed class Table
    {
        private const int Empty = int.MinValue;
        private const int NoPurchase = int.MinValue + 1;
        private const int PrefetchDistance = 24;
        private readonly int _partitionBits;
        private Slot[] _array;
        private int _base;
        private int _size;
        private int _count;
        private int _scored;
        private bool _compacted;

        public Table(Slot[] array, int offset, int size, int partitionBits)
        {
            _partitionBits = partitionBits;
            _array = array;
            _base = offset;
            _size = size;
            Clear(Slots);
        }

        /// <summary>Customers with at least one purchase.</summary>
        public int Scored => _scored;

        /// <summary>The scored customers, after <see cref="Compact"/>.</summary>
        public ReadOnlySpan<Slot> Compacted => _compacted ? _array.AsSpan(_base, _scored) : throw new InvalidOperationException("Compact the table first.");

        private Span<Slot> Slots => _array.AsSpan(_base, _size);

        public void Fold(ReadOnlySpan<Entry> entries)
        {
            // Counters in locals: as fields, every row would wait on the previous row's store to them.
            var count = _count;
            var scored = _scored;
            var slots = Slots;
            var mask = _size - 1;
            var limit = _size >> 1;
            for (var n = 0; n < entries.Length; n++)
            {
                ref readonly var e = ref entries[n];
                if (count >= limit)
                {
                    _count = count;
                    Grow();
                    slots = Slots;
                    mask = _size - 1;
                    limit = _size >> 1;
                }
                if (n + PrefetchDistance < entries.Length)
                {
                    // The slot of a row a few steps ahead: its cache miss overlaps this row's work instead of stalling later.
                    Prefetch(ref slots[Index(entries[n + PrefetchDistance].Key, mask)]);
                }
                var i = Index(e.Key, mask);
                while (true)
                {
                    ref var slot = ref slots[i];
                    if (slot.Key == e.Key && slot.LastDay != Empty)
                    {
                        slot.Cents += e.Cents;
                        if (e.Cents >= 0)
                        {
                            scored += slot.Frequency == 0 ? 1 : 0;
                            slot.Frequency++;
                            slot.LastDay = Math.Max(slot.LastDay, e.Day);
                        }
                        break;
                    }
                    if (slot.LastDay == Empty)
                    {
                        slot.Key = e.Key;
                        slot.Cents = e.Cents;
                        var purchase = e.Cents >= 0;
                        slot.LastDay = purchase ? e.Day : NoPurchase;
                        slot.Frequency = purchase ? 1 : 0;
                        scored += purchase ? 1 : 0;
                        count++;
                        break;
                    }
                    i = (i + 1) & mask;
                }
            }
            _count = count;
            _scored = scored;
        }

        /// <summary>Moves the scored slots to the front, in slot order; the table is no longer a hash table afterwards.</summary>
        public void Compact()
        {
            var slots = Slots;
            var w = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i].Frequency > 0)
                {
                    slots[w++] = slots[i];
                }
            }
            _compacted = true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Prefetch(ref Slot slot)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref slot));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Index(long key, int mask) =>
            // Bits below the partition bits of the same multiplicative hash: independent of the partition choice.
            (int)(((ulong)key * HashMultiplier) << _partitionBits >> 32) & mask;

        private void Grow()
        {
            var old = Slots;
            var size = _size * 2;
            var array = GC.AllocateUninitializedArray<Slot>(size);
            var slots = array.AsSpan();
            Clear(slots);
            var mask = size - 1;
            foreach (ref readonly var slot in old)
            {
                if (slot.LastDay == Empty)
                {
                    continue;
                }
                var i = Index(slot.Key, mask);
                while (slots[i].LastDay != Empty)
                {
                    i = (i + 1) & mask;
                }
                slots[i] = slot;
            }
            _array = array;
            _base = 0;
            _size = size;
        }

        private static void Clear(Span<Slot> slots)
        {
            foreach (ref var slot in slots)
            {
                slot.LastDay = Empty;
                slot.Frequency = 0;
            }
        }
    }
}

/// <summary>
/// Dates to epoch days through a small direct-mapped cache: bulk data has a few hundred distinct dates, so most rows
/// skip the civil-calendar arithmetic. Keyed by the date's 4-byte value, which identifies date and calendar exactly.
/// Key and day of a slot sit side by side (one cache line); the array is pooled, so a cache per slice costs nothing.
/// </summary>
internal readonly struct DayCache : IDisposable
{
    private const int Size = 4096;
    private static readonly bool Usable = Unsafe.SizeOf<LocalDate>() == sizeof(int);
    private readonly int[] _slots;

    public DayCache()
    {
        // Every slot starts holding one real (date, day) pair, so a hit is always a correct answer.
        var seed = new LocalDate(2000, 1, 1);
        var raw = Usable ? Unsafe.As<LocalDate, int>(ref seed) : 0;
        var day = EpochDays.FromDate(seed);
        _slots = ArrayPool<int>.Shared.Rent(2 * Size);
        for (var i = 0; i < 2 * Size; i += 2)
        {
            _slots[i] = raw;
            _slots[i + 1] = day;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Get(in LocalDate date)
    {
        if (!Usable)
        {
            return EpochDays.FromDate(date);
        }
        var raw = Unsafe.As<LocalDate, int>(ref Unsafe.AsRef(in date));
        var slot = (int)(((uint)raw * 0x9E3779B1u) >> 20) << 1;
        var slots = _slots;
        if (slots[slot] == raw)
        {
            return slots[slot + 1];
        }
        var day = EpochDays.FromDate(date);
        slots[slot] = raw;
        slots[slot + 1] = day;
        return day;
    }

    public void Dispose() => ArrayPool<int>.Shared.Return(_slots);
}

/// <summary>Exact conversion of decimal amounts to whole cents, reading the decimal's bits directly.</summary>
internal static class Cents
{
    private static readonly bool LayoutKnown = CheckLayout();

    private static readonly ulong[] Powers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000];

    /// <summary>Whether <paramref name="amount"/> is a whole number of cents within ±2^31; if so, the cents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFrom(decimal amount, out int cents)
    {
        if (!LayoutKnown)
        {
            return TrySlow(amount, out cents);
        }
        var bits = Unsafe.As<decimal, DecimalBits>(ref amount);
        var scale = (bits.Flags >> 16) & 0xFF;
        if (bits.Hi == 0 && scale <= 2 && bits.Lo <= int.MaxValue)
        {
            // The common case without a branch on the scale: bulk amounts mix scales 0, 1 and 2 (12, 12.5, 12.34),
            // which a branch per scale would mispredict.
            var value = bits.Lo * ScaleToCents[scale];
            if (value > int.MaxValue)
            {
                cents = 0;
                return false;
            }
            var sign = bits.Flags >> 31;
            cents = ((int)value ^ sign) - sign;
            return true;
        }
        return TryFromFinerScale(bits, scale, out cents);
    }

    /// <summary>What turns a magnitude at scale 0, 1 or 2 into cents.</summary>
    private static ReadOnlySpan<uint> ScaleToCents => [100, 10, 1];

    /// <summary>Scales above 2 are whole cents only with trailing zeros (12.500).</summary>
    private static bool TryFromFinerScale(DecimalBits bits, int scale, out int cents)
    {
        cents = 0;
        if (bits.Hi != 0 || scale <= 2)
        {
            return false;
        }
        var divisor = scale - 2 < Powers.Length ? Powers[scale - 2] : ulong.MaxValue;
        if (bits.Lo % divisor != 0 || bits.Lo / divisor > int.MaxValue)
        {
            return false;
        }
        var value = (int)(bits.Lo / divisor);
        cents = bits.Flags < 0 ? -value : value;
        return true;
    }

    private static bool TrySlow(decimal amount, out int cents)
    {
        var scaled = amount * 100m;
        if (scaled != decimal.Truncate(scaled) || scaled > int.MaxValue || scaled < -int.MaxValue)
        {
            cents = 0;
            return false;
        }
        cents = (int)scaled;
        return true;
    }

    private static bool CheckLayout()
    {
        // The runtime's decimal is { int flags; uint hi32; ulong lo64 }; verify rather than assume.
        var sample = -1234567.891m;
        var bits = Unsafe.As<decimal, DecimalBits>(ref sample);
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(sample, parts);
        return bits.Flags == parts[3] && bits.Hi == (uint)parts[2] && bits.Lo == ((ulong)(uint)parts[1] << 32 | (uint)parts[0]);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct DecimalBits
    {
        public readonly int Flags;
        public readonly uint Hi;
        public readonly ulong Lo;
    }
}
