using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gantry.Node.Tests.Images;

/// <summary>Debian's docker-registry (distribution 2.x) on 127.0.0.1 with a free port and a temporary storage root.</summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    private readonly TestDirectory _dir;
    private readonly Process _process;

    private LocalRegistry(int port, Process process, TestDirectory dir)
    {
        Port = port;
        _process = process;
        _dir = dir;
    }

    public int Port { get; }

    /// <summary>host:port, as image names use it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public static async Task<LocalRegistry> StartAsync()
    {
        var port = FreePort();
        var dir = new TestDirectory();
        var config = dir["config.yml"];
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {dir["storage"]}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var process = Tool.Start("/usr/bin/docker-registry", "serve", config);
        // Drained, so a chatty registry never blocks on a full pipe; stderr is kept for the start-up error.
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors) errors.AppendLine(e.Data);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var registry = new LocalRegistry(port, process, dir);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync($"http://{registry.Host}/v2/");
                if (response.StatusCode == HttpStatusCode.OK) return registry;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        await registry.DisposeAsync();
        lock (errors) throw new InvalidOperationException($"docker-registry did not start on {registry.Host}: {errors}");
    }

    /// <summary>Pushes an OCI layout with skopeo (all instances when <paramref name="all"/>, converted to <paramref name="format"/> when given) to <paramref name="destination"/> (repo:tag).</summary>
    public Task PushAsync(string layoutDir, string destination, bool all = false, string? format = null) =>
        Tool.RunAsync("skopeo", [
            "copy", .. (all ? (string[])["--all"] : []), .. (format is null ? (string[])[] : ["--format", format]),
            "--dest-tls-verify=false", "oci:" + layoutDir, $"docker://{Host}/{destination}"]);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Dispose();
    }
}
