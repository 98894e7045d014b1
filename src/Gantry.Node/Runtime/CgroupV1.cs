using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// Pod cgroups on cgroup v1 with the cgroupfs driver: one directory per controller hierarchy, as the kubelet's pod
/// container manager makes them. Container cgroups below are runc's (cgroupsPath).
/// </summary>
internal static class CgroupV1
{
    private const string MountRoot = "/sys/fs/cgroup";

    private static readonly string[] Controllers =
        ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer", "hugetlb"];

    /// <summary>True when the v1 hierarchies this engine drives are mounted.</summary>
    public static bool Available => Directory.Exists(Path.Combine(MountRoot, "memory"))
        && Directory.Exists(Path.Combine(MountRoot, "cpu"));

    /// <summary>Creates <paramref name="cgroup"/> under every controller and applies the pod-level limits.</summary>
    public static void Create(string cgroup, LinuxResources? resources)
    {
        foreach (var controller in MountedControllers())
        {
            var path = ControllerPath(controller, cgroup);
            if (controller == "cpuset")
            {
                CreateCpuset(path);
            }
            else
            {
                Directory.CreateDirectory(path);
            }
        }

        if (resources is null)
        {
            return;
        }

        Write("cpu", cgroup, "cpu.shares", resources.CpuShares);
        if (resources.CpuQuota is { } quota)
        {
            Write("cpu", cgroup, "cpu.cfs_period_us", resources.CpuPeriod);
            Write("cpu", cgroup, "cpu.cfs_quota_us", quota);
        }

        if (resources.MemoryLimitBytes is { } memory)
        {
            Write("memory", cgroup, "memory.limit_in_bytes", memory);
        }

        if (resources.PidsLimit is { } pids)
        {
            Write("pids", cgroup, "pids.max", pids);
        }
    }

    /// <summary>Throws unless <paramref name="cgroup"/> lies below <paramref name="root"/> (pod cgroups are removed recursively).</summary>
    public static void EnsureUnder(string root, string cgroup)
    {
        var prefix = root.TrimEnd('/') + "/";
        if (!cgroup.StartsWith(prefix, StringComparison.Ordinal) || cgroup.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"cgroup parent {cgroup} is not under {prefix}", nameof(cgroup));
        }
    }

    /// <summary>Removes <paramref name="cgroup"/> and anything left below it (deepest first) under every controller.</summary>
    public static void Remove(string cgroup)
    {
        foreach (var controller in MountedControllers())
        {
            RemoveTree(ControllerPath(controller, cgroup));
        }
    }

    /// <summary>The directory of <paramref name="cgroup"/> in <paramref name="controller"/>'s hierarchy.</summary>
    public static string ControllerPath(string controller, string cgroup) =>
        Path.Combine(MountRoot, controller, cgroup.TrimStart('/'));

    private static IEnumerable<string> MountedControllers() =>
        Controllers.Where(controller => File.Exists(Path.Combine(MountRoot, controller, "cgroup.procs")));

    private static void Write(string controller, string cgroup, string file, long value) =>
        File.WriteAllText(Path.Combine(ControllerPath(controller, cgroup), file), value.ToString(CultureInfo.InvariantCulture));

    private static void CreateCpuset(string path)
    {
        // A new cpuset cgroup starts with no cpus and mems, and then no task may join it: inherit them level by level.
        var parent = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(parent))
        {
            CreateCpuset(parent);
        }

        if (Directory.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(path);
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var own = Path.Combine(path, file);
            if (string.IsNullOrWhiteSpace(File.ReadAllText(own)))
            {
                File.WriteAllText(own, File.ReadAllText(Path.Combine(parent, file)).Trim());
            }
        }
    }

    private static void RemoveTree(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var child in Directory.GetDirectories(path))
        {
            RemoveTree(child);
        }

        // cgroupfs directories are removed with rmdir alone; their control files go with them.
        Directory.Delete(path, recursive: false);
    }
}
