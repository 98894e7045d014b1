using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Proxy;

namespace Gantry.Node.Tests.Streaming;

/// <summary>The streaming server spoken to directly: who may call it, and the WebSocket channel protocols byte by byte.</summary>
public sealed class StreamingServerTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    private string Base => $"https://127.0.0.1:{cluster.Agent.Port}";

    [Fact]
    public async Task Call_WithoutCredentials_IsUnauthorized()
    {
        using var http = Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{Base}/containerLogs/default/web/main")).StatusCode);
    }

    [Fact]
    public async Task Call_WithACertificateFromAnotherCa_IsUnauthorized()
    {
        using var otherCaKey = ECDsa.Create();
        var request = new CertificateRequest("CN=other-ca", otherCaKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var otherCa = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2));
        using var http = Client(KubeletCertificates.IssueApiServerClient(otherCa));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{Base}/containerLogs/default/web/main")).StatusCode);
    }

    [Fact]
    public async Task Call_WithAClusterCertificateOfSomeoneElse_IsForbidden()
    {
        using var http = Client(IssueClient(cluster.Ca, "system:node:node-2"));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"{Base}/containerLogs/default/web/main")).StatusCode);
    }

    [Fact]
    public async Task Call_WithTheApiServersCertificateOrToken_IsServed()
    {
        using (var http = Client(KubeletCertificates.IssueApiServerClient(cluster.Ca)))
            Assert.Equal("line three\n", await http.GetStringAsync($"{Base}/containerLogs/default/web/main?tailLines=1"));
        using (var http = Client(null))
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", StreamingCluster.AgentToken);
            Assert.Equal("line one\n", await http.GetStringAsync($"{Base}/containerLogs/default/web/main?limitBytes=9"));
            http.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{Base}/containerLogs/default/web/main")).StatusCode);
        }
    }

    [Fact]
    public async Task ExecOverV4_ReportsANonZeroExitAsAStatusWithTheExitCodeCause()
    {
        using var socket = await ConnectAsync("v4.channel.k8s.io", "/exec/default/web/main?command=sh&command=-c&command=echo%20out%3B%20exit%205&output=1&error=1");
        Assert.Equal("v4.channel.k8s.io", socket.SubProtocol);
        var messages = await ReadAllAsync(socket);
        Assert.Equal("out\n", Channel(messages, 1));
        var status = JsonNode.Parse(Channel(messages, 3))!;
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        Assert.Equal("ExitCode", (string?)status["details"]!["causes"]![0]!["reason"]);
        Assert.Equal("5", (string?)status["details"]!["causes"]![0]!["message"]);
    }

    [Fact]
    public async Task Exec_WhoseClientDisconnects_EndsTheCommand()
    {
        var socket = await ConnectAsync("v5.channel.k8s.io", "/exec/default/web/main?command=sleep&command=37&output=1");
        var sleeper = await WaitForAsync(() => cluster.Runtime.Started.FirstOrDefault(p => p.Value.StartInfo.ArgumentList.Contains("37")).Value);
        var pid = sleeper.Id;
        socket.Abort();
        socket.Dispose();
        await WaitForAsync(() => Directory.Exists($"/proc/{pid}") ? null : "ended");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("condition not met in 5 s");
    }

    [Fact]
    public async Task ExecOverV1_ReportsANonZeroExitAsText()
    {
        using var socket = await ConnectAsync("channel.k8s.io", "/exec/default/web/main?command=sh&command=-c&command=exit%202&output=1");
        var messages = await ReadAllAsync(socket);
        Assert.Equal("command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2", Channel(messages, 3));
    }

    [Fact]
    public async Task Exec_InAContainerTheNodeDoesNotRun_IsNotFound()
    {
        using var http = Client(KubeletCertificates.IssueApiServerClient(cluster.Ca));
        var response = await http.GetAsync($"{Base}/exec/default/web/sidecar?command=true&output=1");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("container not found (\"sidecar\")", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExecOverV5_CloseSignalEndsStdinAndResizesReachTheProcess()
    {
        using var socket = await ConnectAsync("v5.channel.k8s.io", "/exec/default/web/main?command=cat&input=1&output=1&tty=1");
        await SendAsync(socket, 4, """{"Width":120,"Height":40}""");
        await SendAsync(socket, 0, "typed");
        await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var messages = await ReadAllAsync(socket);
        Assert.Equal("typed", Channel(messages, 1));
        Assert.Equal("Success", (string?)JsonNode.Parse(Channel(messages, 3))!["status"]);
        Assert.Contains(((ushort)120, (ushort)40), cluster.Runtime.Resizes);
    }

    [Fact]
    public async Task PortForwardOverV4WebSocket_PrefixesChannelsWithThePortAndCarriesData()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var request = new byte[4];
            await stream.ReadExactlyAsync(request);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("pong:" + Encoding.ASCII.GetString(request)));
        });
        using var socket = await ConnectAsync("v4.channel.k8s.io", $"/portForward/default/web?port={port}");
        await SendAsync(socket, 0, "ping");
        var messages = await ReadAllAsync(socket);
        await serve;
        var portBytes = new[] { (byte)(port & 0xff), (byte)(port >> 8) };
        Assert.Equal([0, .. portBytes], messages[0]);
        Assert.Equal([1, .. portBytes], messages[1]);
        Assert.Equal("pong:ping", Channel(messages.Skip(2).ToList(), 0));
    }

    [Fact]
    public async Task PortForwardOverV4WebSocket_ToAClosedPort_ReportsOnTheErrorChannel()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var socket = await ConnectAsync("v4.channel.k8s.io", $"/portForward/default/web?port={port}");
        var messages = await ReadAllAsync(socket);
        var error = Channel(messages.Skip(2).ToList(), 1);
        Assert.StartsWith($"error forwarding port {port} to pod web_default, uid ", error);
        Assert.Contains("Connection refused", error);
    }

    [Fact]
    public async Task Exec_WithAnUnsupportedSubprotocol_IsRefused()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync("base64.channel.k8s.io", "/exec/default/web/main?command=true&output=1"));
        Assert.Contains("400", error.Message);
    }

    /// <summary>A client certificate the cluster CA issued to someone other than the API server.</summary>
    private static X509Certificate2 IssueClient(X509Certificate2 ca, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private HttpClient Client(X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
                CertificateChainPolicy = Trust(),
            },
        };
        return new HttpClient(handler);
    }

    private X509ChainPolicy Trust() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { cluster.Ca },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    private async Task<ClientWebSocket> ConnectAsync(string protocol, string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        socket.Options.ClientCertificates.Add(KubeletCertificates.IssueApiServerClient(cluster.Ca));
        var trust = Trust();
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain { ChainPolicy = trust };
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{cluster.Agent.Port}{pathAndQuery}"), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, byte channel, string text) =>
        socket.SendAsync((byte[])[channel, .. Encoding.UTF8.GetBytes(text)], WebSocketMessageType.Binary, true, CancellationToken.None);

    private static async Task<List<byte[]>> ReadAllAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var messages = new List<byte[]>();
        var buffer = new byte[65536];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                return messages;
            }
            messages.Add(message.ToArray());
        }
    }

    private static string Channel(List<byte[]> messages, byte channel) =>
        Encoding.UTF8.GetString(messages.Where(m => m.Length > 0 && m[0] == channel).SelectMany(m => m.Skip(1)).ToArray());
}
