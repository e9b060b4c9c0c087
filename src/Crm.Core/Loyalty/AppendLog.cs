namespace Crm.Core.Loyalty;

/// <summary>
/// Append-only storage that several <see cref="LedgerState"/> copies share: a copy is just (log, count), so taking a
/// snapshot costs nothing however long the ledger is.
/// </summary>
/// <remarks>
/// <para>
/// Slots below <see cref="Claimed"/> are written once and never change. A holder whose count equals
/// <see cref="Claimed"/> may claim the next slot (one compare-and-swap, so two copies on different threads can never
/// both get it); every other holder — one that fell behind because another copy appended first — copies its prefix
/// into a log of its own. A holder never reads past its own count, so what other copies append is invisible to it.
/// </para>
/// <para>
/// Visibility across threads needs no more than that: a copy reaches another thread through the store's lock (or
/// the host's own hand-over), which orders the slot writes before the reads.
/// </para>
/// </remarks>
internal sealed class AppendLog<T>
{
    public AppendLog(int capacity) => Items = new T[capacity];

    /// <summary>The slots; those at and beyond <see cref="Claimed"/> are free.</summary>
    public T[] Items;

    /// <summary>How many slots have been handed out.</summary>
    public int Claimed;

    /// <summary>
    /// Puts <paramref name="item"/> after the first <paramref name="count"/> items of <paramref name="log"/>, first
    /// copying that prefix into a new log when the next slot is taken or there is none; the caller then counts one more.
    /// </summary>
    public static void Append(ref AppendLog<T> log, int count, T item)
    {
        var current = log;
        if (count < current.Items.Length && Interlocked.CompareExchange(ref current.Claimed, count + 1, count) == count)
        {
            current.Items[count] = item;
        }
        else
        {
            // Full, or another copy already appended its own entry here: continue in a private log.
            var copy = new AppendLog<T>(Math.Max(4, count * 2));
            Array.Copy(current.Items, copy.Items, count);
            copy.Items[count] = item;
            copy.Claimed = count + 1;
            log = copy;
        }
    }

    /// <summary>A private log holding the first <paramref name="count"/> items of <paramref name="log"/>.</summary>
    public static AppendLog<T> CopyOf(AppendLog<T> log, int count)
    {
        var copy = new AppendLog<T>(Math.Max(4, log.Items.Length));
        Array.Copy(log.Items, copy.Items, count);
        copy.Claimed = count;
        return copy;
    }
}
