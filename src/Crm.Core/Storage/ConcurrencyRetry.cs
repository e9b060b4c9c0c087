using Crm.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Core.Storage;

/// <summary>
/// Runs a use case again when its commit loses an optimistic-concurrency race, so that hosts never overwrite a
/// newer version and never lose a write. The operation must load what it changes, apply the change and commit,
/// all inside the delegate, because every attempt has to start from fresh state:
/// <code>
/// await scopeFactory.ExecuteWithConcurrencyRetryAsync(async (services, ct) =>
/// {
///     var accounts = services.GetRequiredService&lt;IRepository&lt;LoyaltyAccount, LoyaltyAccountId&gt;&gt;();
///     var account = await accounts.GetByIdAsync(id, ct) ?? throw ...;
///     account.Earn(points, clock.GetCurrentInstant());
///     await accounts.UpdateAsync(account, ct);
///     await services.GetRequiredService&lt;IUnitOfWork&gt;().CommitAsync(ct);
/// }, cancellationToken: ct);
/// </code>
/// </summary>
/// <remarks>
/// Only <see cref="ConcurrencyConflictException"/> is retried; any other exception ends the attempts at once.
/// Between attempts it waits a short random time (up to a few milliseconds, growing with the attempt) so that
/// competing writers spread out. When every attempt conflicts, the last <see cref="ConcurrencyConflictException"/>
/// propagates. Thread-safe; the operation itself must be safe to run more than once (it is, when it only changes
/// state through the unit of work).
/// </remarks>
public static class ConcurrencyRetry
{
    /// <summary>The number of attempts used when none is given.</summary>
    public const int DefaultMaxAttempts = 10;

    /// <summary>The largest number of attempts accepted.</summary>
    public const int MaxAttemptsLimit = 1000;

    /// <summary>Runs <paramref name="operation"/>, running it again after a <see cref="ConcurrencyConflictException"/>.</summary>
    /// <param name="operation">Loads, changes and commits; receives the 1-based attempt number and the cancellation token.</param>
    /// <param name="maxAttempts">How many times to try at most, in [1, <see cref="MaxAttemptsLimit"/>].</param>
    /// <param name="cancellationToken">Cancels the attempts and the waits between them.</param>
    /// <returns>A task that completes when an attempt succeeded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is out of range.</exception>
    /// <exception cref="ConcurrencyConflictException">Every attempt conflicted.</exception>
    public static Task ExecuteAsync(Func<int, CancellationToken, Task> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(operation);
        return ExecuteAsync<bool>(async (attempt, ct) =>
        {
            await operation(attempt, ct).ConfigureAwait(false);
            return true;
        }, maxAttempts, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> and returns its result, running it again after a <see cref="ConcurrencyConflictException"/>.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="operation">Loads, changes and commits; receives the 1-based attempt number and the cancellation token.</param>
    /// <param name="maxAttempts">How many times to try at most, in [1, <see cref="MaxAttemptsLimit"/>].</param>
    /// <param name="cancellationToken">Cancels the attempts and the waits between them.</param>
    /// <returns>The result of the successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is out of range.</exception>
    /// <exception cref="ConcurrencyConflictException">Every attempt conflicted.</exception>
    public static async Task<TResult> ExecuteAsync<TResult>(Func<int, CancellationToken, Task<TResult>> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(operation);
        Preconditions.CheckArgumentRange(nameof(maxAttempts), maxAttempts, 1, MaxAttemptsLimit);
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await operation(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < maxAttempts)
            {
                // Random backoff: writers that collided at once would otherwise collide again.
                var delay = Random.Shared.Next(0, Math.Min(1 << Math.Min(attempt, 5), 32));
                if (delay > 0)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in a new dependency-injection scope per attempt (so every attempt gets its
    /// own <see cref="IUnitOfWork"/> and repositories), running it again after a <see cref="ConcurrencyConflictException"/>.
    /// </summary>
    /// <param name="scopeFactory">The host's scope factory.</param>
    /// <param name="operation">Resolves what it needs from the scope's services, loads, changes and commits.</param>
    /// <param name="maxAttempts">How many times to try at most, in [1, <see cref="MaxAttemptsLimit"/>].</param>
    /// <param name="cancellationToken">Cancels the attempts and the waits between them.</param>
    /// <returns>A task that completes when an attempt succeeded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scopeFactory"/> or <paramref name="operation"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is out of range.</exception>
    /// <exception cref="ConcurrencyConflictException">Every attempt conflicted.</exception>
    public static Task ExecuteWithConcurrencyRetryAsync(this IServiceScopeFactory scopeFactory, Func<IServiceProvider, CancellationToken, Task> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(scopeFactory);
        Preconditions.CheckNotNull(operation);
        Preconditions.CheckArgumentRange(nameof(maxAttempts), maxAttempts, 1, MaxAttemptsLimit);
        return ExecuteInScopesAsync(scopeFactory, operation, maxAttempts, cancellationToken);
    }

    private static async Task ExecuteInScopesAsync(IServiceScopeFactory scopeFactory, Func<IServiceProvider, CancellationToken, Task> operation, int maxAttempts, CancellationToken cancellationToken)
    {
        // The logger comes from the host's container when it has logging; a scope is where we can reach it.
        ILogger? logger = null;
        await ExecuteAsync(async (attempt, ct) =>
        {
            var scope = scopeFactory.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                logger ??= scope.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(ConcurrencyRetry).FullName!) ?? NullLogger.Instance;
                try
                {
                    await operation(scope.ServiceProvider, ct).ConfigureAwait(false);
                    return true;
                }
                catch (ConcurrencyConflictException e)
                {
                    if (attempt < maxAttempts)
                    {
                        CrmLog.ConcurrencyRetrying(logger, e.AggregateType, e.ExpectedVersion, attempt, maxAttempts);
                    }
                    else
                    {
                        CrmLog.ConcurrencyRetriesExhausted(logger, e.AggregateType, maxAttempts);
                    }
                    throw;
                }
            }
        }, maxAttempts, cancellationToken).ConfigureAwait(false);
    }
}
