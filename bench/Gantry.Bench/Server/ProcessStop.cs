using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gantry.Bench.Server;

/// <summary>Stops a gantry process as an operator would: SIGTERM, then SIGKILL after a 10 s grace period.</summary>
internal static class ProcessStop
{
    public static async Task TerminateAsync(Process process)
    {
        if (process.HasExited) return;
        _ = Kill(process.Id, 15);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await process.WaitForExitAsync(grace.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
