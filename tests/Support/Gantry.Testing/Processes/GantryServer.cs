using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gantry.Testing.Processes;

/// <summary>A real <c>gantry server</c> process on 127.0.0.1 with its own data dir, killed and removed on dispose.</summary>
public sealed class GantryServer : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private Process? _process;

    private readonly string[] _extraArguments;

    private GantryServer(string dataDir, int port, string[] extraArguments, string bindAddress = "127.0.0.1", string[]? launcher = null)
    {
        DataDir = dataDir;
        Port = port;
        _extraArguments = extraArguments;
        BindAddress = bindAddress;
        Launcher = launcher ?? [];
    }

    /// <summary>The server's data dir.</summary>
    public string DataDir { get; }
    /// <summary>The HTTPS port.</summary>
    public int Port { get; }
    /// <summary>The kubeconfig the server wrote.</summary>
    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");
    /// <summary>The address the server listens on (and writes into its kubeconfig).</summary>
    public string BindAddress { get; }
    /// <summary>
    /// The command line prefix the server runs under, empty on the host; e.g. <c>nsenter --net=/run/netns/X</c> for a server
    /// inside a network namespace. Clients of the server (kubectl) must run under it too to reach <see cref="BindAddress"/>.
    /// </summary>
    public IReadOnlyList<string> Launcher { get; }
    /// <summary>The base URL.</summary>
    public string Url => $"https://{BindAddress}:{Port}";
    /// <summary>Everything the process printed so far.</summary>
    public string Output { get { lock (_output) return string.Join("\n", _output); } }

    /// <summary>
    /// Starts a control plane (no node agent: these suites must not run containers on the test machine) in a fresh
    /// temporary data dir.
    /// </summary>
    public static async Task<GantryServer> StartAsync(string? dataDir = null, int? port = null, params string[] extraArguments)
    {
        var server = new GantryServer(dataDir ?? Directory.CreateTempSubdirectory("gantry-test-").FullName, port ?? FreePort(), ["--disable-agent", .. extraArguments]);
        try
        {
            await server.StartProcessAsync();
        }
        catch
        {
            // No agent ran, so nothing but the process and the data dir to remove (a failed publish fails every test).
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Starts a whole one-machine cluster: the control plane and a node agent named <paramref name="nodeName"/> running real
    /// containers, reporting 127.0.0.1 as its address and serving logs/exec on a free port.
    /// </summary>
    public static async Task<GantryServer> StartWithAgentAsync(string dataDir, string nodeName, params string[] extraArguments)
    {
        var server = new GantryServer(dataDir, FreePort(), ["--node-name", nodeName, "--node-ip", "127.0.0.1", "--kubelet-port", "0", .. extraArguments]);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>
    /// Starts a server with its own node agent inside the network namespace pinned at <paramref name="netnsPath"/> (only the
    /// network namespace changes: the process keeps the host's mounts, so its containers and mounts are visible to cleanup),
    /// listening on <paramref name="address"/>:6443 of that namespace and reporting it as the node's InternalIP.
    /// </summary>
    public static async Task<GantryServer> StartInNetworkNamespaceAsync(string netnsPath, string address, string dataDir, string nodeName, params string[] extraArguments)
    {
        var server = new GantryServer(dataDir, 6443, ["--advertise-address", address, "--node-name", nodeName, "--node-ip", address, .. extraArguments],
            address, ["nsenter", "--net=" + netnsPath]);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts (or restarts) the process on the same data dir and port.</summary>
    public async Task StartProcessAsync()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = Launcher.Concat([Paths.Gantry, "server", "--data-dir", DataDir, "--bind-address", BindAddress, "--https-listen-port", Port.ToString()])
            .Concat(_extraArguments).ToList();
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (_output) _output.Add(line);
            if (line.Contains("server ready", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("gantry server exited:\n" + Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Resident memory of the server process in bytes.</summary>
    public long ResidentBytes()
    {
        _process!.Refresh();
        return _process.WorkingSet64;
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
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }
}
