using System.Diagnostics;

namespace Gantry.E2E.Tests.Harness;

/// <summary>
/// Removes everything an agent made on this machine for one node, whatever state a test left it in: its runc
/// containers and their monitors, mounts under its data dir, its cgroups and its CNI network. The suite also runs it
/// at start for leftovers of a crashed earlier run.
/// </summary>
internal static class NodeCleanup
{
    public static async Task RunAsync(string dataDir, string nodeName)
    {
        var paths = new Gantry.Node.NodePaths(dataDir, nodeName);
        if (Directory.Exists(paths.RuncRoot))
        {
            foreach (var id in (await Run("runc", "--root", paths.RuncRoot, "list", "-q")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Run("runc", "--root", paths.RuncRoot, "kill", "-a", id, "KILL");
                await Run("runc", "--root", paths.RuncRoot, "delete", "-f", id);
            }
        }
        // conmon outlives the agent by design; after the containers are gone its monitors exit, but do not wait on them.
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                if (cmdline.StartsWith("conmon", StringComparison.Ordinal) || cmdline.Contains("/conmon\0", StringComparison.Ordinal))
                {
                    if (cmdline.Contains(paths.AgentDir, StringComparison.Ordinal)) Process.GetProcessById(int.Parse(pid!)).Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // The process ended meanwhile.
            }
        }
        // Deepest mounts first, lazily: a pinned namespace or overlay may still be busy for a moment.
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1].Replace("\\040", " "))
            .Where(m => m.StartsWith(paths.DataDir + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length).ToList();
        foreach (var mount in mounts) await Run("umount", "-l", mount);
        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup") : [])
        {
            // /gantry/<node>: the agent's whole cgroup subtree, deepest first.
            var root = controller + Path.GetDirectoryName(paths.CgroupRoot);
            if (!Directory.Exists(root)) continue;
            foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(root))
            {
                // The kernel frees a cgroup a moment after its last task exits: rmdir says busy until then.
                for (var attempt = 0; Directory.Exists(dir); attempt++)
                {
                    try { Directory.Delete(dir); }
                    catch (IOException) when (attempt < 20) { await Task.Delay(100); }
                }
            }
        }
        await new Gantry.Node.Network.CniNetwork(paths).RemoveAllAsync(CancellationToken.None);
        await RemoveServiceNetworkingAsync(nodeName);
    }

    /// <summary>The service proxy's nftables table and the cluster DNS interface; route_localnet back to the kernel's 0 once no proxy table is left.</summary>
    private static async Task RemoveServiceNetworkingAsync(string nodeName)
    {
        await Run("nft", "delete", "table", "ip", new Gantry.Node.Network.Proxy.ServiceProxyOptions { NodeName = nodeName }.TableName);
        await Gantry.Node.Network.NodeDnsInterface.RemoveAsync(nodeName, CancellationToken.None);
        // A killed agent could not restore the setting; the machines running this suite start with 0.
        if (!(await Run("nft", "list", "tables", "ip")).Contains("table ip gantry-", StringComparison.Ordinal))
            await File.WriteAllTextAsync("/proc/sys/net/ipv4/conf/all/route_localnet", "0");
    }

    private static async Task<string> Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
