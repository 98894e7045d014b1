using System.Net;
using System.Net.Sockets;
using Gantry.ApiServer;
using k8s.Models;

namespace Gantry.Client.Tests.Harness;

/// <summary>A real in-process API server on 127.0.0.1 in a temporary data dir, removed on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private ApiServerHost? _host;

    private TestServer(ServerOptions options) => Options = options;

    /// <summary>The options the server runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>The kubeconfig the server wrote.</summary>
    public string Kubeconfig => Options.EffectiveKubeconfigPath;

    /// <summary>Starts a server; memory store unless <paramref name="datastore"/> says otherwise.</summary>
    public static async Task<TestServer> StartAsync(string? datastore = "memory://", int watchCacheEvents = 10_000, TimeSpan? bookmarkInterval = null)
    {
        var server = new TestServer(new ServerOptions
        {
            DataDir = Directory.CreateTempSubdirectory("gantry-client-test-").FullName,
            BindAddress = IPAddress.Loopback,
            HttpsPort = FreePort(),
            DatastoreEndpoint = datastore,
            WatchCacheEvents = watchCacheEvents,
            BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(60),
        });
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same data dir and port.</summary>
    public async Task StartAgainAsync() => _host = await ApiServerHost.StartAsync(Options, null, CancellationToken.None);

    /// <summary>Stops the server, keeping its data dir.</summary>
    public async Task StopAsync()
    {
        if (_host is null) return;
        await _host.DisposeAsync();
        _host = null;
    }

    /// <summary>A new client from the server's kubeconfig.</summary>
    public ApiClient Client() => ApiClient.FromKubeconfig(Kubeconfig);

    /// <summary>Creates a namespace with a unique name.</summary>
    public async Task<string> NamespaceAsync(IApiClient client, string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..20];
        await client.For<V1Namespace>().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Options.DataDir, recursive: true); }
        catch (IOException) { }
    }
}
