using Gantry.Client;
using Gantry.Controllers;
using Gantry.Controllers.ServiceAccount;

namespace Gantry.Cli;

/// <summary>
/// The components <c>gantry server</c> runs beside the API server. They talk to it like any other client — over
/// loopback HTTPS with the admin kubeconfig — so each can also run on its own machine.
/// </summary>
internal sealed class ComponentRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly ApiClient? _client;
    private readonly ControllerManager? _controllers;
    private readonly List<Task> _running = [];

    private ComponentRunner(CancellationTokenSource stop, ApiClient? client, ControllerManager? controllers)
    {
        _stop = stop;
        _client = client;
        _controllers = controllers;
    }

    /// <summary>Starts the enabled components; with none enabled no client is even built (the API server alone).</summary>
    public static ComponentRunner Start(string kubeconfig, bool controllers, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!controllers) return new ComponentRunner(stop, null, null);
        var client = ApiClient.FromKubeconfig(kubeconfig);
        var rootCa = RootCaPublisherOptions.FromKubeconfig(kubeconfig).RootCaPem;
        var manager = new ControllerManager(client, ControllerCatalog.All.Values, options: new ControllerOptions { RootCaPem = rootCa });
        var runner = new ComponentRunner(stop, client, manager);
        runner._running.Add(manager.RunAsync(stop.Token));
        return runner;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_controllers is not null) await _controllers.DisposeAsync();
        _client?.Dispose();
        _stop.Dispose();
    }
}
