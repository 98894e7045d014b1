using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Tests.Runtime;

/// <summary>
/// Pod cgroups on cgroup v2 against a fake tree. This machine is a v1 hybrid host, and its cgroup2 mount
/// (/sys/fs/cgroup/unified) offers no cpu or memory controller, so a real v2 run is not possible here; the last test
/// only checks that detection recognises that mount and refuses it.
/// </summary>
public sealed class CgroupV2Tests : IDisposable
{
    private static readonly NodePaths Paths = new("/tmp/unused", "node-1");
    private readonly FakeCgroup2Tree tree = new();

    [Fact]
    public void Create_EnablesTheControllersInSubtreeControl_OfEveryLevelAboveThePod()
    {
        var pod = Pod("a", Container(cpuRequest: "250m"));
        var cgroup = PodResources.CgroupParent(Paths, pod);

        tree.Cgroups().Create(cgroup, PodResources.ForPod(pod));

        const string all = "+cpuset +cpu +io +memory +hugetlb +pids";
        foreach (var level in new[] { "/", "/gantry", "/gantry/node-1", "/gantry/node-1/kubepods", "/gantry/node-1/kubepods/burstable" })
        {
            Assert.Equal(all, tree.Read(level, "cgroup.subtree_control"));
        }

        Assert.Equal("cpuset cpu io memory hugetlb pids", tree.Read(cgroup, "cgroup.controllers"));
        Assert.Equal(string.Empty, tree.Read(cgroup, "cgroup.subtree_control"));
    }

    [Fact]
    public void Create_EnablesOnlyWhatTheParentOffers_AndLeavesEnabledLevelsAlone()
    {
        using var small = new FakeCgroup2Tree("cpu memory pids");
        var cgroups = small.Cgroups();
        cgroups.Create("/gantry/node-1/kubepods/besteffort/poda", null);
        small.Set("/", "cgroup.subtree_control", "cpu memory pids\n");

        cgroups.Create("/gantry/node-1/kubepods/besteffort/podb", null);

        Assert.Equal("cpu memory pids", small.Read("/", "cgroup.subtree_control"));
        Assert.Equal("+cpu +memory +pids", small.Read("/gantry/node-1/kubepods/besteffort", "cgroup.subtree_control"));
    }

    [Fact]
    public void GuaranteedPod_GetsWeightQuotaAndMemoryMax_DirectlyUnderKubepods()
    {
        var pod = Pod("g", Container("500m", "500m", "128Mi", "128Mi"), Container("500m", "500m", "128Mi", "128Mi"));
        var cgroup = PodResources.CgroupParent(Paths, pod);

        tree.Cgroups().Create(cgroup, PodResources.ForPod(pod) with { PidsLimit = 1024 });

        Assert.Equal("/gantry/node-1/kubepods/podg", cgroup);
        Assert.Equal("39", tree.Read(cgroup, "cpu.weight"));
        Assert.Equal("100000 100000", tree.Read(cgroup, "cpu.max"));
        Assert.Equal("268435456", tree.Read(cgroup, "memory.max"));
        Assert.Equal("1024", tree.Read(cgroup, "pids.max"));
        Assert.Equal("100", tree.Read("/gantry/node-1/kubepods", "cpu.weight"));
    }

    [Fact]
    public void BurstablePod_WithoutLimitsOnEveryContainer_KeepsTheKernelsCpuMaxAndMemoryMax()
    {
        var pod = Pod("b", Container("250m", "1", "64Mi", "128Mi"), Container(cpuRequest: "100m"));
        var cgroup = PodResources.CgroupParent(Paths, pod);

        tree.Cgroups().Create(cgroup, PodResources.ForPod(pod));

        Assert.Equal("/gantry/node-1/kubepods/burstable/podb", cgroup);
        Assert.Equal("14", tree.Read(cgroup, "cpu.weight"));
        Assert.Equal("max 100000", tree.Read(cgroup, "cpu.max"));
        Assert.Equal("max", tree.Read(cgroup, "memory.max"));
        Assert.Equal("max", tree.Read(cgroup, "pids.max"));
    }

    [Fact]
    public void BestEffortPod_GetsTheMinimumWeight_AndSoDoesItsQosCgroup()
    {
        var pod = Pod("e", Container());
        var cgroup = PodResources.CgroupParent(Paths, pod);

        tree.Cgroups().Create(cgroup, PodResources.ForPod(pod));

        Assert.Equal("/gantry/node-1/kubepods/besteffort/pode", cgroup);
        Assert.Equal("1", tree.Read(cgroup, "cpu.weight"));
        Assert.Equal("max 100000", tree.Read(cgroup, "cpu.max"));
        Assert.Equal("max", tree.Read(cgroup, "memory.max"));
        Assert.Equal("1", tree.Read("/gantry/node-1/kubepods/besteffort", "cpu.weight"));
    }

    [Fact]
    public async Task BurstableQosWeight_FollowsTheSumOfItsPodsRequests_AsPodsComeAndGo()
    {
        var cgroups = tree.Cgroups();
        const string qos = "/gantry/node-1/kubepods/burstable";
        cgroups.Create(qos + "/poda", PodResources.ForPod(Pod("a", Container(cpuRequest: "1"))));
        Assert.Equal("39", tree.Read(qos, "cpu.weight"));

        // The pods' shares are read back from their weights (999 for 39, where 1024 was written), so two such pods
        // weigh 77 where the kubelet, summing the requests themselves, writes 79.
        cgroups.Create(qos + "/podb", PodResources.ForPod(Pod("b", Container(cpuRequest: "1"))));
        Assert.Equal("77", tree.Read(qos, "cpu.weight"));

        await cgroups.RemoveAsync(qos + "/poda", default);
        Assert.Equal("39", tree.Read(qos, "cpu.weight"));
    }

    [Fact]
    public async Task Remove_KillsThroughCgroupKill_WaitsUntilEmpty_ThenRemovesDeepestFirst()
    {
        var cgroups = tree.Cgroups();
        const string pod = "/gantry/node-1/kubepods/besteffort/podr";
        cgroups.Create(pod, null);
        tree.Set("/gantry/node-1/kubepods/besteffort", "cgroup.subtree_control", "cpu memory pids");
        tree.Set(pod, "cgroup.subtree_control", "cpu memory pids");
        tree.MakeDirectory(Path.Combine(tree.Root, pod.TrimStart('/'), "c1"));
        tree.MakeDirectory(Path.Combine(tree.Root, pod.TrimStart('/'), "c2"));
        tree.Set(pod, "cgroup.events", "populated 1\nfrozen 0\n");
        tree.Operations.Clear();

        var removal = cgroups.RemoveAsync(pod, default);
        await WaitUntilAsync(() => tree.Read(pod, "cgroup.kill") == "1");
        Assert.False(removal.IsCompleted, "removal waits for the processes to go");
        tree.Set(pod, "cgroup.events", "populated 0\nfrozen 0\n");
        await removal.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, tree.Operations.Count);
        Assert.Equal(["rmdir " + pod + "/c1", "rmdir " + pod + "/c2"], tree.Operations.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal("rmdir " + pod, tree.Operations[2]);
        Assert.False(tree.Exists(pod));
        Assert.True(tree.Exists("/gantry/node-1/kubepods/besteffort"), "the QoS cgroup stays");
    }

    [Fact]
    public async Task Remove_OfACgroupThatNeverEmpties_FailsAndKeepsIt()
    {
        var cgroups = tree.Cgroups(new JumpingClock());
        const string pod = "/gantry/node-1/kubepods/besteffort/podstuck";
        cgroups.Create(pod, null);
        tree.Set(pod, "cgroup.events", "populated 1\nfrozen 0\n");

        await Assert.ThrowsAsync<IOException>(() => cgroups.RemoveAsync(pod, default));
        Assert.True(tree.Exists(pod));
    }

    [Fact]
    public async Task Remove_OfAMissingCgroup_DoesNothing()
    {
        await tree.Cgroups().RemoveAsync("/gantry/node-1/kubepods/burstable/podnone", default);

        Assert.Empty(tree.Operations);
    }

    [Fact]
    public void SawOomKill_ReadsTheOomKillCounterOfMemoryEvents()
    {
        var cgroups = tree.Cgroups();
        const string container = "/gantry/node-1/kubepods/besteffort/podo/c1";
        cgroups.Create("/gantry/node-1/kubepods/besteffort/podo", null);
        tree.Set("/gantry/node-1/kubepods/besteffort", "cgroup.subtree_control", "memory");
        tree.Set("/gantry/node-1/kubepods/besteffort/podo", "cgroup.subtree_control", "memory");
        tree.MakeDirectory(Path.Combine(tree.Root, container.TrimStart('/')));

        Assert.False(cgroups.SawOomKill(container));
        tree.Set(container, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\noom_group_kill 0\n");
        Assert.False(cgroups.SawOomKill(container));
        tree.Set(container, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
        Assert.True(cgroups.SawOomKill(container));
        Assert.False(cgroups.SawOomKill(container + "-deleted"));
    }

    [Fact]
    public void AccountsSwap_WhenThePodCgroupHasMemorySwapMax()
    {
        using var noSwap = new FakeCgroup2Tree(swap: false);
        const string pod = "/gantry/node-1/kubepods/besteffort/pods";
        tree.Cgroups().Create(pod, null);
        noSwap.Cgroups().Create(pod, null);

        Assert.True(tree.Cgroups().AccountsSwap(pod));
        Assert.False(noSwap.Cgroups().AccountsSwap(pod));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1024, 39)]
    [InlineData(102, 4)]
    [InlineData(262_144, 10_000)]
    [InlineData(1_000_000, 10_000)]
    public void SharesToWeight_IsLibcontainersConversion(long shares, long weight) =>
        Assert.Equal(weight, CgroupV2.SharesToWeight(shares));

    [Fact]
    public void WeightToShares_GivesBackEveryWeight()
    {
        Assert.All(Enumerable.Range(1, 10_000), weight => Assert.Equal(weight, CgroupV2.SharesToWeight(CgroupV2.WeightToShares(weight))));
    }

    [Fact]
    public void MissingControllers_NamesTheRequiredOnesTheRootLacks()
    {
        using var ioOnly = new FakeCgroup2Tree("io pids");

        Assert.Empty(tree.Cgroups().MissingControllers());
        Assert.Equal(["cpu", "memory"], ioOnly.Cgroups().MissingControllers());
    }

    [Fact]
    public void Detect_TellsCgroup2MountsFromV1_ByTheirFilesystemMagic()
    {
        // On a pure v2 host /sys/fs/cgroup itself is cgroup2 and must be accepted; on this hybrid host the cgroup2 mount
        // at /sys/fs/cgroup/unified is recognised but has no cpu or memory controller, and /sys/fs/cgroup is v1.
        var mounts = File.ReadLines("/proc/self/mountinfo").Select(line => line.Split(" - ")).ToList();
        var cgroup2 = mounts.Where(m => m[1].StartsWith("cgroup2 ", StringComparison.Ordinal)).Select(m => m[0].Split(' ')[4]).ToList();
        Assert.NotEmpty(cgroup2);
        foreach (var mount in cgroup2)
        {
            var controllers = File.ReadAllText(Path.Combine(mount, "cgroup.controllers")).Split(' ', '\n');
            if (controllers.Contains("cpu") && controllers.Contains("memory"))
            {
                Assert.IsType<CgroupV2>(PodCgroups.Detect(mount, TimeProvider.System));
            }
            else
            {
                Assert.Contains("cgroup v2", Assert.Throws<InvalidOperationException>(() => PodCgroups.Detect(mount, TimeProvider.System)).Message);
            }
        }

        var root = cgroup2.Contains(PodCgroups.MountRoot) ? typeof(CgroupV2) : typeof(CgroupV1);
        Assert.IsType(root, PodCgroups.Detect(PodCgroups.MountRoot, TimeProvider.System));
        Assert.Throws<InvalidOperationException>(() => PodCgroups.Detect(tree.Root, TimeProvider.System));
    }

    /// <inheritdoc />
    public void Dispose() => tree.Dispose();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private static V1Pod Pod(string uid, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Uid = uid, Name = uid, NamespaceProperty = "default" },
        Spec = new V1PodSpec { Containers = containers },
    };

    private static V1Container Container(
        string? cpuRequest = null, string? cpuLimit = null, string? memoryRequest = null, string? memoryLimit = null)
    {
        static Dictionary<string, ResourceQuantity> Quantities(string? cpu, string? memory)
        {
            var result = new Dictionary<string, ResourceQuantity>();
            if (cpu is not null) result["cpu"] = new ResourceQuantity(cpu);
            if (memory is not null) result["memory"] = new ResourceQuantity(memory);
            return result;
        }

        return new V1Container
        {
            Name = "c",
            Image = "busybox",
            Resources = new V1ResourceRequirements
            {
                Requests = Quantities(cpuRequest, memoryRequest),
                Limits = Quantities(cpuLimit, memoryLimit),
            },
        };
    }

    // Each reading is a second later than the last: a 10 s deadline passes after ten polls.
    private sealed class JumpingClock : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => now = now.AddSeconds(1);
    }
}
