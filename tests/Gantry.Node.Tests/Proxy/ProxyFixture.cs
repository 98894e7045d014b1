using System.Net;
using Gantry.Client.Informers;
using Gantry.Node.Network.Proxy;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Proxy;

/// <summary>An in-process API server and a service proxy programming a <see cref="ProxyNode"/>, shared by the traffic tests.</summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    public const string ClusterCidr = "10.232.0.0/24";
    private readonly CancellationTokenSource _stop = new();
    private SharedInformerFactory? _informers;
    private Task? _running;

    internal ProxyNode Node { get; private set; } = null!;
    internal InProcessApiServer Api { get; private set; } = null!;
    internal ServiceProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await ProxyNode.CreateAsync(backends: 3);
        Api = await InProcessApiServer.StartAsync("gantry-proxy-test-");
        _informers = new SharedInformerFactory(Api.Client);
        Proxy = StartProxy("proxy-test-node", _informers, out _running);
        await Eventually.HoldsAsync(() => Task.FromResult(Proxy.LastSync is not null || _running.IsCompleted), "the proxy's first sync");
        if (_running.IsFaulted) await _running;
    }

    /// <summary>A proxy for <paramref name="nodeName"/> in the test node's namespace, with syncs compressed to 50 ms.</summary>
    internal ServiceProxy StartProxy(string nodeName, SharedInformerFactory informers, out Task running)
    {
        var proxy = new ServiceProxy(informers, new ServiceProxyOptions
        {
            NodeName = nodeName,
            NodeIPs = [IPAddress.Parse("10.232.0.1")],
            ClusterCidr = ClusterCidr,
            MinSyncInterval = TimeSpan.FromMilliseconds(50),
            NetworkNamespace = Node.Name,
        });
        running = proxy.RunAsync(_stop.Token);
        return proxy;
    }

    internal async Task CreateAsync(V1Service service, V1EndpointSlice? slice)
    {
        await Api.Client.For<V1Service>().CreateAsync(service, service.Metadata.NamespaceProperty);
        if (slice is not null) await Api.Client.For<V1EndpointSlice>().CreateAsync(slice, slice.Metadata.NamespaceProperty);
    }

    public async Task DisposeAsync()
    {
        try
        {
            _stop.Cancel();
            if (_running is not null) await _running;
            if (Proxy is not null) await Proxy.DisposeAsync();
            if (_informers is not null) await _informers.DisposeAsync();
            if (Api is not null) await Api.DisposeAsync();
        }
        finally
        {
            if (Node is not null) await Node.DisposeAsync();
            _stop.Dispose();
        }
    }
}
