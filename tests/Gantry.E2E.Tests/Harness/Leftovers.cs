namespace Gantry.E2E.Tests.Harness;

/// <summary>
/// Data dirs of e2e nodes, marked with their node name, so a later run can remove what a crashed or killed run left
/// (running containers, mounts, cgroups, bridges) before it starts. A multi-machine cluster's dir holds its machines'
/// data dirs and lists the network namespaces it made, removed the same way.
/// </summary>
internal static class Leftovers
{
    private const string Prefix = "gantry-e2e-";
    private const string Marker = "e2e-node-name";
    private const string NetnsMarker = "e2e-netns";

    /// <summary>A fresh data dir for <paramref name="nodeName"/>, marked for cleanup by later runs.</summary>
    public static string NewDataDir(string nodeName)
    {
        var dir = Directory.CreateTempSubdirectory(Prefix).FullName;
        File.WriteAllText(Path.Combine(dir, Marker), nodeName);
        return dir;
    }

    /// <summary>
    /// A fresh dir for a multi-machine cluster that will make the network namespaces <paramref name="netns"/> (listed
    /// before they exist, so a run killed halfway is cleaned too).
    /// </summary>
    public static string NewClusterDir(IEnumerable<string> netns)
    {
        var dir = Directory.CreateTempSubdirectory(Prefix).FullName;
        File.WriteAllLines(Path.Combine(dir, NetnsMarker), netns);
        return dir;
    }

    /// <summary>The data dir of machine <paramref name="nodeName"/> inside a cluster dir, marked like <see cref="NewDataDir"/>.</summary>
    public static string NewMachineDir(string clusterDir, string nodeName)
    {
        var dir = Directory.CreateDirectory(Path.Combine(clusterDir, nodeName)).FullName;
        File.WriteAllText(Path.Combine(dir, Marker), nodeName);
        return dir;
    }

    /// <summary>Cleans and deletes every marked data dir no running process uses.</summary>
    public static async Task RemoveAsync()
    {
        await KillOrphansAsync();
        var inUse = GantryProcesses().Select(p => p.Cmdline).ToList();
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (inUse.Any(c => c.Contains(dir, StringComparison.Ordinal))) continue;
            var netnsMarker = Path.Combine(dir, NetnsMarker);
            if (File.Exists(netnsMarker))
            {
                foreach (var machine in Directory.GetDirectories(dir)) await RemoveNodeAsync(machine);
                foreach (var netns in File.ReadAllLines(netnsMarker).Where(n => n.Length > 0)) await Shell.RunAsync(["ip", "netns", "delete", netns]);
                DeleteDir(dir);
            }
            else if (await RemoveNodeAsync(dir))
            {
                DeleteDir(dir);
            }
        }
    }

    /// <summary>
    /// Kills gantry processes of e2e data dirs whose test run is gone: a killed test host leaves its servers and agents
    /// running, reparented to init, and they would keep their data dirs (and network namespaces) in use forever.
    /// A live run's processes are children of its test host, so they are never touched.
    /// </summary>
    private static async Task KillOrphansAsync()
    {
        foreach (var (pid, cmdline) in GantryProcesses().Where(p => p.Cmdline.Contains(Path.Combine(Path.GetTempPath(), Prefix), StringComparison.Ordinal)))
        {
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] != "1") continue;
                using var orphan = System.Diagnostics.Process.GetProcessById(pid);
                orphan.Kill();
                await orphan.WaitForExitAsync();
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
                // It ended meanwhile.
            }
        }
    }

    private static List<(int Pid, string Cmdline)> GantryProcesses() =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Select(pid => (Pid: int.Parse(pid!), Cmdline: ReadOrEmpty($"/proc/{pid}/cmdline")))
            .Where(p => IsGantry(p.Cmdline))
            .ToList();

    // The shipped binary (out/gantry/gantry, also under ./gantry or nsenter, which exec it), or `dotnet gantry.dll`, as
    // checkouts from before the binary still launch it: their live data dirs on this machine must count as in use too.
    private static bool IsGantry(string cmdline)
    {
        var args = cmdline.Split('\0');
        return Path.GetFileName(args[0]) == "gantry" || (args.Length > 1 && Path.GetFileName(args[1]) == "gantry.dll");
    }

    private static string ReadOrEmpty(string file)
    {
        try { return File.ReadAllText(file); }
        catch (IOException) { return ""; }
    }

    private static async Task<bool> RemoveNodeAsync(string dir)
    {
        var marker = Path.Combine(dir, Marker);
        if (!File.Exists(marker)) return false;
        await NodeCleanup.RunAsync(dir, File.ReadAllText(marker).Trim());
        return true;
    }

    private static void DeleteDir(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }
}
