using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.LeaderElection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Controllers;

/// <summary>
/// Runs a set of controllers over one shared informer factory, while this process holds leadership (like
/// kube-controller-manager). Inside <c>gantry server</c> it uses the always-leader elector; with several servers, the
/// Lease elector.
/// </summary>
public sealed partial class ControllerManager : IAsyncDisposable
{
    private readonly ControllerContext _context;
    private readonly ILeaderElector _elector;
    private readonly ILogger _logger;
    private readonly List<IController> _controllers;

    /// <summary>Builds the controllers named by <paramref name="factories"/> over the client.</summary>
    public ControllerManager(IApiClient client, IEnumerable<Func<ControllerContext, IController>> factories, ILeaderElector? elector = null,
        ControllerOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        _context = new ControllerContext
        {
            Client = client,
            Informers = new SharedInformerFactory(client, default, time, loggers),
            Time = time,
            Loggers = loggers,
            Options = options ?? new ControllerOptions(),
        };
        _elector = elector ?? new AlwaysLeaderElector();
        _logger = loggers.CreateLogger<ControllerManager>();
        _controllers = factories.Select(f => f(_context)).ToList();
    }

    /// <summary>The shared context (tests use its informers).</summary>
    public ControllerContext Context => _context;

    /// <summary>Runs until cancelled: waits for leadership, syncs the caches, then runs every controller.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        _elector.RunAsync(async leading =>
        {
            _context.Informers.Start(leading);
            await _context.Informers.WaitForCacheSyncAsync(leading);
            LogStarted(_logger, _controllers.Count);
            await Task.WhenAll(_controllers.Select(c => RunOneAsync(c, leading)));
        }, () => LogStopped(_logger), cancellationToken);

    private async Task RunOneAsync(IController controller, CancellationToken cancellationToken)
    {
        try
        {
            await controller.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogControllerFailed(_logger, controller.Name, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _context.Informers.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "started {Count} controllers")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lost leadership; controllers stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "controller {Name} failed")]
    private static partial void LogControllerFailed(ILogger logger, string name, Exception exception);
}
