namespace Crm.Core.Storage;

/// <summary>
/// The changes an <see cref="InMemoryUnitOfWork"/> holds, in registration order: the first inline, a list only from
/// the second on.
/// </summary>
/// <remarks>
/// Most units of work change one aggregate (an accrual, a registration), and a unit of work lives for one request, so
/// a list and its array per request would be pure garbage. A mutable struct: keep it in a field and pass it by
/// reference.
/// </remarks>
internal struct InMemoryChangeSet
{
    private InMemoryChange? _first;
    private List<InMemoryChange>? _all;

    public readonly int Count => _all?.Count ?? (_first is null ? 0 : 1);

    public readonly InMemoryChange this[int index] =>
        _all is not null ? _all[index] : index == 0 && _first is not null ? _first : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(InMemoryChange change)
    {
        if (_all is not null)
        {
            _all.Add(change);
        }
        else if (_first is null)
        {
            _first = change;
        }
        else
        {
            _all = [_first, change];
            _first = null;
        }
    }

    public void Remove(InMemoryChange change)
    {
        if (_all is not null)
        {
            _all.Remove(change);
        }
        else if (ReferenceEquals(_first, change))
        {
            _first = null;
        }
    }

    public void Clear()
    {
        _first = null;
        _all = null;
    }
}
