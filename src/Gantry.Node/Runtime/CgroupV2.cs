namespace Gantry.Node.Runtime;

/// <summary>
/// Pod cgroups on a cgroup v2 (unified) host with the cgroupfs driver, as the kubelet's cgroup v2 manager makes them
/// through libcontainer's fs2: one tree, controllers enabled level by level through cgroup.subtree_control, limits in
/// cpu.weight, cpu.max, memory.max and pids.max. Works over any root directory, so a fake tree in a temporary directory
/// stands in for /sys/fs/cgroup in tests.
/// </summary>
/// <remarks>
/// A v1 or hybrid host cannot exercise this for real: the cgroup2 mount of a hybrid host (/sys/fs/cgroup/unified)
/// offers no cpu or memory controller, because the v1 hierarchies hold them, so pod limits cannot be set there.
/// </remarks>
internal sealed class CgroupV2 : PodCgroups
{
    private static readonly string[] Required = ["cpu", "memory"];

    // What the kubelet's v2 manager uses (cpu, cpuset, memory, hugetlb, pids) plus io, which runc enables too; only
    // those the parent offers are enabled.
    private static readonly string[] Wanted = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids"];

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KillPoll = TimeSpan.FromMilliseconds(10);

    private readonly string mountRoot;
    private readonly TimeProvider time;
    private readonly Action<string> makeDirectory;
    private readonly Action<string> removeDirectory;

    /// <summary>Pod cgroups in the unified hierarchy mounted at <paramref name="mountRoot"/>.</summary>
    public CgroupV2(string mountRoot, TimeProvider time)
        : this(mountRoot, time, path => Directory.CreateDirectory(path), path => Directory.Delete(path, recursive: false))
    {
    }

    /// <summary>
    /// As the public constructor, with mkdir and rmdir replaceable: in a fake tree they play the kernel, which fills a
    /// new cgroup with its interface files and removes a cgroup that still holds them.
    /// </summary>
    internal CgroupV2(string mountRoot, TimeProvider time, Action<string> makeDirectory, Action<string> removeDirectory)
    {
        this.mountRoot = mountRoot;
        this.time = time;
        this.makeDirectory = makeDirectory;
        this.removeDirectory = removeDirectory;
    }

    /// <summary>libcontainer's cgroup v1 shares to v2 weight conversion ([2, 262144] onto [1, 10000]).</summary>
    public static long SharesToWeight(long shares) => 1 + ((Math.Clamp(shares, MinShares, 262_144) - 2) * 9999 / 262_142);

    /// <summary>
    /// The fewest shares <see cref="SharesToWeight"/> maps onto <paramref name="weight"/>: the kubelet's
    /// CPUWeightToCPUShares rounded up instead of down, so that a weight read back and converted again is the same.
    /// </summary>
    public static long WeightToShares(long weight) => ((((weight - 1) * 262_142) + 9998) / 9999) + 2;

    /// <summary>The controllers pods need that the root does not offer (cgroup.controllers).</summary>
    public IReadOnlyList<string> MissingControllers()
    {
        var available = Fields(Path.Combine(mountRoot, "cgroup.controllers"));
        return Required.Where(controller => !available.Contains(controller)).ToList();
    }

    /// <inheritdoc />
    /// <remarks>oom_kill in memory.events counts the processes of this cgroup and its descendants any OOM killer killed.</remarks>
    public override bool SawOomKill(string cgroup) => ReadKey(Path.Combine(PathOf(cgroup), "memory.events"), "oom_kill") > 0;

    /// <inheritdoc />
    /// <remarks>memory.swap.max exists in a cgroup with the memory controller only when the kernel accounts swap.</remarks>
    public override bool AccountsSwap(string podCgroup) => File.Exists(Path.Combine(PathOf(podCgroup), "memory.swap.max"));

    /// <inheritdoc />
    protected override void CreatePod(string cgroup, LinuxResources? resources)
    {
        // As libcontainer's CreateCgroupPath: every level above the new cgroup delegates the controllers to its children
        // (the root's own processes are exempt from the no-internal-processes rule, and the levels below hold none). The
        // pod cgroup itself is enabled by runc when it creates a container below it.
        var current = mountRoot;
        foreach (var segment in cgroup.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            EnableControllers(current);
            current = Path.Combine(current, segment);
            if (!Directory.Exists(current))
            {
                makeDirectory(current);
            }
        }

        if (resources is null)
        {
            return;
        }

        // The kubelet's ResourceConfigForPod through libcontainer's fs2: shares as weight, a cpu limit as "quota period"
        // (unlimited pods keep the kernel's "max 100000"), the memory limit as memory.max.
        Write(Path.Combine(current, "cpu.weight"), SharesToWeight(resources.CpuShares));
        if (resources.CpuQuota is { } quota)
        {
            File.WriteAllText(Path.Combine(current, "cpu.max"), FormattableString.Invariant($"{quota} {resources.CpuPeriod}"));
        }

        if (resources.MemoryLimitBytes is { } memory)
        {
            Write(Path.Combine(current, "memory.max"), memory);
        }

        if (resources.PidsLimit is { } pids)
        {
            Write(Path.Combine(current, "pids.max"), pids);
        }
    }

    /// <inheritdoc />
    protected override async Task RemovePodAsync(string cgroup, CancellationToken cancellationToken)
    {
        var path = PathOf(cgroup);
        if (!Directory.Exists(path))
        {
            return;
        }

        await KillAllAsync(path, cancellationToken).ConfigureAwait(false);
        foreach (var directory in DeepestFirst(path))
        {
            removeDirectory(directory);
        }
    }

    /// <inheritdoc />
    protected override long ReadShares(string cgroup) =>
        WeightToShares(ReadKeyless(Path.Combine(PathOf(cgroup), "cpu.weight")));

    /// <inheritdoc />
    protected override void WriteShares(string cgroup, long shares) =>
        Write(Path.Combine(PathOf(cgroup), "cpu.weight"), SharesToWeight(shares));

    /// <inheritdoc />
    protected override bool Exists(string cgroup) => Directory.Exists(PathOf(cgroup));

    /// <inheritdoc />
    protected override IEnumerable<string> Children(string cgroup) =>
        Directory.EnumerateDirectories(PathOf(cgroup)).Select(Path.GetFileName)!;

    private string PathOf(string cgroup) => Path.Combine(mountRoot, cgroup.TrimStart('/'));

    private static void EnableControllers(string directory)
    {
        var available = Fields(Path.Combine(directory, "cgroup.controllers"));
        var enabled = Fields(Path.Combine(directory, "cgroup.subtree_control"));
        var missing = Wanted.Where(c => available.Contains(c) && !enabled.Contains(c)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var control = Path.Combine(directory, "cgroup.subtree_control");
        try
        {
            File.WriteAllText(control, string.Join(' ', missing.Select(c => "+" + c)));
        }
        catch (IOException)
        {
            // One refused controller fails the whole write (cpuset in a threaded subtree, say): enable them one by one,
            // and give up only on those pod limits need.
            foreach (var controller in missing)
            {
                try
                {
                    File.WriteAllText(control, "+" + controller);
                }
                catch (IOException) when (!Required.Contains(controller))
                {
                }
            }
        }
    }

    private async Task KillAllAsync(string path, CancellationToken cancellationToken)
    {
        // cgroup.kill (Linux 5.14+) SIGKILLs the whole subtree atomically, forks included; without it, every process
        // found is killed until none is left. Either way the kernel reports the tree empty in cgroup.events only once
        // the processes are gone, and rmdir fails before that.
        var kill = Path.Combine(path, "cgroup.kill");
        var hasKill = File.Exists(kill);
        if (hasKill && Populated(path))
        {
            File.WriteAllText(kill, "1");
        }

        var deadline = time.GetUtcNow() + KillTimeout;
        while (Populated(path))
        {
            if (!hasKill)
            {
                KillProcesses(path);
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new IOException($"cgroup {path} still has processes {KillTimeout.TotalSeconds} s after SIGKILL");
            }

            await Task.Delay(KillPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Populated(string path) => ReadKey(Path.Combine(path, "cgroup.events"), "populated") == 1;

    private static void KillProcesses(string path)
    {
        foreach (var directory in DeepestFirst(path))
        {
            foreach (var pid in File.ReadLines(Path.Combine(directory, "cgroup.procs")))
            {
                // A process that exited meanwhile (ESRCH) is what we want anyway.
                _ = NativeMethods.Kill(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), 9);
            }
        }
    }

    private static List<string> DeepestFirst(string path)
    {
        var result = new List<string>();
        foreach (var child in Directory.GetDirectories(path))
        {
            result.AddRange(DeepestFirst(child));
        }

        result.Add(path);
        return result;
    }

    private static HashSet<string> Fields(string file) => File.Exists(file)
        ? File.ReadAllText(file).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(f => f.TrimStart('+')).ToHashSet()
        : [];

    private static long ReadKeyless(string file) =>
        long.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
