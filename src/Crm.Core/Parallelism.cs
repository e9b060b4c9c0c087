using System.Runtime.ExceptionServices;

namespace Crm.Core;

/// <summary>Parallel loops whose failures surface as the exception the body threw, not wrapped.</summary>
internal static class Parallelism
{
    /// <summary>
    /// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> over [0, <paramref name="count"/>) with at most
    /// <paramref name="maxDegree"/> threads (-1: the scheduler decides), rethrowing the first exception of the body as
    /// itself: public methods document argument and domain exceptions, and callers should see the same one whatever the
    /// number of threads, not an <see cref="AggregateException"/> to unwrap.
    /// </summary>
    public static void For(int count, Action<int> body, int maxDegree = -1)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegree }, body);
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }
}
