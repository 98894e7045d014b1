using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Controllers;

/// <summary>What every controller gets: the API client, the shared informers, events, time, logs and settings.</summary>
public sealed class ControllerContext
{
    /// <summary>The API client.</summary>
    public required IApiClient Client { get; init; }
    /// <summary>Informers shared by all controllers of the process.</summary>
    public required SharedInformerFactory Informers { get; init; }
    /// <summary>Time source (tests control it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Loggers.</summary>
    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
    /// <summary>Timings and worker counts, with Kubernetes' defaults.</summary>
    public ControllerOptions Options { get; init; } = new();

    /// <summary>An event recorder reporting as <paramref name="component"/>.</summary>
    public EventRecorder Recorder(string component) => new(Client, component, null, Time, Loggers);
}
