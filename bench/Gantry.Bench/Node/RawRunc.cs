using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.Node;
using Gantry.Node.Network;

namespace Gantry.Bench.Node;

/// <summary>
/// The floor a pod start is measured against: plain <c>runc run -d</c> of the same image, each container on an overlay
/// of the agent image store's unpacked layers (mounted before the clock starts), optionally in its own
/// <c>ip netns add</c> namespace connected by the real CNI plugins on a throwaway network. Everything is removed on dispose.
/// </summary>
internal sealed class RawRunc : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _runcRoot;
    private readonly string _lowerDirs;
    private readonly JsonObject _spec;
    private readonly NodePaths _cniPaths;
    private readonly List<string> _containers = [];
    private readonly List<string> _netns = [];
    private readonly List<PodNetworkRequest> _connected = [];
    private CniNetwork? _network;
    private int _next;

    private RawRunc(string dir, string lowerDirs, JsonObject spec)
    {
        _dir = dir;
        _runcRoot = Path.Combine(dir, "runc");
        _lowerDirs = lowerDirs;
        _spec = spec;
        _cniPaths = new NodePaths(Path.Combine(dir, "cni"), "bnr" + Guid.NewGuid().ToString("N")[..5]);
    }

    /// <summary>Prepares bundles over the layers of <paramref name="image"/> in the image store at <paramref name="imageStore"/>.</summary>
    public static async Task<RawRunc> CreateAsync(string dir, string imageStore, string image)
    {
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(imageStore, "images.json")))!;
        var stored = index["images"]!.AsArray().FirstOrDefault(i => i!["repoTags"]!.AsArray().Any(t => (string?)t == image))
            ?? throw new InvalidOperationException($"image {image} is not in {imageStore}");
        // overlayfs lists lower dirs top first; the store lists layers bottom first.
        var layers = stored["layers"]!.AsArray().Select(l => Path.Combine(imageStore, "layers", "sha256", ((string)l!["diffId"]!)["sha256:".Length..])).Reverse();
        var specDir = Path.Combine(dir, "spec");
        Directory.CreateDirectory(specDir);
        await Host.CheckedAsync("runc", "spec", "--bundle", specDir);
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(specDir, "config.json")))!.AsObject();
        spec["process"]!["terminal"] = false;
        spec["process"]!["args"] = new JsonArray("sleep", "3600");
        spec["root"]!["readonly"] = false;
        return new RawRunc(dir, string.Join(':', layers), spec);
    }

    /// <summary>Creates the CNI network (bridge + host-local on <paramref name="cidr"/>, no masquerade) for <see cref="RunWithNetworkAsync"/>.</summary>
    public async Task InitializeNetworkAsync(string cidr)
    {
        _network = new CniNetwork(_cniPaths, new CniNetworkOptions { IpMasq = false });
        await _network.InitializeAsync(cidr, CancellationToken.None);
    }

    /// <summary>Mounts a rootfs and writes a bundle, then times <c>runc run -d</c> alone (Stopwatch ticks).</summary>
    public async Task<long> RunAsync()
    {
        var (id, bundle) = await PrepareAsync(null);
        var start = Stopwatch.GetTimestamp();
        await RuncRunAsync(id, bundle);
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Times what a pod start needs at least: <c>ip netns add</c>, CNI ADD (loopback, bridge, portmap) and <c>runc run -d</c> in that netns.</summary>
    public async Task<long> RunWithNetworkAsync()
    {
        var network = _network ?? throw new InvalidOperationException("InitializeNetworkAsync first");
        var netns = $"{_cniPaths.NodeName}-{_next}";
        var (id, bundle) = await PrepareAsync($"/var/run/netns/{netns}");
        var start = Stopwatch.GetTimestamp();
        await Host.CheckedAsync("ip", "netns", "add", netns);
        _netns.Add(netns);
        var request = new PodNetworkRequest { SandboxId = id, NetworkNamespacePath = $"/var/run/netns/{netns}", PodNamespace = "raw", PodName = id, PodUid = id };
        await network.SetUpAsync(request, CancellationToken.None);
        _connected.Add(request);
        await RuncRunAsync(id, bundle);
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Kills and deletes every container, disconnects and deletes every netns, unmounts every rootfs, removes the network.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _containers)
        {
            await Host.RunAsync("runc", "--root", _runcRoot, "kill", id, "KILL");
            await Host.RunAsync("runc", "--root", _runcRoot, "delete", "-f", id);
        }
        if (_network is not null)
        {
            foreach (var request in _connected) await _network.TearDownAsync(request, CancellationToken.None);
            await _network.RemoveAllAsync(CancellationToken.None);
        }
        foreach (var netns in _netns) await Host.RunAsync("ip", "netns", "delete", netns);
        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup") : [])
        {
            var parent = Path.Combine(controller, _cniPaths.NodeName);
            if (Directory.Exists(parent)) Directory.Delete(parent);
        }
        await NodeLeftovers.UnmountUnderAsync(_dir);
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(string Id, string Bundle)> PrepareAsync(string? netnsPath)
    {
        var id = $"raw-{_next++}";
        var bundle = Path.Combine(_dir, "bundles", id);
        var rootfs = Path.Combine(bundle, "rootfs");
        foreach (var sub in new[] { rootfs, Path.Combine(bundle, "upper"), Path.Combine(bundle, "work") }) Directory.CreateDirectory(sub);
        await Host.CheckedAsync("mount", "-t", "overlay", "overlay", "-o",
            $"lowerdir={_lowerDirs},upperdir={Path.Combine(bundle, "upper")},workdir={Path.Combine(bundle, "work")}", rootfs);
        var spec = _spec.DeepClone().AsObject();
        spec["root"]!["path"] = rootfs;
        spec["hostname"] = id;
        // A cgroup of this run's own, not runc's default /<id> that another run's container could hold.
        spec["linux"]!["cgroupsPath"] = $"/{_cniPaths.NodeName}/{id}";
        if (netnsPath is not null)
        {
            foreach (var ns in spec["linux"]!["namespaces"]!.AsArray())
            {
                if ((string?)ns!["type"] == "network") ns["path"] = netnsPath;
            }
        }
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), spec.ToJsonString());
        return (id, bundle);
    }

    private async Task RuncRunAsync(string id, string bundle)
    {
        // The detached container inherits runc's stdio: give it pipes nobody reads (sleep writes nothing) and wait
        // for runc alone, not for end of file.
        using var process = Process.Start(new ProcessStartInfo("runc", ["--root", _runcRoot, "run", "-d", "--bundle", bundle, id])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start runc");
        _containers.Add(id);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"runc run -d {id} failed ({process.ExitCode})");
    }
}
