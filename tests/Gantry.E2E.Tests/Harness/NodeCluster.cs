using System.Diagnostics;
using System.Net;
using Gantry.Testing.Images;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Harness;

/// <summary>
/// A whole one-machine cluster as a user runs it: `gantry server` with its node agent (real runc, conmon, CNI) in a
/// fresh data dir under a unique node name, the busybox test image imported first. Needs root and the Debian packages
/// scripts/install-packages installs; fails loudly without them. Everything it made is removed on dispose.
/// </summary>
public sealed class NodeCluster : IAsyncLifetime
{
    /// <summary>The image every e2e manifest runs (imported, never pulled: imagePullPolicy Never).</summary>
    public const string Image = BusyboxImage.DefaultName;

    /// <summary>The node's name, unique per run so leftovers of another run never match.</summary>
    public string NodeName { get; } = $"e2e-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// The cluster DNS service IP (--cluster-dns), its third octet random so concurrent runs on one machine (all agents
    /// share the host's network namespace) never listen on the same address.
    /// </summary>
    public IPAddress ClusterDns { get; } = IPAddress.Parse($"10.43.{Random.Shared.Next(1, 255)}.10");

    /// <summary>The only upstream of the cluster DNS (--resolv-conf): a loopback address a test may serve with a stub, never a real resolver.</summary>
    public IPAddress DnsUpstream { get; } = IPAddress.Parse($"127.53.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}");

    /// <summary>The server's data dir (also the agent's).</summary>
    public string DataDir { get; private set; } = "";

    /// <summary>The running server.</summary>
    public GantryServer Server { get; private set; } = null!;

    /// <summary>kubectl 1.32 against the server.</summary>
    public Kubectl Kubectl { get; private set; } = null!;

    /// <summary>The agent's paths on this machine.</summary>
    public Gantry.Node.NodePaths Paths => new(DataDir, NodeName);

    public async Task InitializeAsync()
    {
        Prerequisites.Check();
        await Leftovers.RemoveAsync();
        DataDir = Leftovers.NewDataDir(NodeName);
        var archive = Path.Combine(DataDir, "busybox.tar");
        BusyboxImage.WriteOciArchive(archive);
        await RunGantryAsync("image", "import", "--data-dir", DataDir, "--node-name", NodeName, archive);
        var resolvConf = Path.Combine(DataDir, "upstream-resolv.conf");
        await File.WriteAllTextAsync(resolvConf, $"nameserver {DnsUpstream}\n");
        Server = await GantryServer.StartWithAgentAsync(DataDir, NodeName, "--cluster-dns", ClusterDns.ToString(), "--resolv-conf", resolvConf);
        Kubectl = new Kubectl(Server);
        await WaitForNodeReadyAsync(Kubectl, NodeName);
    }

    public async Task DisposeAsync()
    {
        if (Server is null) return;
        await Server.KillAsync();
        await NodeCleanup.RunAsync(DataDir, NodeName);
        await Server.DisposeAsync();
    }

    /// <summary>Waits for the agent to register its Node (kubectl wait fails at once on a missing object) and for it to be Ready.</summary>
    public static async Task WaitForNodeReadyAsync(Kubectl kubectl, string nodeName)
    {
        await Gantry.Testing.Eventually.HoldsAsync(async () => (await kubectl.RunAsync(["get", "node", nodeName])).ExitCode == 0,
            $"node {nodeName} to register", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(250));
        (await kubectl.RunAsync(["wait", "--for=condition=Ready", $"node/{nodeName}", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
    }

    /// <summary>Runs the gantry CLI to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunGantryAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Gantry.Testing.Processes.Paths.Gantry) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"gantry {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }
}

/// <summary>The e2e tests share one cluster and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeCluster>
{
    public const string Name = "node";
}
