using System.Text.Json;

namespace Gantry.Node.Runtime;

/// <summary>runc's command line with this node's --root: the only place that knows runc's verbs.</summary>
internal sealed class RuncClient(string runcPath, string root)
{
    /// <summary>runc's path, for conmon's --runtime.</summary>
    public string Path => runcPath;

    /// <summary>runc's state directory (--root).</summary>
    public string Root => root;

    /// <summary>runc's view of one container: created, running, paused or stopped, and its init pid.</summary>
    public sealed record State(string Status, int Pid);

    /// <summary>The container's state, null when runc does not know it.</summary>
    public async Task<State?> StateAsync(string id, CancellationToken cancellationToken)
    {
        var result = await HostCommand.RunAsync(runcPath, ["--root", root, "state", id], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(result.Stdout);
        var status = document.RootElement.GetProperty("status").GetString() ?? "unknown";
        var pid = document.RootElement.TryGetProperty("pid", out var p) ? p.GetInt32() : 0;
        return new State(status, pid);
    }

    /// <summary>Every container under this root with its state, in one runc call.</summary>
    public async Task<IReadOnlyDictionary<string, State>> ListAsync(CancellationToken cancellationToken)
    {
        var output = await HostCommand.RunCheckedAsync(runcPath, ["--root", root, "list", "--format", "json"], cancellationToken)
            .ConfigureAwait(false);
        var states = new Dictionary<string, State>();
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "null" : output);
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in document.RootElement.EnumerateArray())
            {
                states[item.GetProperty("id").GetString()!] = new State(
                    item.GetProperty("status").GetString() ?? "unknown",
                    item.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0);
            }
        }

        return states;
    }

    /// <summary>runc start: runs the created container's process.</summary>
    public Task StartAsync(string id, CancellationToken cancellationToken) =>
        HostCommand.RunCheckedAsync(runcPath, ["--root", root, "start", id], cancellationToken);

    /// <summary>Sends <paramref name="signal"/> (KILL, TERM, ...) to the init process, or with <paramref name="all"/> to every process.</summary>
    public async Task KillAsync(string id, string signal, bool all, CancellationToken cancellationToken)
    {
        string[] args = all ? ["--root", root, "kill", "--all", id, signal] : ["--root", root, "kill", id, signal];
        var result = await HostCommand.RunAsync(runcPath, args, cancellationToken).ConfigureAwait(false);

        // A container that exited between our state check and the kill is what the caller wanted anyway.
        if (result.ExitCode != 0 && !result.Message.Contains("not running", StringComparison.OrdinalIgnoreCase)
            && !result.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
            && !result.Message.Contains("process already finished", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"runc kill {id} {signal} failed: {result.Message}");
        }
    }

    /// <summary>runc delete --force; a container runc no longer knows is fine.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var result = await HostCommand.RunAsync(runcPath, ["--root", root, "delete", "--force", id], cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"runc delete {id} failed: {result.Message}");
        }
    }

    /// <summary>The arguments of <c>runc exec</c> for a command in a container (the container's user, env and caps apply).</summary>
    public List<string> ExecArgs(string id, IReadOnlyList<string> command, bool tty, string? pidFile)
    {
        var args = new List<string> { "--root", root, "exec" };
        if (tty)
        {
            args.AddRange(["--tty", "--env", "TERM=xterm"]);
        }

        if (pidFile is not null)
        {
            args.AddRange(["--pid-file", pidFile]);
        }

        args.Add(id);
        args.AddRange(command);
        return args;
    }
}
