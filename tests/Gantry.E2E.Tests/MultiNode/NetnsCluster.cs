using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Images;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// A cluster of three "machines" on this one: network namespaces <c>gtm-&lt;run&gt;-1..3</c>, each with a veth into a
/// bridge that lives in a namespace of the test's own (<c>gtm-&lt;run&gt;-br</c>) and an address in 172.31.77.0/24 —
/// nothing is added to the host's network. Machine 1 runs <c>gantry server</c> (with its own agent), machines 2 and 3
/// run <c>gantry agent</c>; every node has its own data dir and name, and the busybox test image is imported into each.
/// kubectl runs inside machine 1, where the server listens. Needs root; everything it made (processes, containers,
/// mounts, cgroups, namespaces) is removed on dispose, and by the next run if this one is killed.
/// </summary>
public sealed class NetnsCluster : IAsyncLifetime
{
    /// <summary>The image every e2e manifest runs (imported into every node, never pulled: imagePullPolicy Never).</summary>
    public const string Image = BusyboxImage.DefaultName;

    /// <summary>How long a node may miss its lease before it is marked unreachable (compressed from 40 s for the tests).</summary>
    public static readonly TimeSpan NodeMonitorGracePeriod = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The proxies' nftables-min-sync-period, compressed from kube-proxy's 1 s: with the default, a change arriving
    /// within a second of two others waits up to a second for its sync, the whole margin the scaling test allows.
    /// </summary>
    private const string ProxyMinSyncPeriod = "nftables-min-sync-period=250ms";

    private const string Subnet = "172.31.77";
    private readonly string _run = Guid.NewGuid().ToString("N")[..4];
    private string _clusterDir = "";

    /// <summary>The machines, machine 1 (the server's) first.</summary>
    public IReadOnlyList<Machine> Machines { get; private set; } = [];

    /// <summary>The running server (in machine 1).</summary>
    public GantryServer Server { get; private set; } = null!;

    /// <summary>kubectl 1.32, run inside machine 1 against the server.</summary>
    public Kubectl Kubectl { get; private set; } = null!;

    /// <summary>The namespace holding the bridge all machines are wired to.</summary>
    public string BridgeNetns => $"gtm-{_run}-br";

    /// <summary>Machine <paramref name="index"/> (1-based).</summary>
    public Machine Machine(int index) => Machines[index - 1];

    public async Task InitializeAsync()
    {
        Prerequisites.Check();
        await Leftovers.RemoveAsync();
        _clusterDir = Leftovers.NewClusterDir([BridgeNetns, .. Enumerable.Range(1, 3).Select(i => $"gtm-{_run}-{i}")]);
        Machines = Enumerable.Range(1, 3).Select(i => new Machine(i, _run, Subnet, _clusterDir)).ToList();
        try
        {
            var archive = Path.Combine(_clusterDir, "busybox.tar");
            BusyboxImage.WriteOciArchive(archive);
            var imports = Machines.Select(m => NodeCluster.RunGantryAsync("image", "import", "--data-dir", m.DataDir, "--node-name", m.NodeName, archive)).ToList();
            await Shell.OkAsync("ip", "netns", "add", BridgeNetns);
            await Shell.OkAsync("ip", "-n", BridgeNetns, "link", "set", "lo", "up");
            await Shell.OkAsync("ip", "-n", BridgeNetns, "link", "add", "br0", "type", "bridge");
            await Shell.OkAsync("ip", "-n", BridgeNetns, "link", "set", "br0", "up");
            foreach (var machine in Machines) await WireAsync(machine);
            var first = Machines[0];
            Server = await GantryServer.StartInNetworkNamespaceAsync(first.NetnsPath, first.Address, first.DataDir, first.NodeName,
                "--node-monitor-grace-period", $"{NodeMonitorGracePeriod.TotalSeconds:F0}s", "--kube-proxy-arg", ProxyMinSyncPeriod);
            Kubectl = new Kubectl(Server);
            await Task.WhenAll(imports);
            await Task.WhenAll(Machines.Skip(1).Select(StartAgentAsync));
            await Task.WhenAll(Machines.Select(WaitForNodeAsync));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Kills machine <paramref name="index"/> (2 or 3; machine 1 holds the control plane) as a power cut would: its agent
    /// gets SIGKILL, its cable is pulled (the veth pair is deleted) and its namespace is deleted. Its containers live on
    /// unreachable, as on a partitioned machine, until <see cref="RestoreMachineAsync"/> or dispose removes them.
    /// </summary>
    public async Task KillMachineAsync(int index)
    {
        if (index == 1) throw new ArgumentOutOfRangeException(nameof(index), "machine 1 runs the control plane");
        var machine = Machine(index);
        machine.Alive = false;
        if (machine.Agent is { } agent) await agent.DisposeAsync();
        machine.Agent = null;
        await Shell.RunAsync(["ip", "-n", BridgeNetns, "link", "delete", $"m{index}"]);
        await Shell.OkAsync("ip", "netns", "delete", machine.Netns);
    }

    /// <summary>Brings a killed machine back: its leftovers removed, rewired, its agent started on the same data dir and name, its node Ready.</summary>
    public async Task RestoreMachineAsync(int index)
    {
        var machine = Machine(index);
        if (machine.Alive) return;
        await NodeCleanup.RunAsync(machine.DataDir, machine.NodeName);
        await WireAsync(machine);
        await StartAgentAsync(machine);
        await WaitForNodeAsync(machine);
    }

    /// <summary>
    /// Waits for the machine's node to be Ready and rid of the node lifecycle taints: a pod placed while a tolerated
    /// not-ready/unreachable NoExecute taint is still on the node is evicted moments later.
    /// </summary>
    private async Task WaitForNodeAsync(Machine machine)
    {
        await NodeCluster.WaitForNodeReadyAsync(Kubectl, machine.NodeName);
        await Gantry.Testing.Eventually.HoldsAsync(async () =>
            {
                var taints = (await Kubectl.RunAsync(["get", "node", machine.NodeName, "-o", "jsonpath={.spec.taints[*].key}"])).Ok();
                return !taints.Contains("node.kubernetes.io/", StringComparison.Ordinal);
            },
            $"node {machine.NodeName} to lose its not-ready/unreachable taints", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Creates the machine's namespace with lo up and eth0 (a veth whose peer m&lt;i&gt; is on the bridge) addressed in the subnet.</summary>
    private async Task WireAsync(Machine machine)
    {
        await Shell.OkAsync("ip", "netns", "add", machine.Netns);
        await Shell.OkAsync("ip", "-n", BridgeNetns, "link", "add", $"m{machine.Index}", "type", "veth", "peer", "name", "eth0", "netns", machine.Netns);
        await Shell.OkAsync("ip", "-n", BridgeNetns, "link", "set", $"m{machine.Index}", "master", "br0", "up");
        await Shell.OkAsync("ip", "-n", machine.Netns, "link", "set", "lo", "up");
        await Shell.OkAsync("ip", "-n", machine.Netns, "addr", "add", $"{machine.Address}/24", "dev", "eth0");
        await Shell.OkAsync("ip", "-n", machine.Netns, "link", "set", "eth0", "up");
        // Every real machine has a default route; service and DNS addresses are only routed through it before nftables
        // rewrites them. On-link into the test's own bridge, so nothing can leave the namespaces.
        await Shell.OkAsync("ip", "-n", machine.Netns, "route", "add", "default", "dev", "eth0");
        machine.Alive = true;
    }

    private async Task StartAgentAsync(Machine machine)
    {
        machine.Agent = await GantryAgent.StartAsync(machine.Launcher,
            ["--server", Server.Url, "--token", JoinToken(), "--data-dir", machine.DataDir, "--node-name", machine.NodeName, "--node-ip", machine.Address,
             "--kube-proxy-arg", ProxyMinSyncPeriod]);
    }

    /// <summary>
    /// The server's K10 join token (&lt;data-dir&gt;/token): agents verify the server's CA by its hash and get node
    /// credentials and a CA-signed serving certificate (which logs/exec to their node need).
    /// </summary>
    private string JoinToken() => File.ReadAllText(Path.Combine(Server.DataDir, "token")).Trim();

    public async Task DisposeAsync()
    {
        foreach (var machine in Machines)
        {
            if (machine.Agent is { } agent) await agent.DisposeAsync();
            machine.Agent = null;
        }
        if (Server is not null) await Server.KillAsync();
        foreach (var machine in Machines) await NodeCleanup.RunAsync(machine.DataDir, machine.NodeName);
        foreach (var machine in Machines) await Shell.RunAsync(["ip", "netns", "delete", machine.Netns]);
        await Shell.RunAsync(["ip", "netns", "delete", BridgeNetns]);
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(_clusterDir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>The multi-node tests share one three-machine cluster and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class MultiNodeCollection : ICollectionFixture<NetnsCluster>
{
    public const string Name = "multinode";
}
