using System.Diagnostics;

namespace Gantry.Testing.Processes;

/// <summary>
/// Runs the real kubectl against a server with only the kubeconfig the server wrote, under the server's
/// <see cref="GantryServer.Launcher"/> (inside its network namespace) when it has one.
/// </summary>
public sealed class Kubectl(GantryServer server, string minor = "32")
{
    /// <summary>The result of one kubectl run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Throws unless kubectl succeeded; returns stdout.</summary>
        public string Ok() => ExitCode == 0 ? Stdout : throw new InvalidOperationException($"kubectl failed ({ExitCode}): {Stderr}\n{Stdout}");
    }

    /// <summary>Runs kubectl with arguments and optional stdin.</summary>
    public async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var command = server.Launcher.Append(Paths.Kubectl(minor)).ToList();
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.Environment["KUBECONFIG"] = server.Kubeconfig;
        psi.Environment["HOME"] = Path.Combine(server.DataDir, "home");
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        foreach (var a in command.Skip(1).Concat(args)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} timed out");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kubectl with a single command line split on spaces.</summary>
    public Task<Result> RunAsync(string args, string? stdin = null) => RunAsync(args.Split(' ', StringSplitOptions.RemoveEmptyEntries), stdin);
}
