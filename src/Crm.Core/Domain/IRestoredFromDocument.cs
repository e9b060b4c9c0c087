namespace Crm.Core;

/// <summary>
/// Implemented by aggregates whose stored state may have been written in an older internal shape. A store that
/// restores an aggregate's fields from a state document calls <see cref="AfterRestore"/> once, before the aggregate
/// is used, so the aggregate can bring such state up to date (documents need no migration).
/// </summary>
internal interface IRestoredFromDocument
{
    /// <summary>Brings state read from a document into the current shape; does nothing for current documents.</summary>
    void AfterRestore();
}
