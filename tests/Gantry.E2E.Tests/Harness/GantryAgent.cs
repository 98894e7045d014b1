using System.Diagnostics;

namespace Gantry.E2E.Tests.Harness;

/// <summary>A real <c>gantry agent</c> process, optionally under a launcher (<c>nsenter --net=...</c>); killed on dispose.</summary>
internal sealed class GantryAgent : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly Process _process;

    private GantryAgent(Process process) => _process = process;

    /// <summary>Everything the process printed so far.</summary>
    public string Output { get { lock (_output) return string.Join("\n", _output); } }

    /// <summary>Starts <c>gantry agent</c> with <paramref name="arguments"/> and waits until it says it runs (its node may not be Ready yet).</summary>
    public static async Task<GantryAgent> StartAsync(IEnumerable<string> launcher, IEnumerable<string> arguments)
    {
        var command = launcher.Concat([Gantry.Testing.Processes.Paths.Gantry, "agent", .. arguments]).ToList();
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        var agent = new GantryAgent(new Process { StartInfo = info, EnableRaisingEvents = true });
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (agent._output) agent._output.Add(line);
            if (line.Contains("gantry: agent ", StringComparison.Ordinal) && line.Contains(" running", StringComparison.Ordinal)) running.TrySetResult();
        }
        agent._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        agent._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        agent._process.Exited += (_, _) => running.TrySetException(new InvalidOperationException("gantry agent exited:\n" + agent.Output));
        agent._process.Start();
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        try { await running.Task.WaitAsync(TimeSpan.FromSeconds(60)); }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
        return agent;
    }

    /// <summary>SIGKILL, as a crash: the container monitors it started live on.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
