using Gantry.Node.Pods;
using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class KubeletRulesTests
{
    [Theory]
    [InlineData("$(A)-$(B)", "1-2")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$(MISSING) $A $", "$(MISSING) $A $")]
    [InlineData("$(A", "$(A")]
    [InlineData("x$$y", "x$y")]
    public void Expansion_FollowsKubernetesRules(string input, string expected)
    {
        var values = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" };
        Assert.Equal(expected, Expansion.Expand(input, n => values.GetValueOrDefault(n)));
    }

    [Fact]
    public void QosAndCgroupValues_AreComputedAsTheKubeletDoes()
    {
        var paths = new NodePaths("/tmp/x", "n1");
        var guaranteed = Pod(Resources(("cpu", "1", "1"), ("memory", "1Gi", "1Gi")));
        Assert.Equal("Guaranteed", PodResources.QosClass(guaranteed));
        Assert.Equal("/gantry/n1/kubepods/poduid-1", PodResources.CgroupParent(paths, guaranteed));
        var limits = PodResources.ForContainer(guaranteed, guaranteed.Spec.Containers[0], 8L << 30);
        Assert.Equal((1024L, 100_000L, 1L << 30, -997), (limits.CpuShares, limits.CpuQuota!.Value, limits.MemoryLimitBytes!.Value, limits.OomScoreAdj));

        var burstable = Pod(Resources(("cpu", "1m", null)));
        Assert.Equal("Burstable", PodResources.QosClass(burstable));
        Assert.Equal("/gantry/n1/kubepods/burstable/poduid-1", PodResources.CgroupParent(paths, burstable));
        var small = PodResources.ForContainer(burstable, burstable.Spec.Containers[0], 8L << 30);
        Assert.Equal((2L, (long?)null, 999), (small.CpuShares, small.CpuQuota, small.OomScoreAdj));

        var bestEffort = Pod(new V1ResourceRequirements());
        Assert.Equal("BestEffort", PodResources.QosClass(bestEffort));
        Assert.Equal("/gantry/n1/kubepods/besteffort/poduid-1", PodResources.CgroupParent(paths, bestEffort));
        Assert.Equal(1000, PodResources.ForContainer(bestEffort, bestEffort.Spec.Containers[0], 8L << 30).OomScoreAdj);
    }

    [Fact]
    public void Backoff_StartsAtTheInitialDelay_Doubles_AndResetsAfterAQuietPeriod()
    {
        var time = new ManualTime();
        var backoff = new Backoff(time, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(600));
        Assert.False(backoff.IsInBackOffSince("c", time.GetUtcNow()));
        backoff.Next("c", time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("c"));
        Assert.True(backoff.IsInBackOffSince("c", time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(backoff.IsInBackOffSince("c", time.GetUtcNow() - TimeSpan.FromSeconds(11)));
        for (var i = 0; i < 10; i++) backoff.Next("c", time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(300), backoff.Get("c"));
        time.Advance(TimeSpan.FromSeconds(601));
        backoff.Next("c", time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("c"));
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(80_000, "1m20s")]
    [InlineData(300_000, "5m0s")]
    [InlineData(400, "400ms")]
    [InlineData(1_500, "1.5s")]
    public void Durations_ArePrintedAsGoPrintsThem(int milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Admission_RefusesAHostPortInUse()
    {
        var port = new V1ContainerPort { ContainerPort = 80, HostPort = 8080 };
        var first = Pod(new V1ResourceRequirements());
        first.Spec.Containers[0].Ports = [port];
        var second = Pod(new V1ResourceRequirements());
        second.Spec.Containers[0].Ports = [port];
        var rejection = PodAdmission.Check(second, [first], 4000, 8L << 30, 110);
        Assert.Equal("NodePorts", rejection?.Reason);
        Assert.Null(PodAdmission.Check(second, [], 4000, 8L << 30, 110));
        Assert.Equal("OutOfpods", PodAdmission.Check(second, [first], 4000, 8L << 30, 1)?.Reason);
    }

    [Fact]
    public void ResolvConf_UsesClusterDnsForClusterFirstPods_AndDnsConfigForNone()
    {
        var hostFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(hostFile, "nameserver 192.0.2.53\nsearch corp.example\n");
            var options = new NodeAgentOptions { NodeName = "n1", ResolvConf = hostFile, ClusterDns = ["10.43.0.10"] };
            var pod = Pod(new V1ResourceRequirements());
            Assert.Equal("search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.43.0.10\noptions ndots:5\n",
                ResolvConf.For(pod, options));
            Assert.Equal("search corp.example\nnameserver 192.0.2.53\n", ResolvConf.For(pod, options with { ClusterDns = [] }));
            pod.Spec.DnsPolicy = "None";
            pod.Spec.DnsConfig = new V1PodDNSConfig { Nameservers = ["1.1.1.1"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }] };
            Assert.Equal("nameserver 1.1.1.1\noptions ndots:2\n", ResolvConf.For(pod, options));
        }
        finally
        {
            File.Delete(hostFile);
        }
    }

    [Fact]
    public void MachineInfo_ReadsThisMachine()
    {
        var dir = Directory.CreateTempSubdirectory("gantry-machine").FullName;
        try
        {
            var machine = MachineInfo.Read(Path.Combine(dir, "data"));
            Assert.Equal(Environment.ProcessorCount, machine.CpuCount);
            Assert.True(machine.MemoryBytes > 0);
            Assert.True(machine.EphemeralStorageBytes > 0);
            Assert.NotEmpty(machine.KernelVersion);
            Assert.NotEmpty(machine.BootId);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static V1Pod Pod(V1ResourceRequirements resources) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i", Resources = resources }] },
    };

    private static V1ResourceRequirements Resources(params (string Name, string? Request, string? Limit)[] values) => new()
    {
        Requests = values.Where(v => v.Request is not null).ToDictionary(v => v.Name, v => new ResourceQuantity(v.Request)),
        Limits = values.Where(v => v.Limit is not null).ToDictionary(v => v.Name, v => new ResourceQuantity(v.Limit)),
    };

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
