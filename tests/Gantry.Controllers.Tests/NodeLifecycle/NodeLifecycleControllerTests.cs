using Gantry.Client;
using Gantry.Controllers.NodeLifecycle;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.NodeLifecycle;

public sealed class NodeLifecycleControllerTests
{
    internal static readonly ControllerOptions Fast = new()
    {
        NodeMonitorGracePeriod = TimeSpan.FromSeconds(3),
        NodeMonitorPeriod = TimeSpan.FromMilliseconds(200),
    };

    private static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(Fast, c => new NodeLifecycleController(c), c => new TaintEvictionController(c));

    internal static async Task<V1Node> NodeAsync(TestCluster cluster, string name) =>
        await cluster.Client.For<V1Node>().GetAsync(null, name) ?? throw new InvalidOperationException("node vanished");

    internal static bool HasTaint(V1Node node, string key, string effect) => node.Spec?.Taints?.Any(t => t.Key == key && t.Effect == effect) ?? false;

    internal static Task<V1Pod> PodAsync(TestCluster cluster, string name, string? node, params V1Toleration[] tolerations) =>
        cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "c", Image = "busybox" }],
                Tolerations = tolerations.Length > 0 ? tolerations : null,
            },
        });

    internal static async Task<bool> GoneOrTerminatingAsync(TestCluster cluster, string name) =>
        await cluster.Client.For<V1Pod>().GetAsync("default", name) is not { Metadata.DeletionTimestamp: null };

    [Fact]
    public async Task NodeWhoseLeaseStops_GetsUnknownConditionsAndTheUnreachableTaints()
    {
        await using var cluster = await StartAsync();
        await using var healthy = await FakeNodeAgent.StartAsync(cluster.Client, "healthy");
        await using var dying = await FakeNodeAgent.StartAsync(cluster.Client, "dying");
        await Task.Delay(500);
        await dying.StopLeaseAsync();

        await TestCluster.EventuallyAsync(async () =>
        {
            var node = await NodeAsync(cluster, "dying");
            return HasTaint(node, "node.kubernetes.io/unreachable", "NoExecute") && HasTaint(node, "node.kubernetes.io/unreachable", "NoSchedule");
        }, "the unreachable taints", TimeSpan.FromSeconds(12));

        var dead = await NodeAsync(cluster, "dying");
        var ready = dead.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("Unknown", dead.Status.Conditions.Single(c => c.Type == "MemoryPressure").Status);
        var never = dead.Status.Conditions.Single(c => c.Type == "DiskPressure");
        Assert.Equal(("Unknown", "NodeStatusNeverUpdated"), (never.Status, never.Reason));
        Assert.NotNull(dead.Spec.Taints.Single(t => t.Effect == "NoExecute").TimeAdded);
        var alive = await NodeAsync(cluster, "healthy");
        Assert.Null(alive.Spec.Taints);
        Assert.Equal("True", alive.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task PodsOfAnUnreachableNode_AreMarkedNotReady_AndEvictedWhenTheirTolerationRunsOut()
    {
        await using var cluster = await StartAsync();
        await using var healthy = await FakeNodeAgent.StartAsync(cluster.Client, "healthy");
        await using var dying = await FakeNodeAgent.StartAsync(cluster.Client, "dying");
        var brief = await PodAsync(cluster, "brief", "dying",
            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 3 });
        var patient = await PodAsync(cluster, "patient", "dying");
        var zero = await PodAsync(cluster, "zero", "dying",
            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 0 });
        foreach (var pod in new[] { brief, patient, zero }) await cluster.MarkPodReadyAsync(pod);
        await dying.StopLeaseAsync();

        await TestCluster.EventuallyAsync(async () => HasTaint(await NodeAsync(cluster, "dying"), "node.kubernetes.io/unreachable", "NoExecute"),
            "the unreachable taint", TimeSpan.FromSeconds(12));
        var tainted = DateTime.UtcNow;
        await TestCluster.EventuallyAsync(() => GoneOrTerminatingAsync(cluster, "zero"), "the pod tolerating 0 s to go", TimeSpan.FromSeconds(5));
        var zeroNow = await cluster.Client.For<V1Pod>().GetAsync("default", "zero");
        Assert.Contains(zeroNow!.Status.Conditions, c => c.Type == "DisruptionTarget" && c.Reason == "DeletionByTaintManager");
        var patientNow = await cluster.Client.For<V1Pod>().GetAsync("default", "patient");
        Assert.Equal("False", patientNow!.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.False(await GoneOrTerminatingAsync(cluster, "brief"));

        await TestCluster.EventuallyAsync(() => GoneOrTerminatingAsync(cluster, "brief"), "the pod tolerating 3 s to go", TimeSpan.FromSeconds(8));
        Assert.True(DateTime.UtcNow - tainted >= TimeSpan.FromSeconds(2.5));
        Assert.False(await GoneOrTerminatingAsync(cluster, "patient"));
        var events = await cluster.Client.For<Corev1Event>().ListAsync("default");
        Assert.Contains(events.Items, e => e.Reason == "TaintManagerEviction" && e.Message == "Marking for deletion Pod default/brief");
    }

    [Fact]
    public async Task NodeThatComesBack_LosesItsTaints()
    {
        await using var cluster = await StartAsync();
        await using var healthy = await FakeNodeAgent.StartAsync(cluster.Client, "healthy");
        await using var flaky = await FakeNodeAgent.StartAsync(cluster.Client, "flaky");
        await flaky.StopLeaseAsync();
        await TestCluster.EventuallyAsync(async () => HasTaint(await NodeAsync(cluster, "flaky"), "node.kubernetes.io/unreachable", "NoExecute"),
            "the unreachable taint", TimeSpan.FromSeconds(12));

        flaky.ResumeLease();
        await flaky.PostReadyAsync(true);

        await TestCluster.EventuallyAsync(async () => (await NodeAsync(cluster, "flaky")).Spec.Taints is null or { Count: 0 },
            "the taints to go", TimeSpan.FromSeconds(12));
        Assert.Equal("True", (await NodeAsync(cluster, "flaky")).Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task NodeReportingNotReady_GetsTheNotReadyTaints_ButItsTolerantPodsStay()
    {
        await using var cluster = await StartAsync();
        await using var healthy = await FakeNodeAgent.StartAsync(cluster.Client, "healthy");
        await using var sick = await FakeNodeAgent.StartAsync(cluster.Client, "sick");
        await PodAsync(cluster, "web", "sick");
        await Task.Delay(1100);

        await sick.PostReadyAsync(false);

        await TestCluster.EventuallyAsync(async () =>
        {
            var node = await NodeAsync(cluster, "sick");
            return HasTaint(node, "node.kubernetes.io/not-ready", "NoExecute") && HasTaint(node, "node.kubernetes.io/not-ready", "NoSchedule");
        }, "the not-ready taints", TimeSpan.FromSeconds(12));
        Assert.False(HasTaint(await NodeAsync(cluster, "sick"), "node.kubernetes.io/unreachable", "NoExecute"));
        await Task.Delay(300);
        Assert.False(await GoneOrTerminatingAsync(cluster, "web"));
    }

    [Fact]
    public async Task WhenNoNodeIsReady_NoNodeGetsTheNoExecuteTaint()
    {
        await using var cluster = await StartAsync();
        await using var only = await FakeNodeAgent.StartAsync(cluster.Client, "only");
        await only.StopLeaseAsync();

        await TestCluster.EventuallyAsync(async () =>
        {
            var node = await NodeAsync(cluster, "only");
            return node.Status.Conditions.Single(c => c.Type == "Ready").Status == "Unknown"
                && HasTaint(node, "node.kubernetes.io/unreachable", "NoSchedule");
        }, "the node to be unknown", TimeSpan.FromSeconds(12));
        await Task.Delay(600);

        Assert.False(HasTaint(await NodeAsync(cluster, "only"), "node.kubernetes.io/unreachable", "NoExecute"));
    }

    [Fact]
    public async Task UnschedulableNode_GetsTheUnschedulableTaint()
    {
        await using var cluster = await StartAsync();
        await using var cordoned = await FakeNodeAgent.StartAsync(cluster.Client, "cordoned", unschedulable: true);

        await TestCluster.EventuallyAsync(async () => HasTaint(await NodeAsync(cluster, "cordoned"), "node.kubernetes.io/unschedulable", "NoSchedule"),
            "the unschedulable taint");
    }

    [Fact]
    public async Task NodeWithStableOsAndArchLabels_GetsTheBetaTwins()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.For<V1Node>().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = "labelled",
                Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "arm64", ["beta.kubernetes.io/arch"] = "amd64" },
            },
        });

        await TestCluster.EventuallyAsync(async () =>
        {
            var labels = (await NodeAsync(cluster, "labelled")).Metadata.Labels;
            return labels.TryGetValue("beta.kubernetes.io/os", out var os) && os == "linux" && labels["beta.kubernetes.io/arch"] == "arm64";
        }, "the beta labels");
    }
}
