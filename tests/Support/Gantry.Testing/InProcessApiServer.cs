using System.Net;
using System.Net.Sockets;
using Gantry.ApiServer;
using Gantry.Client;

namespace Gantry.Testing;

/// <summary>
/// A real API server in the test process (memory store, HTTPS on a free 127.0.0.1 port, its own temporary data dir)
/// and a client over the kubeconfig it wrote. Disposing stops it and removes the data dir.
/// </summary>
public sealed class InProcessApiServer : IAsyncDisposable
{
    private readonly ApiServerHost _host;

    private InProcessApiServer(ApiServerHost host, string dataDir)
    {
        _host = host;
        DataDir = dataDir;
        Client = ApiClient.FromKubeconfig(Kubeconfig);
    }

    /// <summary>The server's data dir.</summary>
    public string DataDir { get; }

    /// <summary>The admin kubeconfig the server wrote.</summary>
    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");

    /// <summary>A client over the kubeconfig.</summary>
    public ApiClient Client { get; }

    /// <summary>Starts a server in a new temporary data dir named after <paramref name="prefix"/>.</summary>
    public static async Task<InProcessApiServer> StartAsync(string prefix)
    {
        var dataDir = Directory.CreateTempSubdirectory(prefix).FullName;
        var host = await ApiServerHost.StartAsync(new ServerOptions
        {
            DataDir = dataDir,
            BindAddress = IPAddress.Loopback,
            HttpsPort = FreePort(),
            DatastoreEndpoint = "memory://",
        }, null, CancellationToken.None);
        return new InProcessApiServer(host, dataDir);
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
        Client.Dispose();
        await _host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }
}
