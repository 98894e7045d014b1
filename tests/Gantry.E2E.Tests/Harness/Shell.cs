using System.Diagnostics;

namespace Gantry.E2E.Tests.Harness;

/// <summary>Runs a command line to completion (or until a timeout kills it) and captures its output.</summary>
public static class Shell
{
    /// <summary>What a command printed and how it ended.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Throws with the output unless the command succeeded; returns stdout.</summary>
        public string Ok() => ExitCode == 0 ? Stdout : throw new InvalidOperationException($"command failed ({ExitCode}): {Stderr}\n{Stdout}");
    }

    /// <summary>Runs <paramref name="command"/> (program first); a run past <paramref name="timeout"/> (default 30 s) is killed and reported as exit code -1.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> command, TimeSpan? timeout = null)
    {
        var line = command.ToList();
        var info = new ProcessStartInfo(line[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in line.Skip(1)) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(-1, await stdout, await stderr + $"\n(killed after {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:F0} s: {string.Join(' ', line)})");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command and throws with its output unless it succeeds.</summary>
    public static async Task<string> OkAsync(params string[] command) => (await RunAsync(command)).Ok();
}
