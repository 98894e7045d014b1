using System.Diagnostics;
using System.Text;

namespace Gantry.Bench.Server;

/// <summary>
/// Another gantry component in its own process (`gantry scheduler`, `gantry simulate nodes`): started, awaited until it
/// prints a line containing a marker, stopped with SIGTERM.
/// </summary>
internal sealed class GantryProcess : IAsyncDisposable
{
    private readonly StringBuilder _errors = new();

    private GantryProcess(Process process) => Process = process;

    public Process Process { get; }

    private static bool Echo { get; } = Environment.GetEnvironmentVariable("GANTRY_BENCH_ECHO") == "1";

    public static async Task<GantryProcess> StartAsync(string gantry, string readyMarker, TimeSpan readyTimeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(gantry, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = new Process { StartInfo = info };
        var child = new GantryProcess(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains(readyMarker, StringComparison.Ordinal) == true) ready.TrySetResult();
            // GANTRY_BENCH_ECHO=1 passes the component's log through, for diagnosing a run.
            if (Echo && e.Data is not null) Console.WriteLine($"[{arguments[0]}] {e.Data}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (Echo) Console.WriteLine($"[{arguments[0]}!] {e.Data}");
            lock (child._errors) if (child._errors.Length < 20_000) child._errors.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(readyTimeout));
        if (first != ready.Task)
        {
            var why = process.HasExited ? $"exited with {process.ExitCode}" : $"did not print \"{readyMarker}\" within {readyTimeout.TotalSeconds:F0} s";
            await child.DisposeAsync();
            throw new InvalidOperationException($"gantry {arguments[0]} {why}: {child.Errors}");
        }
        return child;
    }

    public string Errors
    {
        get { lock (_errors) return _errors.ToString(); }
    }

    public void EnsureRunning()
    {
        if (Process.HasExited) throw new InvalidOperationException($"gantry {Process.StartInfo.ArgumentList.FirstOrDefault()} exited with {Process.ExitCode}: {Errors}");
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessStop.TerminateAsync(Process);
        Process.Dispose();
    }
}
