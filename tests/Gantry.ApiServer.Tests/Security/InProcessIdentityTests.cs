using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gantry.ApiServer.Proxy;
using Gantry.Client;
using Gantry.Client.Transport;
using k8s.Models;

namespace Gantry.ApiServer.Tests.Security;

/// <summary>
/// A real API server reached through <see cref="ApiServerHost.CreateInProcessHandler"/>, as <c>gantry server</c>'s
/// components reach it: the same authentication and authorization as over HTTPS, and streaming watches.
/// </summary>
public sealed class InProcessIdentityTests : IAsyncLifetime
{
    private string _dataDir = "";
    private ApiServerHost? _host;

    private ApiServerHost Host => _host ?? throw new InvalidOperationException("not started");

    private Uri Url => new(Host.Url);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _dataDir = Directory.CreateTempSubdirectory("gantry-inprocess-").FullName;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _host = await ApiServerHost.StartAsync(new ServerOptions
        {
            DataDir = _dataDir,
            BindAddress = IPAddress.Loopback,
            HttpsPort = port,
            DatastoreEndpoint = "memory://",
        }, null, CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private ApiClient Admin() => new(Host.CreateInProcessHandler(), Url, KubeconfigLoader.Load(Path.Combine(_dataDir, "kubeconfig.yaml")).BearerToken);

    private ApiClient Node(string name)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(_dataDir, "tls", "ca.crt"), Path.Combine(_dataDir, "tls", "ca.key"));
        return new ApiClient(Host.CreateInProcessHandler(KubeletCertificates.IssueNodeClient(ca, name)), Url);
    }

    private static V1Node NodeObject(string name) => new() { ApiVersion = "v1", Kind = "Node", Metadata = new V1ObjectMeta { Name = name } };

    [Fact]
    public async Task AdminToken_IsTheAdmin_AndNoCredentialIsRefused()
    {
        using var admin = Admin();
        var namespaces = await admin.For<V1Namespace>().ListAsync(null);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");

        using var anonymous = new ApiClient(Host.CreateInProcessHandler(), Url);
        var refused = await Assert.ThrowsAsync<ApiClientException>(() => anonymous.For<V1Namespace>().ListAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task NodeCertificate_IsTheNode_HeldToTheNodeAuthorizer()
    {
        var mine = "inproc-" + Guid.NewGuid().ToString("N")[..6];
        using var node = Node(mine);
        var created = await node.For<V1Node>().CreateAsync(NodeObject(mine));
        Assert.Equal(mine, created.Metadata.Name);
        var refused = await Assert.ThrowsAsync<ApiClientException>(() => node.For<V1Node>().CreateAsync(NodeObject(mine + "-other")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal($"nodes \"{mine}-other\" is forbidden: node \"{mine}\" is not allowed to modify node \"{mine}-other\"", refused.Status?.Message);
        var secrets = await Assert.ThrowsAsync<ApiClientException>(() => node.For<V1Secret>().ListAsync("kube-system"));
        Assert.Equal(HttpStatusCode.Forbidden, secrets.StatusCode);
    }

    [Fact]
    public async Task Watch_StreamsEventsAsTheyHappen_AndStopsWhenTheClientDoes()
    {
        using var admin = Admin();
        var configMaps = admin.For<V1ConfigMap>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = configMaps.WatchAsync("default", allowBookmarks: false, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        var first = events.MoveNextAsync().AsTask();
        await configMaps.CreateAsync(new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "one" } }, "default");
        Assert.True(await first);
        Assert.Equal(WatchEventType.Added, events.Current.Type);
        Assert.Equal("one", events.Current.Object?.Metadata.Name);
        await configMaps.CreateAsync(new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "two" } }, "default");
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("two", events.Current.Object?.Metadata.Name);
        await events.DisposeAsync();
        Assert.False(stop.IsCancellationRequested);
    }
}
