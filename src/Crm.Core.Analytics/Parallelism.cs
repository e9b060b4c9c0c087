using System.Runtime.ExceptionServices;

namespace Crm.Core.Analytics;

/// <summary>Parallel loops whose failures surface as the exception the body threw, not wrapped.</summary>
internal static class Parallelism
{
    /// <summary>
    /// <see cref="Parallel.For(int, int, Action{int})"/> over [0, <paramref name="count"/>), rethrowing the first
    /// exception of the body as itself: the public methods that use it document argument and domain exceptions, and
    /// callers should not have to unwrap an <see cref="AggregateException"/> to see them.
    /// </summary>
    public static void For(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }
}
