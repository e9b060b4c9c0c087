namespace Crm.Core.Storage;

/// <summary>What a unit of work will do to one aggregate when it commits.</summary>
internal enum ChangeKind
{
    Add,
    Update,
    Remove,

    /// <summary>Removed, then added again under the same id: the stored aggregate is replaced (after its version check).</summary>
    Replace,
}

/// <summary>How a new registration combines with one already pending for the same aggregate.</summary>
internal enum PendingMerge
{
    /// <summary>Keep the pending kind, but save the latest copy.</summary>
    ReplaceAggregate,

    /// <summary>Added and removed in one unit of work: nothing to write.</summary>
    Drop,

    /// <summary>Updated, then removed: remove it.</summary>
    BecomeRemove,

    /// <summary>
    /// Removed, then added again with the same id: replace the stored aggregate by the new one. This is how an
    /// aggregate whose storage key includes its owner (a purchase or an interaction, keyed by customer) moves to
    /// another customer: a database store deletes the old row and inserts the new one in the same transaction.
    /// </summary>
    BecomeReplace,
}

/// <summary>
/// The registration rules every unit of work follows, in one place so that all stores behave alike
/// (the storage conformance kit checks that they do).
/// </summary>
internal static class PendingChanges
{
    /// <summary>Decides how <paramref name="incoming"/> combines with <paramref name="pending"/>; throws for illegal sequences.</summary>
    public static PendingMerge Merge(ChangeKind incoming, ChangeKind pending, string type, string id) =>
        (incoming, pending) switch
        {
            (ChangeKind.Add, ChangeKind.Remove) => PendingMerge.BecomeReplace,
            (ChangeKind.Add, _) => throw new DuplicateAggregateException(type, id),
            (ChangeKind.Update, ChangeKind.Replace) => PendingMerge.ReplaceAggregate,
            (_, ChangeKind.Remove or ChangeKind.Replace) => throw new AggregateNotFoundException(type, id, "it is already registered for removal in this unit of work."),
            (ChangeKind.Update, _) => PendingMerge.ReplaceAggregate, // latest copy wins; the add or version check still applies on commit
            (ChangeKind.Remove, ChangeKind.Add) => PendingMerge.Drop,
            _ => PendingMerge.BecomeRemove,
        };

    /// <summary>Whether a first registration fits the aggregate's version (what <see cref="CheckFirstRegistration"/> checks), without building any message.</summary>
    public static bool IsValidFirstRegistration(ChangeKind kind, long version) => kind == ChangeKind.Add ? version == 0 : version != 0;

    /// <summary>Checks a first registration against the aggregate's version: adds must be new, updates and removes saved before.</summary>
    public static void CheckFirstRegistration(ChangeKind kind, long version, string type, string id, string paramName)
    {
        if (kind == ChangeKind.Add)
        {
            Preconditions.CheckArgument(version == 0, paramName,
                $"This {type} was already saved (version {version}); register changes to it with UpdateAsync.");
        }
        else if (version == 0)
        {
            throw new AggregateNotFoundException(type, id, "it was never saved; add it with AddAsync first.");
        }
    }
}
