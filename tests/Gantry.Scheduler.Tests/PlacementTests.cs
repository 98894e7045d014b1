using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests;

public sealed class PlacementTests
{
    [Fact]
    public async Task Pods_LandOnlyOnNodesWithEnoughCpuAndMemory()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("small", cpu: "1", memory: "1Gi");
        await cluster.CreateNodeAsync("big", cpu: "4", memory: "8Gi");

        var cpuHungry = await cluster.CreatePodAsync(TestCluster.Pod("cpu-hungry", cpu: "2", memory: "64Mi"));
        var memoryHungry = await cluster.CreatePodAsync(TestCluster.Pod("memory-hungry", cpu: "100m", memory: "4Gi"));

        Assert.Equal("big", await cluster.WaitForNodeAsync(cpuHungry));
        Assert.Equal("big", await cluster.WaitForNodeAsync(memoryHungry));
    }

    [Fact]
    public async Task NodeSelector_AndRequiredNodeAffinity_AreRespected()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("ssd", labels: new Dictionary<string, string> { ["disk"] = "ssd", ["cores"] = "2" });
        await cluster.CreateNodeAsync("hdd", labels: new Dictionary<string, string> { ["disk"] = "hdd", ["cores"] = "16" });
        await cluster.CreateNodeAsync("plain");

        var selected = TestCluster.Pod("selected");
        selected.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        var manyCores = TestCluster.Pod("many-cores");
        manyCores.Spec.Affinity = Required(new V1NodeSelectorRequirement { Key = "cores", OperatorProperty = "Gt", Values = ["8"] });
        var noDisk = TestCluster.Pod("no-disk");
        noDisk.Spec.Affinity = Required(new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "DoesNotExist" });
        var byName = TestCluster.Pod("by-name");
        byName.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["hdd"] }] }],
                },
            },
        };
        var notSsd = TestCluster.Pod("not-ssd");
        notSsd.Spec.Affinity = Required(
            new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "NotIn", Values = ["ssd"] },
            new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "Exists" });

        foreach (var pod in new[] { selected, manyCores, noDisk, byName, notSsd }) await cluster.CreatePodAsync(pod);

        Assert.Equal("ssd", await cluster.WaitForNodeAsync(selected));
        Assert.Equal("hdd", await cluster.WaitForNodeAsync(manyCores));
        Assert.Equal("plain", await cluster.WaitForNodeAsync(noDisk));
        Assert.Equal("hdd", await cluster.WaitForNodeAsync(byName));
        Assert.Equal("hdd", await cluster.WaitForNodeAsync(notSsd));
    }

    [Fact]
    public async Task PreferredNodeAffinity_PicksTheMatchingNode()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("a");
        await cluster.CreateNodeAsync("b", labels: new Dictionary<string, string> { ["zone"] = "east" });
        await cluster.CreateNodeAsync("c");
        var pod = TestCluster.Pod("prefers-east");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PreferredSchedulingTerm
                    {
                        Weight = 50,
                        Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["east"] }] },
                    },
                ],
            },
        };

        await cluster.CreatePodAsync(pod);

        Assert.Equal("b", await cluster.WaitForNodeAsync(pod));
    }

    [Fact]
    public async Task CordonedNode_IsSkipped_UnlessThePodToleratesIt()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("cordoned", unschedulable: true);
        await cluster.CreateNodeAsync("open", cpu: "1");

        var pods = Enumerable.Range(0, 3).Select(i => TestCluster.Pod($"web-{i}")).ToList();
        foreach (var pod in pods) await cluster.CreatePodAsync(pod);
        var tolerant = TestCluster.Pod("tolerant", cpu: "2");
        tolerant.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        await cluster.CreatePodAsync(tolerant);

        foreach (var pod in pods) Assert.Equal("open", await cluster.WaitForNodeAsync(pod));
        Assert.Equal("cordoned", await cluster.WaitForNodeAsync(tolerant));
    }

    [Fact]
    public async Task NoScheduleTaint_IsRespected_UnlessTolerated()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("gpu", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        await cluster.CreateNodeAsync("general", cpu: "1");

        var plain = await cluster.CreatePodAsync(TestCluster.Pod("plain", cpu: "500m"));
        var tolerant = TestCluster.Pod("tolerant", cpu: "2");
        tolerant.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }];
        await cluster.CreatePodAsync(tolerant);

        Assert.Equal("general", await cluster.WaitForNodeAsync(plain));
        Assert.Equal("gpu", await cluster.WaitForNodeAsync(tolerant));
    }

    [Fact]
    public async Task HostPortConflicts_AreAvoided()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("n1");
        await cluster.CreateNodeAsync("n2");

        var pods = new List<V1Pod>();
        for (var i = 0; i < 3; i++)
        {
            var pod = TestCluster.Pod($"proxy-{i}");
            pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080 }];
            pods.Add(await cluster.CreatePodAsync(pod));
        }

        var placed = new[] { await cluster.WaitForNodeAsync(pods[0]), await cluster.WaitForNodeAsync(pods[1]) };
        Assert.Equal(["n1", "n2"], placed.Order());
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pods[2])).Any(e => e.Message ==
            "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. " +
            "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."), "the host port FailedScheduling event");
    }

    [Fact]
    public async Task PodsForAnotherScheduler_AreLeftToIt()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateNodeAsync("n1");
        var other = TestCluster.Pod("other");
        other.Spec.SchedulerName = "other-scheduler";
        await cluster.CreatePodAsync(other);
        var mine = await cluster.CreatePodAsync(TestCluster.Pod("mine"));

        Assert.Equal("n1", await cluster.WaitForNodeAsync(mine));
        await Task.Delay(500);
        Assert.True(string.IsNullOrEmpty((await cluster.Client.For<V1Pod>().GetAsync("default", "other"))!.Spec.NodeName));
        Assert.Empty(await cluster.EventsAsync(other));

        cluster.StartScheduler(new SchedulerOptions { SchedulerName = "other-scheduler" });
        Assert.Equal("n1", await cluster.WaitForNodeAsync(other));
    }

    [Fact]
    public async Task ExtendedResources_AndEphemeralStorage_AreCounted()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("gpu", extra: new Dictionary<string, string> { ["example.com/gpu"] = "1" });
        await cluster.CreateNodeAsync("plain");
        cluster.StartScheduler(new SchedulerOptions());
        var first = TestCluster.Pod("gpu-1");
        first.Spec.Containers[0].Resources.Requests["example.com/gpu"] = new ResourceQuantity("1");
        first.Spec.Containers[0].Resources.Limits = new Dictionary<string, ResourceQuantity> { ["example.com/gpu"] = new("1") };
        var second = TestCluster.Pod("gpu-2");
        second.Spec.Containers[0].Resources.Requests["example.com/gpu"] = new ResourceQuantity("1");
        second.Spec.Containers[0].Resources.Requests["ephemeral-storage"] = new ResourceQuantity("200Gi");
        second.Spec.Containers[0].Resources.Limits = new Dictionary<string, ResourceQuantity> { ["example.com/gpu"] = new("1") };

        await cluster.CreatePodAsync(first);
        Assert.Equal("gpu", await cluster.WaitForNodeAsync(first));
        var pending = await cluster.CreatePodAsync(second);

        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pending)).Any(e => e.Message ==
            "0/2 nodes are available: 2 Insufficient ephemeral-storage, 2 Insufficient example.com/gpu. " +
            "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."), "the extended resource event");
    }

    [Fact]
    public async Task PreferNoScheduleTaint_SteersPodsToUntaintedNodes()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("soft-tainted", taints: [new V1Taint { Key = "spot", Value = "true", Effect = "PreferNoSchedule" }]);
        await cluster.CreateNodeAsync("clean");
        cluster.StartScheduler(new SchedulerOptions());

        var pod = await cluster.CreatePodAsync(TestCluster.Pod("steered"));

        Assert.Equal("clean", await cluster.WaitForNodeAsync(pod));
    }

    [Fact]
    public async Task HigherPriorityPod_IsScheduledFirst()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        await cluster.CreateNodeAsync("only", cpu: "1");
        var low = TestCluster.Pod("low", cpu: "800m");
        var high = TestCluster.Pod("high", cpu: "800m");
        await cluster.CreatePriorityClassAsync("high", 1000);
        high.Spec.PriorityClassName = "high";
        await cluster.CreatePodAsync(low);
        await cluster.CreatePodAsync(high);
        cluster.StartScheduler(new SchedulerOptions());

        Assert.Equal("only", await cluster.WaitForNodeAsync(high));
        await TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(low)).Any(e => e.Message ==
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
            "the low-priority pod's FailedScheduling event");
    }

    private static V1Affinity Required(params V1NodeSelectorRequirement[] requirements) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = requirements }],
            },
        },
    };
}
