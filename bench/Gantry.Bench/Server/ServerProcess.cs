using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Bench.Server;

/// <summary>
/// A real <c>gantry server</c> process on 127.0.0.1 in its own data dir: started, awaited until it prints
/// "server ready", measured (RSS from /proc), stopped with SIGTERM, its data dir removed.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly bool _ownsDataDir;
    private readonly StringBuilder _errors = new();

    private ServerProcess(Process process, string dataDir, bool ownsDataDir, int port)
    {
        Process = process;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        Url = new Uri($"https://127.0.0.1:{port}/");
    }

    public Process Process { get; }

    public string DataDir { get; }

    public Uri Url { get; }

    /// <summary>From <see cref="Process.Start()"/> to the "server ready" line.</summary>
    public TimeSpan StartupTime { get; private set; }

    public string Token { get; private set; } = "";

    public string CaPem { get; private set; } = "";

    /// <summary>Starts a server in <paramref name="dataDir"/> (a new temp dir when null, removed on dispose).</summary>
    public static Task<ServerProcess> StartAsync(string gantry, string? dataDir = null, params string[] extraArguments) =>
        StartCoreAsync(gantry, dataDir, ["--disable-agent", .. extraArguments]);

    /// <summary>
    /// Starts a server with its node agent <paramref name="nodeName"/> (real containers on this machine, node IP 127.0.0.1,
    /// streaming port picked freely) in <paramref name="dataDir"/>, which the caller owns and cleans.
    /// </summary>
    public static Task<ServerProcess> StartWithAgentAsync(string gantry, string dataDir, string nodeName, params string[] extraArguments) =>
        StartCoreAsync(gantry, dataDir, ["--node-name", nodeName, "--node-ip", "127.0.0.1", "--kubelet-port", "0", .. extraArguments]);

    private static async Task<ServerProcess> StartCoreAsync(string gantry, string? dataDir, string[] extraArguments)
    {
        var owns = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("gantry-bench-").FullName;
        var port = FreePort();
        // The control plane only (--disable-agent) unless a node suite asks for the agent.
        string[] arguments = ["server", "--data-dir", dataDir, "--bind-address", "127.0.0.1", "--https-listen-port", port.ToString(), .. extraArguments];
        var info = new ProcessStartInfo(gantry, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, dataDir, owns, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("server ready", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (server._errors) server._errors.AppendLine(e.Data);
        };
        var clock = Stopwatch.StartNew();
        process.Start();
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(ReadyTimeout));
        server.StartupTime = clock.Elapsed;
        if (first != ready.Task)
        {
            var why = first == exited ? $"exited with {process.ExitCode}" : $"not ready after {ReadyTimeout.TotalSeconds} s";
            await server.DisposeAsync();
            throw new InvalidOperationException($"gantry server {why}: {server.Errors}");
        }
        server.ReadKubeconfig();
        return server;
    }

    /// <summary>Throws, naming the exit code (137: killed, 134: crashed) and stderr, when the server is gone.</summary>
    public void EnsureRunning()
    {
        if (Process.HasExited) throw new ServerGoneException($"gantry server (pid {Process.Id}) exited with {Process.ExitCode} (0: it was sent SIGTERM/SIGINT, not by this benchmark; 137: SIGKILL); stderr: {Errors}");
    }

    /// <summary>What the server wrote to stderr so far.</summary>
    public string Errors
    {
        get { lock (_errors) return _errors.ToString(); }
    }

    /// <summary>CPU time (user + system) the server process used so far.</summary>
    public TimeSpan CpuTime()
    {
        EnsureRunning();
        Process.Refresh();
        return Process.TotalProcessorTime;
    }

    /// <summary>Resident set size now (VmRSS) and its peak (VmHWM), in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        EnsureRunning();
        return Memory(Process.Id);
    }

    /// <summary>Resident set size now (VmRSS) and its peak (VmHWM) of process <paramref name="pid"/>, in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line) * 1024;
        }
        return (rss, peak);

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessStop.TerminateAsync(Process);
        Process.Dispose();
        if (_ownsDataDir && Directory.Exists(DataDir)) Directory.Delete(DataDir, recursive: true);
    }

    private void ReadKubeconfig()
    {
        foreach (var raw in File.ReadLines(Path.Combine(DataDir, "kubeconfig.yaml")))
        {
            var line = raw.Trim();
            if (line.StartsWith("token:", StringComparison.Ordinal)) Token = line["token:".Length..].Trim();
            else if (line.StartsWith("certificate-authority-data:", StringComparison.Ordinal))
            {
                CaPem = Encoding.UTF8.GetString(Convert.FromBase64String(line["certificate-authority-data:".Length..].Trim()));
            }
        }
        if (Token.Length == 0 || CaPem.Length == 0) throw new InvalidOperationException("kubeconfig.yaml lacks a token or CA");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
