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
/// Rows are taken in chunks of 4M: counted per partition (hash of the customer key), scattered so each partition's
/// rows lie together, then each partition is folded into its own open-addressing table. A table holds ~1/P of the
/// customers and stays in cache while its rows are folded, instead of every row missing on one table the size of all
/// customers; slots a few rows ahead are prefetched. The scratch is borrowed from <see cref="ArrayPool{T}.Shared"/>
/// (16 bytes per chunk row, returned after the call), so what a call allocates grows with customers only. Threads
/// split the partitions, not the rows: each reads every key but converts and folds only its own partitions, so no
/// merge and no locks are needed. An amount that is not a whole number of cents
/// fitting 32 bits makes <see cref="TryAggregate"/> return false and the caller recomputes on the exact path.
/// </remarks>
internal static class BulkAggregator
{
    /// <summary>Rows per scatter chunk (4M: a pooled 64 MB scratch), large enough that each table is reused many times per load. Tests lower it to cover several chunks.</summary>
    internal static int ChunkRows { get; set; } = 1 << 22;
    private const int Skip = int.MinValue;
    private const int Empty = int.MinValue;
    private const int NoPurchase = int.MinValue + 1;
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15UL;

    /// <summary>Aggregates, or returns null when some amount needs the exact path.</summary>
    public static CustomerMetrics<long>? TryAggregate(ReadOnlyMemory<long> keys, ReadOnlyMemory<LocalDate> dates, ReadOnlyMemory<decimal> amounts, int firstDay, int lastDay, int threads)
    {
        var n = keys.Length;
        // 2^bits partitions of roughly 4,000 rows-per-chunk each (at most 1024), so a partition's table fits in L2.
        var bits = n < 65_536 ? 0 : Math.Min(10, BitOperations.Log2((uint)(Math.Min(n, ChunkRows) / 4_096)));
        var partitions = 1 << bits;
        threads = Math.Clamp(threads, 1, partitions);
        var tables = new Table[partitions];
        var ok = true;
        if (threads == 1)
        {
            ok = Run(keys.Span, dates.Span, amounts.Span, firstDay, lastDay, bits, 0, partitions, tables);
        }
        else
        {
            var results = new bool[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var lo = partitions * t / threads;
                var hi = partitions * (t + 1) / threads;
                results[t] = Run(keys.Span, dates.Span, amounts.Span, firstDay, lastDay, bits, lo, hi, tables);
            });
            ok = Array.TrueForAll(results, x => x);
        }
        return ok ? Collect(tables) : null;
    }

    private static bool Run(ReadOnlySpan<long> keys, ReadOnlySpan<LocalDate> dates, ReadOnlySpan<decimal> amounts, int firstDay, int lastDay,
        int bits, int partitionLo, int partitionHi, Table[] tables)
    {
        var owned = partitionHi - partitionLo;
        for (var p = partitionLo; p < partitionHi; p++)
        {
            tables[p] = new Table(bits == 0 ? 1024 : Math.Max(64, keys.Length >> (bits + 3)), bits);
        }
        var shift = bits == 0 ? 63 : 64 - bits;
        var partitionMask = bits == 0 ? 0 : -1;
        var days = new DayCache();
        var chunk = Math.Min(keys.Length, ChunkRows);
        var scratch = ArrayPool<Entry>.Shared.Rent(Math.Max(chunk, 1));
        var offsets = new int[owned + 1];
        var cursor = new int[owned];
        try
        {
            for (var start = 0; start < keys.Length; start += chunk)
            {
                var rows = keys.Slice(start, Math.Min(chunk, keys.Length - start));
                // Pass 1: how many rows each owned partition gets, so pass 2 writes each partition contiguously.
                Array.Clear(offsets);
                foreach (var key in rows)
                {
                    var local = ((int)(((ulong)key * HashMultiplier) >> shift) & partitionMask) - partitionLo;
                    if ((uint)local < (uint)owned)
                    {
                        offsets[local + 1]++;
                    }
                }
                for (var j = 0; j < owned; j++)
                {
                    offsets[j + 1] += offsets[j];
                    cursor[j] = offsets[j];
                }
                // Pass 2: convert and scatter. Rows outside the window keep their place but are marked to be skipped.
                for (var r = 0; r < rows.Length; r++)
                {
                    var key = rows[r];
                    var local = ((int)(((ulong)key * HashMultiplier) >> shift) & partitionMask) - partitionLo;
                    if ((uint)local >= (uint)owned)
                    {
                        continue;
                    }
                    var i = start + r;
                    var day = days.Get(in dates[i]);
                    int cents;
                    if (day < firstDay || day > lastDay)
                    {
                        day = Skip;
                        cents = 0;
                    }
                    else if (!Cents.TryFrom(amounts[i], out cents))
                    {
                        return false;
                    }
                    scratch[cursor[local]++] = new Entry(key, day, cents);
                }
                // Pass 3: each partition's rows into its own table, which stays in cache while they are folded.
                for (var j = 0; j < owned; j++)
                {
                    tables[partitionLo + j].Fold(scratch.AsSpan(offsets[j], offsets[j + 1] - offsets[j]));
                }
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(scratch);
        }
        return true;
    }

    private static CustomerMetrics<long> Collect(Table[] tables)
    {
        var n = 0;
        foreach (var table in tables)
        {
            n += table.Scored;
        }
        var customers = new long[n];
        var lastDay = new int[n];
        var frequency = new int[n];
        var monetary = new long[n];
        var at = 0;
        foreach (var table in tables)
        {
            foreach (ref readonly var slot in table.Slots)
            {
                if (slot.Frequency > 0)
                {
                    customers[at] = slot.Key;
                    lastDay[at] = slot.LastDay;
                    frequency[at] = slot.Frequency;
                    monetary[at] = slot.Cents;
                    at++;
                }
            }
        }
        return new CustomerMetrics<long>(customers, lastDay, frequency, MonetaryColumn.FromMinor(monetary));
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Entry(long key, int day, int cents)
    {
        public readonly long Key = key;
        public readonly int Day = day;
        public readonly int Cents = cents;
    }

    /// <summary>One customer's accumulators; one slot is one cache-line fragment, so a fold touches one line per row.</summary>
    private struct Slot
    {
        public long Key;
        public long Cents;
        public int LastDay;
        public int Frequency;
    }

    /// <summary>Open addressing with linear probing; grows at half load.</summary>
    private sealed class Table
    {
        private readonly int _partitionBits;
        private Slot[] _slots;
        private int _mask;
        private int _count;
        private int _scored;

        public Table(int capacity, int partitionBits)
        {
            _partitionBits = partitionBits;
            var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
            _slots = NewSlots(size);
            _mask = size - 1;
        }

        public ReadOnlySpan<Slot> Slots => _slots;

        public int Scored => _scored;

        public void Fold(ReadOnlySpan<Entry> entries)
        {
            for (var n = 0; n < entries.Length; n++)
            {
                ref readonly var e = ref entries[n];
                if (e.Day == Skip)
                {
                    continue;
                }
                if (_count >= (_slots.Length >> 1))
                {
                    Grow();
                }
                var slots = _slots;
                var mask = _mask;
                if (n + PrefetchDistance < entries.Length)
                {
                    // The slot of a row a few steps ahead: its cache miss overlaps this row's work instead of stalling later.
                    Prefetch(ref slots[Index(entries[n + PrefetchDistance].Key, mask)]);
                }
                var i = Index(e.Key, mask);
                while (true)
                {
                    ref var slot = ref slots[i];
                    if (slot.LastDay == Empty)
                    {
                        slot.Key = e.Key;
                        slot.Cents = e.Cents;
                        if (e.Cents >= 0)
                        {
                            slot.LastDay = e.Day;
                            slot.Frequency = 1;
                            _scored++;
                        }
                        else
                        {
                            slot.LastDay = NoPurchase;
                        }
                        _count++;
                        break;
                    }
                    if (slot.Key == e.Key)
                    {
                        slot.Cents += e.Cents;
                        if (e.Cents >= 0)
                        {
                            if (slot.Frequency == 0)
                            {
                                _scored++;
                            }
                            slot.Frequency++;
                            slot.LastDay = Math.Max(slot.LastDay, e.Day);
                        }
                        break;
                    }
                    i = (i + 1) & mask;
                }
            }
        }

        private const int PrefetchDistance = 12;

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
            var old = _slots;
            var size = old.Length * 2;
            var slots = NewSlots(size);
            var mask = size - 1;
            foreach (ref readonly var slot in old.AsSpan())
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
            _slots = slots;
            _mask = mask;
        }

        private static Slot[] NewSlots(int size)
        {
            var slots = GC.AllocateUninitializedArray<Slot>(size);
            foreach (ref var slot in slots.AsSpan())
            {
                slot.LastDay = Empty;
                slot.Frequency = 0;
            }
            return slots;
        }
    }
}

/// <summary>
/// Dates to epoch days through a small direct-mapped cache: bulk data has a few hundred distinct dates, so most rows
/// skip the civil-calendar arithmetic. Keyed by the date's 4-byte value, which identifies date and calendar exactly.
/// </summary>
internal struct DayCache
{
    private const int Size = 4096;
    private static readonly bool Usable = Unsafe.SizeOf<LocalDate>() == sizeof(int);
    private readonly int[] _raw;
    private readonly int[] _day;

    public DayCache()
    {
        // Every slot starts holding one real (date, day) pair, so a hit is always a correct answer.
        var seed = new LocalDate(2000, 1, 1);
        _raw = new int[Size];
        _day = new int[Size];
        Array.Fill(_raw, Usable ? Unsafe.As<LocalDate, int>(ref seed) : 0);
        Array.Fill(_day, EpochDays.FromDate(seed));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Get(in LocalDate date)
    {
        if (!Usable)
        {
            return EpochDays.FromDate(date);
        }
        var raw = Unsafe.As<LocalDate, int>(ref Unsafe.AsRef(in date));
        var slot = (int)(((uint)raw * 0x9E3779B1u) >> 20);
        if (_raw[slot] == raw)
        {
            return _day[slot];
        }
        var day = EpochDays.FromDate(date);
        _raw[slot] = raw;
        _day[slot] = day;
        return day;
    }
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
        ulong value;
        if (bits.Hi != 0)
        {
            cents = 0;
            return false;
        }
        if (scale == 2)
        {
            value = bits.Lo;
        }
        else if (scale < 2)
        {
            value = bits.Lo * (scale == 0 ? 100UL : 10UL);
            if (bits.Lo > int.MaxValue)
            {
                cents = 0;
                return false;
            }
        }
        else
        {
            // Trailing zeros beyond cents (12.500) are still whole cents.
            var divisor = scale - 2 < Powers.Length ? Powers[scale - 2] : ulong.MaxValue;
            if (bits.Lo % divisor != 0)
            {
                cents = 0;
                return false;
            }
            value = bits.Lo / divisor;
        }
        if (value > int.MaxValue)
        {
            cents = 0;
            return false;
        }
        cents = bits.Flags < 0 ? -(int)value : (int)value;
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
