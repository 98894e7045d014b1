using System.Net.Sockets;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Probes;

/// <summary>
/// Runs the actions probes and lifecycle hooks share (exec in the container, HTTP GET and TCP connect from the agent to
/// the pod), reporting success and the message the kubelet's prober would give.
/// </summary>
internal sealed class HandlerRunner(IContainerRuntime runtime, HttpClient http)
{
    /// <summary>The User-Agent of HTTP probes, as kube-probe/&lt;major.minor&gt;.</summary>
    public const string UserAgent = "kube-probe/1.32";

    /// <summary>One action; <paramref name="target"/> is the pod's address (the node's with host networking).</summary>
    public async Task<(bool Success, string Message)> RunAsync(string containerId, V1Container container, string target,
        V1ExecAction? exec, V1HTTPGetAction? httpGet, V1TCPSocketAction? tcpSocket, V1GRPCAction? grpc, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (exec is not null) return await ExecAsync(containerId, exec, timeout, cancellationToken).ConfigureAwait(false);
        if (httpGet is not null) return await HttpGetAsync(container, target, httpGet, timeout, cancellationToken).ConfigureAwait(false);
        if (tcpSocket is not null) return await TcpAsync(container, target, tcpSocket, timeout, cancellationToken).ConfigureAwait(false);
        if (grpc is not null) return (false, "grpc probes are not supported by this agent");
        return (false, "missing probe handler");
    }

    private async Task<(bool, string)> ExecAsync(string containerId, V1ExecAction exec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var command = exec.Command ?? [];
        try
        {
            var result = await runtime.ExecSyncAsync(containerId, [.. command], timeout, cancellationToken).ConfigureAwait(false);
            if (result.TimedOut) return (false, $"command \"{string.Join(' ', command)}\" timed out");
            return (result.ExitCode == 0, result.Stdout + result.Stderr);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (false, ex.Message);
        }
    }

    private async Task<(bool, string)> HttpGetAsync(V1Container container, string target, V1HTTPGetAction action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = ResolvePort(container, action.Port);
        var host = string.IsNullOrEmpty(action.Host) ? target : action.Host;
        var scheme = string.Equals(action.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path.StartsWith('/') ? action.Path : "/" + action.Path;
        var url = new UriBuilder(scheme, host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, port).Uri + path.TrimStart('/');
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        foreach (var header in action.HttpHeaders ?? [])
        {
            if (string.Equals(header.Name, "Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = header.Value;
            else
            {
                request.Headers.Remove(header.Name);
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400 ? (true, "") : (false, $"HTTP probe failed with statuscode: {code}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"Get \"{url}\": {ex.Message}");
        }
    }

    private static async Task<(bool, string)> TcpAsync(V1Container container, string target, V1TCPSocketAction action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = ResolvePort(container, action.Port);
        var host = string.IsNullOrEmpty(action.Host) ? target : action.Host;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return (true, "");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"dial tcp {host}:{port}: i/o timeout");
        }
        catch (SocketException ex)
        {
            return (false, $"dial tcp {host}:{port}: connect: {ex.Message}");
        }
    }

    // A named port is looked up in the container's ports, as the kubelet's prober does.
    private static int ResolvePort(V1Container container, IntOrString port)
    {
        var value = port.Value;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        return container.Ports?.FirstOrDefault(p => p.Name == value)?.ContainerPort
            ?? throw new InvalidOperationException($"couldn't find port: {value} in {container.Name}");
    }
}
