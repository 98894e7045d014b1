using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gantry.ApiServer.Proxy;
using Gantry.Node.Runtime;
using Gantry.Node.Streaming;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Streaming;

/// <summary>
/// A real API server (in process, HTTPS) and a streaming server with a <see cref="ProcessRuntime"/>, joined by a Node
/// object whose InternalIP and kubelet endpoint point at the streaming server; pod "web" (container "main") runs there.
/// kubectl drives it from outside.
/// </summary>
public sealed class StreamingCluster : IAsyncLifetime
{
    public const string NodeName = "node-1";
    public const string AgentToken = "agent-test-token";
    private InProcessApiServer? _api;
    private StreamingServer? _agent;

    internal ProcessRuntime Runtime { get; } = new();
    public InProcessApiServer Api => _api!;
    public StreamingServer Agent => _agent!;
    public X509Certificate2 Ca { get; private set; } = null!;
    public string Dir { get; } = Directory.CreateTempSubdirectory("gantry-streaming-").FullName;
    internal PodSandbox Sandbox { get; private set; } = null!;
    public string LogPath => Path.Combine(Dir, "main", "0.log");

    public async Task InitializeAsync()
    {
        _api = await InProcessApiServer.StartAsync("gantry-streaming-api-");
        var tls = Path.Combine(_api.DataDir, "tls");
        Ca = X509Certificate2.CreateFromPemFile(Path.Combine(tls, "ca.crt"), Path.Combine(tls, "ca.key"));
        _agent = await StreamingServer.StartAsync(new StreamingServerOptions
        {
            BindAddress = IPAddress.Loopback,
            Port = 0,
            ServingCertificate = KubeletCertificates.IssueKubeletServing(Ca, NodeName, ["127.0.0.1"]),
            ClientCertificateAuthority = Ca,
            StreamCreationTimeout = TimeSpan.FromSeconds(5),
            BearerToken = AgentToken,
        }, Runtime, null, null, CancellationToken.None);

        var nodes = _api.Client.For<V1Node>();
        var node = await nodes.CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = NodeName } });
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }, new V1NodeAddress { Type = "Hostname", Address = NodeName }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = _agent.Port } },
        };
        await nodes.UpdateStatusAsync(node);
        var pod = await _api.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = NodeName, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        }, "default");
        // kubectl port-forward insists on a running pod.
        pod.Status = new V1PodStatus { Phase = "Running" };
        await _api.Client.For<V1Pod>().UpdateStatusAsync(pod);
        Sandbox = Runtime.AddSandbox("default", "web");
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        await File.WriteAllTextAsync(LogPath,
            "2024-05-06T07:08:09.100000000Z stdout F line one\n" +
            "2024-05-06T07:08:10.200000000Z stderr P line \n" +
            "2024-05-06T07:08:10.300000000Z stderr F two\n" +
            "2024-05-06T07:08:11.300000000Z stdout F line three\n");
        Runtime.AddContainer(Sandbox, "main", 0, LogPath);
    }

    /// <summary>Runs kubectl 1.<paramref name="minor"/> with the server's admin kubeconfig.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> KubectlAsync(string minor, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(Kubectl(minor, args, stdin is not null))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} timed out; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A kubectl process (for long-running commands such as port-forward); the caller kills it.</summary>
    public ProcessStartInfo Kubectl(string minor, IEnumerable<string> args, bool redirectStdin = false)
    {
        var path = $"/usr/lib/google-cloud-sdk/bin/kubectl.1.{minor}";
        if (!File.Exists(path)) throw new FileNotFoundException($"kubectl 1.{minor} is required at {path}");
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        psi.Environment["KUBECONFIG"] = Api.Kubeconfig;
        psi.Environment["HOME"] = Path.Combine(Dir, "home");
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        if (_api is not null) await _api.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
