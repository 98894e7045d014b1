using System.Text.Json;

namespace Gantry.Node.Runtime;

/// <summary>runc's command line with this node's --root: the only place that knows runc's verbs.</summary>
internal sealed class RuncClient(string runcPath, string root)
{
    private readonly ParsedFileCache<InitProcess> inits = new();

    /// <summary>runc's path, for conmon's --runtime.</summary>
    public string Path => runcPath;

    /// <summary>runc's state directory (--root).</summary>
    public string Root => root;

    /// <summary>runc's view of one container: created, running, paused or stopped, and its init pid.</summary>
    public sealed record State(string Status, int Pid);

    // The init process runc recorded: its pid and /proc start time.
    private sealed record InitProcess(int Pid, ulong StartTime);

    /// <summary>
    /// The container's state, null when runc does not know it, as <c>runc state</c> reports it but read in process (a
    /// runc execution costs milliseconds on every pod sync): runc's state file names the init process and its start
    /// time; a process that is gone, reused or a zombie is stopped, one whose exec FIFO still exists is created (runc
    /// start removes it), else it runs. Pausing is never used here, so paused is not told apart from running.
    /// </summary>
    public Task<State?> StateAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadState(id));
    }

    /// <summary>Every container under this root with its state, as <c>runc list</c> (read in process, see <see cref="StateAsync"/>).</summary>
    public Task<IReadOnlyDictionary<string, State>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var states = new Dictionary<string, State>();
        if (Directory.Exists(root))
        {
            var ids = Directory.EnumerateDirectories(root).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
            inits.Retain(ids.Select(StateFile).ToHashSet(StringComparer.Ordinal));
            foreach (var id in ids)
            {
                if (ReadState(id) is { } state)
                {
                    states[id] = state;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, State>>(states);
    }

    /// <summary>runc start, done in process (<see cref="ExecFifo"/>): runs the created container's process.</summary>
    public Task StartAsync(string id, CancellationToken cancellationToken)
    {
        var init = ReadInit(id) ?? throw new InvalidOperationException($"container {id} does not exist");
        if (init.Pid <= 0 || !IsLive(init.Pid, init.StartTime))
        {
            throw new InvalidOperationException("cannot start a container that has stopped");
        }

        return ExecFifo.StartAsync(
            System.IO.Path.Combine(root, id, ExecFifo.FileName), () => IsLive(init.Pid, init.StartTime), cancellationToken);
    }

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

    private State? ReadState(string id)
    {
        if (ReadInit(id) is not { } init)
        {
            return null;
        }

        if (init.Pid <= 0 || !IsLive(init.Pid, init.StartTime))
        {
            return new State("stopped", 0);
        }

        return new State(File.Exists(System.IO.Path.Combine(root, id, ExecFifo.FileName)) ? "created" : "running", init.Pid);
    }

    // The init process runc recorded in its state file, null when runc does not know the id. runc replaces state.json by
    // a rename, so a read never sees half a file.
    private InitProcess? ReadInit(string id) => inits.Get(StateFile(id), ParseInit);

    private string StateFile(string id) => System.IO.Path.Combine(root, id, "state.json");

    private static InitProcess? ParseInit(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var pid = document.RootElement.TryGetProperty("init_process_pid", out var p) ? p.GetInt32() : 0;
        var startTime = document.RootElement.TryGetProperty("init_process_start", out var s) ? s.GetUInt64() : 0;
        return new InitProcess(pid, startTime);
    }

    // /proc/<pid>/stat: the state is the first field after the parenthesized command, the start time the 20th.
    private static bool IsLive(int pid, ulong startTime)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }

        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && fields[0] is not ("Z" or "X" or "x")
            && ulong.TryParse(fields[19], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var started)
            && started == startTime;
    }
}
