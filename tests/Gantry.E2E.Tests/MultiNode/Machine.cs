using Gantry.E2E.Tests.Harness;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// One "machine" of a <see cref="NetnsCluster"/>: a network namespace with a veth into the cluster's bridge, its own
/// address, data dir and node name. Processes run in it through <c>nsenter --net</c> only, so they keep the host's mounts
/// (the harness sees and removes every container and mount they make).
/// </summary>
public sealed class Machine
{
    internal Machine(int index, string run, string subnet, string clusterDir)
    {
        Index = index;
        NodeName = $"m{index}-{run}";
        Netns = $"gtm-{run}-{index}";
        Address = $"{subnet}.{index}";
        DataDir = Leftovers.NewMachineDir(clusterDir, NodeName);
    }

    /// <summary>1-based position; machine 1 runs the server.</summary>
    public int Index { get; }

    /// <summary>The node's name (unique per run, so cgroups /gantry/&lt;node&gt; never meet another run's).</summary>
    public string NodeName { get; }

    /// <summary>The network namespace's name (<c>ip netns</c>).</summary>
    public string Netns { get; }

    /// <summary>Where the namespace is pinned.</summary>
    public string NetnsPath => "/run/netns/" + Netns;

    /// <summary>The machine's address on the cluster's bridge, its node's InternalIP.</summary>
    public string Address { get; }

    /// <summary>The agent's (and on machine 1 the server's) --data-dir.</summary>
    public string DataDir { get; }

    /// <summary>False between <see cref="NetnsCluster.KillMachineAsync"/> and <see cref="NetnsCluster.RestoreMachineAsync"/>.</summary>
    public bool Alive { get; internal set; }

    /// <summary>The command prefix that runs a program in this machine's network namespace.</summary>
    public IReadOnlyList<string> Launcher => ["nsenter", "--net=" + NetnsPath];

    /// <summary>The agent's paths.</summary>
    public Gantry.Node.NodePaths Paths => new(DataDir, NodeName);

    internal GantryAgent? Agent { get; set; }

    /// <summary>Runs <paramref name="command"/> inside the machine's network namespace.</summary>
    public Task<Shell.Result> RunAsync(IEnumerable<string> command, TimeSpan? timeout = null) => Shell.RunAsync(Launcher.Concat(command), timeout);

    /// <summary>An HTTP GET from inside the machine (curl); a failed request is a non-zero exit code, never an exception.</summary>
    public Task<Shell.Result> HttpGetAsync(string url, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(3);
        return RunAsync(["curl", "-sS", "--max-time", limit.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), url], limit + TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    public override string ToString() => $"{NodeName} ({Address})";
}
