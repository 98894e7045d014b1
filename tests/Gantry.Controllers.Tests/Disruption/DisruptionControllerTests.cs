using Gantry.Client;
using Gantry.Controllers.Disruption;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Disruption;

public sealed class DisruptionControllerTests
{
    private const string Ns = "default";

    private static Task<TestCluster> StartAsync(DisruptionOptions? options = null) =>
        TestCluster.StartAsync(new ControllerOptions(), c => new DisruptionController(c, options));

    private static async Task<V1Pod> ReadyPodAsync(TestCluster cluster, string name, V1OwnerReference? owner = null, bool ready = true)
    {
        var pod = await cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = Ns,
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences = owner is null ? null : [owner],
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        });
        return await cluster.MarkPodReadyAsync(pod, ready);
    }

    private static Task<V1PodDisruptionBudget> BudgetAsync(TestCluster cluster, IntOrString? minAvailable = null, IntOrString? maxUnavailable = null) =>
        cluster.Client.For<V1PodDisruptionBudget>().CreateAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "budget", NamespaceProperty = Ns },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = minAvailable,
                MaxUnavailable = maxUnavailable,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        });

    private static async Task<V1PodDisruptionBudgetStatus> StatusWhenAsync(TestCluster cluster, Func<V1PodDisruptionBudgetStatus, bool> condition, string what)
    {
        V1PodDisruptionBudgetStatus? status = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            status = (await cluster.Client.For<V1PodDisruptionBudget>().GetAsync(Ns, "budget"))?.Status;
            return status is not null && status.ObservedGeneration == 1 && condition(status);
        }, what, TimeSpan.FromSeconds(10));
        return status!;
    }

    private static V1OwnerReference Owner(k8s.IKubernetesObject<V1ObjectMeta> owner) => new()
    {
        ApiVersion = owner.ApiVersion,
        Kind = owner.Kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
    };

    private static async Task<V1ReplicaSet> ReplicaSetAsync(TestCluster cluster, string name, int replicas, V1OwnerReference? owner = null)
    {
        var created = await cluster.Client.For<V1ReplicaSet>().CreateAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, OwnerReferences = owner is null ? null : [owner] },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = Template(),
            },
        });
        created.ApiVersion = "apps/v1";
        created.Kind = "ReplicaSet";
        return created;
    }

    private static V1PodTemplateSpec Template() => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };

    [Fact]
    public async Task IntegerMinAvailable_CountsTheMatchingPods()
    {
        await using var cluster = await StartAsync();
        for (var i = 0; i < 3; i++) await ReadyPodAsync(cluster, $"web-{i}");
        await BudgetAsync(cluster, minAvailable: 2);

        var status = await StatusWhenAsync(cluster, s => s.CurrentHealthy == 3, "three healthy pods");
        Assert.Equal((3, 3, 2, 1), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("DisruptionAllowed", "True", "SufficientPods"), (condition.Type, condition.Status, condition.Reason));

        var pod = await cluster.Client.For<V1Pod>().GetAsync(Ns, "web-0");
        await cluster.MarkPodReadyAsync(pod!, ready: false);

        status = await StatusWhenAsync(cluster, s => s.CurrentHealthy == 2, "two healthy pods");
        Assert.Equal(0, status.DisruptionsAllowed);
        Assert.Equal(("False", "InsufficientPods"), (status.Conditions[0].Status, status.Conditions[0].Reason));
    }

    [Fact]
    public async Task PercentMinAvailable_CountsTheReplicasOfTheOwningReplicaSet()
    {
        await using var cluster = await StartAsync();
        var rs = await ReplicaSetAsync(cluster, "web", replicas: 4);
        await ReadyPodAsync(cluster, "web-a", Owner(rs));
        await ReadyPodAsync(cluster, "web-b", Owner(rs));
        await ReadyPodAsync(cluster, "web-c", Owner(rs));
        await BudgetAsync(cluster, minAvailable: "50%");

        var status = await StatusWhenAsync(cluster, s => s.CurrentHealthy == 3, "three healthy pods");

        Assert.Equal((4, 3, 2, 1), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
    }

    [Fact]
    public async Task PercentMaxUnavailable_CountsTheReplicasOfTheDeploymentBehindTheReplicaSets()
    {
        await using var cluster = await StartAsync();
        var deployment = await cluster.Client.For<V1Deployment>().CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec
            {
                Replicas = 5,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = Template(),
            },
        });
        deployment.ApiVersion = "apps/v1";
        deployment.Kind = "Deployment";
        var old = await ReplicaSetAsync(cluster, "web-old", 2, Owner(deployment));
        var current = await ReplicaSetAsync(cluster, "web-new", 3, Owner(deployment));
        await ReadyPodAsync(cluster, "web-1", Owner(old));
        await ReadyPodAsync(cluster, "web-2", Owner(old));
        await ReadyPodAsync(cluster, "web-3", Owner(current));
        await ReadyPodAsync(cluster, "web-4", Owner(current));
        await ReadyPodAsync(cluster, "web-5", Owner(current));
        await BudgetAsync(cluster, maxUnavailable: "30%");

        var status = await StatusWhenAsync(cluster, s => s.CurrentHealthy == 5, "five healthy pods");

        // 30% of 5 rounds up to 2 unavailable, so 3 must stay healthy.
        Assert.Equal((5, 5, 3, 2), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
    }

    [Fact]
    public async Task IntegerMaxUnavailable_WithAPodDown_AllowsNoMoreDisruption()
    {
        await using var cluster = await StartAsync();
        var rs = await ReplicaSetAsync(cluster, "web", replicas: 3);
        await ReadyPodAsync(cluster, "web-a", Owner(rs));
        await ReadyPodAsync(cluster, "web-b", Owner(rs));
        await ReadyPodAsync(cluster, "web-c", Owner(rs), ready: false);
        await BudgetAsync(cluster, maxUnavailable: 1);

        var status = await StatusWhenAsync(cluster, s => s.ExpectedPods == 3, "the expected pods");

        Assert.Equal((3, 2, 2, 0), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
    }

    [Fact]
    public async Task PercentBudgetOverUnmanagedPods_ExpectsNoneAndWarns()
    {
        await using var cluster = await StartAsync();
        await ReadyPodAsync(cluster, "loose");
        await BudgetAsync(cluster, maxUnavailable: "50%");

        var status = await StatusWhenAsync(cluster, s => s.CurrentHealthy == 1, "the healthy pod");

        Assert.Equal((0, 0), (status.ExpectedPods, status.DisruptionsAllowed));
        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items.Any(e => e.Reason == "UnmanagedPods"), "the UnmanagedPods event");
    }

    [Fact]
    public async Task StaleDisruptedPodEntries_AreDroppedAndThePodCountsAgain()
    {
        await using var cluster = await StartAsync(new DisruptionOptions { DeletionTimeout = TimeSpan.FromSeconds(1) });
        await ReadyPodAsync(cluster, "web-0");
        await ReadyPodAsync(cluster, "web-1");
        await BudgetAsync(cluster, minAvailable: 1);
        await StatusWhenAsync(cluster, s => s.DisruptionsAllowed == 1, "one disruption allowed");

        await cluster.Client.EvictAsync(Ns, "web-0");
        await TestCluster.EventuallyAsync(async () =>
        {
            // Plays an eviction the API server recorded but whose pod never went.
            var budget = await cluster.Client.For<V1PodDisruptionBudget>().GetAsync(Ns, "budget");
            budget!.Status.DisruptedPods = new Dictionary<string, DateTime?> { ["web-1"] = DateTime.UtcNow.AddSeconds(-5) };
            try { await cluster.Client.For<V1PodDisruptionBudget>().UpdateStatusAsync(budget); }
            catch (ConflictException) { return false; }
            return true;
        }, "recording a stale disruption");

        var status = await StatusWhenAsync(cluster, s => s.ExpectedPods == 1 && s.DisruptedPods is null or { Count: 0 }, "the stale entry to go");
        Assert.Equal((1, 1, 0), (status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items.Any(e => e.Reason == "NotDeleted"), "the NotDeleted event");
    }

    [Fact]
    public async Task StaleDisruptionTargetCondition_OfAPodNotBeingDeleted_IsResetToFalse()
    {
        await using var cluster = await StartAsync(new DisruptionOptions { StalePodDisruptionTimeout = TimeSpan.FromSeconds(1) });
        var pod = await ReadyPodAsync(cluster, "spared");
        pod.Status.Conditions.Add(new V1PodCondition
        {
            Type = "DisruptionTarget", Status = "True", Reason = "EvictionByEvictionAPI", Message = "Eviction API: evicting", LastTransitionTime = DateTime.UtcNow,
        });
        await cluster.Client.For<V1Pod>().UpdateStatusAsync(pod);

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Pod>().GetAsync(Ns, "spared"))!.Status.Conditions.Single(c => c.Type == "DisruptionTarget").Status == "False",
            "the condition to be reset");
    }
}
