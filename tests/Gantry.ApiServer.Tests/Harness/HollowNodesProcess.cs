using System.Diagnostics;

namespace Gantry.ApiServer.Tests.Harness;

/// <summary>A <c>gantry simulate nodes</c> process: hollow nodes with heartbeats, killed (as a machine dies) on dispose.</summary>
public sealed class HollowNodesProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HollowNodesProcess(Process process) => _process = process;

    /// <summary>Starts <paramref name="count"/> hollow nodes named <paramref name="prefix"/>0.. against a server.</summary>
    public static HollowNodesProcess Start(GantryServer server, string prefix, int count, string leaseInterval = "1s")
    {
        var psi = new ProcessStartInfo(Paths.Gantry) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "simulate", "nodes", "--kubeconfig", server.Kubeconfig, "--count", count.ToString(),
                     "--name-prefix", prefix, "--cpu", "4", "--memory", "8Gi", "--lease-interval", leaseInterval })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HollowNodesProcess(process);
    }

    /// <summary>Kills the process at once: its nodes stop heartbeating, like a machine that died.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
