using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// Pod cgroups on cgroup v1 with the cgroupfs driver: one directory per controller hierarchy, as the kubelet's pod
/// container manager makes them.
/// </summary>
internal sealed class CgroupV1 : PodCgroups
{
    private static readonly string[] Controllers =
        ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer", "hugetlb"];

    private readonly string mountRoot;

    /// <summary>Pod cgroups in the v1 hierarchies mounted below <paramref name="mountRoot"/>.</summary>
    public CgroupV1(string mountRoot)
    {
        this.mountRoot = mountRoot;
    }

    /// <summary>True when the v1 hierarchies this engine drives are mounted below <paramref name="mountRoot"/>.</summary>
    public static bool IsMounted(string mountRoot) => File.Exists(Path.Combine(mountRoot, "memory", "cgroup.procs"))
        && File.Exists(Path.Combine(mountRoot, "cpu", "cgroup.procs"));

    /// <inheritdoc />
    public override bool SawOomKill(string cgroup)
    {
        var kills = ReadKey(Path.Combine(ControllerPath("memory", cgroup), "memory.oom_control"), "oom_kill");
        return kills > 0;
    }

    /// <inheritdoc />
    public override bool AccountsSwap(string podCgroup) =>
        File.Exists(Path.Combine(mountRoot, "memory", "memory.memsw.limit_in_bytes"));

    /// <inheritdoc />
    protected override void CreatePod(string cgroup, LinuxResources? resources)
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

    /// <inheritdoc />
    /// <remarks>
    /// Removes the tree in every mounted hierarchy: runc puts containers into all of them, including the named (systemd)
    /// and unified ones of a hybrid host, not only the controllers this engine configures.
    /// </remarks>
    protected override Task RemovePodAsync(string cgroup, CancellationToken cancellationToken)
    {
        foreach (var hierarchy in Directory.EnumerateDirectories(mountRoot).Where(h => File.Exists(Path.Combine(h, "cgroup.procs"))))
        {
            RemoveTree(Path.Combine(hierarchy, cgroup.TrimStart('/')));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override long ReadShares(string cgroup) =>
        long.Parse(File.ReadAllText(Path.Combine(ControllerPath("cpu", cgroup), "cpu.shares")), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    protected override void WriteShares(string cgroup, long shares) => Write("cpu", cgroup, "cpu.shares", shares);

    /// <inheritdoc />
    protected override bool Exists(string cgroup) => Directory.Exists(ControllerPath("cpu", cgroup));

    /// <inheritdoc />
    protected override IEnumerable<string> Children(string cgroup) =>
        Directory.EnumerateDirectories(ControllerPath("cpu", cgroup)).Select(Path.GetFileName)!;

    private string ControllerPath(string controller, string cgroup) =>
        Path.Combine(mountRoot, controller, cgroup.TrimStart('/'));

    private IEnumerable<string> MountedControllers() =>
        Controllers.Where(controller => File.Exists(Path.Combine(mountRoot, controller, "cgroup.procs")));

    private void Write(string controller, string cgroup, string file, long value) =>
        Write(Path.Combine(ControllerPath(controller, cgroup), file), value);

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
