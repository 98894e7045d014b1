using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Gantry.Node.Tests.Streaming;

/// <summary>kubectl port-forward: SPDY tunneled in a WebSocket (1.32) and plain SPDY (1.28), to a listener on 127.0.0.1.</summary>
public sealed partial class KubectlPortForwardTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    [Theory]
    [InlineData("32")]
    [InlineData("28")]
    public async Task PortForward_CarriesConnectionsToThePodsPort(string minor)
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var podPort = ((IPEndPoint)server.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serving = ServeAsync(server, stop.Token);
        using var kubectl = Process.Start(cluster.Kubectl(minor, ["port-forward", "--address", "127.0.0.1", "web", $":{podPort}"]))!;
        var errors = new StringBuilder();
        kubectl.ErrorDataReceived += (_, e) =>
        {
            lock (errors) errors.AppendLine(e.Data);
        };
        kubectl.BeginErrorReadLine();
        string Errors()
        {
            lock (errors) return errors.ToString();
        }
        try
        {
            var line = await kubectl.StandardOutput.ReadLineAsync(stop.Token) ?? throw new InvalidOperationException("kubectl port-forward ended: " + Errors());
            var match = ForwardingLine().Match(line);
            Assert.True(match.Success, line);
            var localPort = int.Parse(match.Groups[1].Value);
            for (var i = 0; i < 3; i++)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, localPort, stop.Token);
                var stream = client.GetStream();
                var payload = new string((char)('a' + i), 100_000) + "\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(payload), stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
                var reply = await new StreamReader(stream).ReadToEndAsync(stop.Token);
                Assert.True("got " + payload.Length + "\n" == reply, $"reply {reply}; kubectl: {Errors()}");
            }
        }
        finally
        {
            kubectl.Kill(entireProcessTree: true);
            await kubectl.WaitForExitAsync();
            await stop.CancelAsync();
            server.Stop();
            try { await serving; } catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    /// <summary>Reads each connection to its end and answers with the byte count.</summary>
    private static async Task ServeAsync(TcpListener server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var connection = await server.AcceptTcpClientAsync(cancellationToken);
            var stream = connection.GetStream();
            var total = 0;
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0) total += read;
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"got {total}\n"), cancellationToken);
        }
    }

    [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex ForwardingLine();
}
