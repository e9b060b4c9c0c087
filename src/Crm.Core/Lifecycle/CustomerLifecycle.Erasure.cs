namespace Crm.Core.Lifecycle;

// Erasure (GDPR art. 17): the stage history stays (dates and stages feed aggregates), its free-text reasons go.
public sealed partial class CustomerLifecycle
{
    /// <summary>
    /// Replaces the free-text reasons of the stage history with a placeholder; stages, dates, actors (staff or system
    /// ids) and rule ids stay. Idempotent.
    /// </summary>
    internal void ErasePersonalText()
    {
        for (var i = 0; i < _history.Count; i++)
        {
            if (_history[i].Reason is { } reason && reason != Customers.Customer.ErasedText)
            {
                _history[i] = _history[i] with { Reason = Customers.Customer.ErasedText };
            }
        }
    }
}
