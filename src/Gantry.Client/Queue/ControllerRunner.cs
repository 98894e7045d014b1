using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Client.Queue;

/// <summary>
/// Runs a controller's workers: each takes a key from the queue and calls reconcile; success forgets the key's failures,
/// an exception re-adds it with rate limiting. Cancelling shuts the queue down and waits for the workers.
/// </summary>
public sealed partial class ControllerRunner<TKey> where TKey : notnull
{
    private readonly string _name;
    private readonly RateLimitingQueue<TKey> _queue;
    private readonly Func<TKey, CancellationToken, Task> _reconcile;
    private readonly ILogger _logger;

    /// <summary>A runner of <paramref name="reconcile"/> over <paramref name="queue"/>; <paramref name="name"/> names it in logs.</summary>
    public ControllerRunner(string name, RateLimitingQueue<TKey> queue, Func<TKey, CancellationToken, Task> reconcile, ILoggerFactory? loggers = null)
    {
        _name = name;
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _reconcile = reconcile ?? throw new ArgumentNullException(nameof(reconcile));
        _logger = (ILogger?)loggers?.CreateLogger<ControllerRunner<TKey>>() ?? NullLogger.Instance;
    }

    /// <summary>Runs <paramref name="workers"/> workers until cancelled (or the queue is shut down).</summary>
    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        await using var registration = cancellationToken.Register(static q => ((WorkQueue<TKey>)q!).ShutDown(), _queue).ConfigureAwait(false);
        var tasks = new Task[workers];
        for (var i = 0; i < workers; i++) tasks[i] = Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None);
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (key, shutDown) = await _queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (shutDown) return;
            try
            {
                await _reconcile(key, cancellationToken).ConfigureAwait(false);
                _queue.Forget(key);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogReconcileFailed(_logger, _name, key, _queue.NumRequeues(key), ex);
                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed (retries so far: {Retries}); requeued")]
    private static partial void LogReconcileFailed(ILogger logger, string controller, object key, int retries, Exception exception);
}
