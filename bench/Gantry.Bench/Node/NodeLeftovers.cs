using System.Diagnostics;
using Gantry.Node;
using Gantry.Node.Network;

namespace Gantry.Bench.Node;

/// <summary>
/// Removes everything an agent made on this machine for one node after its process was stopped: runc containers, their
/// conmon monitors, mounts under the data dir, the node's cgroup subtree, its CNI network, proxy table and DNS interface.
/// </summary>
internal static class NodeLeftovers
{
    public static async Task RemoveAsync(NodePaths paths)
    {
        if (Directory.Exists(paths.RuncRoot))
        {
            var (_, ids) = await Host.RunAsync("runc", "--root", paths.RuncRoot, "list", "-q");
            foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Host.RunAsync("runc", "--root", paths.RuncRoot, "kill", "-a", id, "KILL");
                await Host.RunAsync("runc", "--root", paths.RuncRoot, "delete", "-f", id);
            }
        }
        // conmon outlives the agent by design: end the monitors of this node's containers.
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                if ((cmdline.StartsWith("conmon", StringComparison.Ordinal) || cmdline.Contains("/conmon\0", StringComparison.Ordinal)) &&
                    cmdline.Contains(paths.AgentDir, StringComparison.Ordinal))
                {
                    using var process = Process.GetProcessById(int.Parse(pid!));
                    process.Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // The process ended meanwhile.
            }
        }
        await UnmountUnderAsync(paths.DataDir);
        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup") : [])
        {
            var root = controller + Path.GetDirectoryName(paths.CgroupRoot);
            if (!Directory.Exists(root)) continue;
            foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(root))
            {
                // The kernel frees a cgroup a moment after its last task exits: rmdir says busy until then.
                for (var attempt = 0; Directory.Exists(dir); attempt++)
                {
                    try { Directory.Delete(dir); }
                    catch (IOException) when (attempt < 50) { await Task.Delay(100); }
                }
            }
        }
        await new CniNetwork(paths).RemoveAllAsync(CancellationToken.None);
        // The service proxy's table and the cluster DNS interface, which a stopped agent removes itself but a killed one leaves.
        await Host.RunAsync("nft", "delete", "table", "ip", new Gantry.Node.Network.Proxy.ServiceProxyOptions { NodeName = paths.NodeName }.TableName);
        await NodeDnsInterface.RemoveAsync(paths.NodeName, CancellationToken.None);
    }

    /// <summary>Lazily unmounts everything below <paramref name="dir"/>, deepest first.</summary>
    public static async Task UnmountUnderAsync(string dir)
    {
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1].Replace("\\040", " "))
            .Where(m => m.StartsWith(dir + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length).ToList();
        foreach (var mount in mounts) await Host.RunAsync("umount", "-l", mount);
    }
}
