using Gantry.Client;
using Gantry.Client.Volumes;
using Gantry.Scheduler.Plugins;
using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests.VolumeBinding;

public sealed class VolumeBindingTests
{
    private static readonly SchedulerOptions Fast = new()
    {
        PodInitialBackoff = TimeSpan.FromMilliseconds(100),
        PodMaxBackoff = TimeSpan.FromMilliseconds(200),
        VolumeBinding = new VolumeBindingOptions { PollInterval = TimeSpan.FromMilliseconds(50) },
    };

    [Fact]
    public async Task APodWithAClaimBoundToALocalVolume_LandsOnTheVolumesNode()
    {
        await using var cluster = await StartAsync();
        var claim = await CreateClaimAsync(cluster, "data", "1Gi", "");
        await CreateVolumeAsync(cluster, "local-b", "1Gi", "", node: "node-b", claim: claim);
        await MarkBoundAsync(cluster, claim, "local-b");

        var pod = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("user"), "data"));

        Assert.Equal("node-b", await cluster.WaitForNodeAsync(pod));
    }

    [Fact]
    public async Task APodWhoseBoundVolumeFitsNoNode_ReportsAVolumeNodeAffinityConflict()
    {
        await using var cluster = await StartAsync();
        var claim = await CreateClaimAsync(cluster, "data", "1Gi", "");
        await CreateVolumeAsync(cluster, "elsewhere", "1Gi", "", node: "node-z", claim: claim);
        await MarkBoundAsync(cluster, claim, "elsewhere");

        var pod = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("stuck"), "data"));

        await WaitForFailedSchedulingAsync(cluster, pod, "0/3 nodes are available: 3 node(s) had volume node affinity conflict. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    }

    [Fact]
    public async Task MissingClaims_AndUnboundImmediateClaims_MakeThePodUnschedulable()
    {
        await using var cluster = await StartAsync();
        await CreateClaimAsync(cluster, "unbound", "1Gi", "");

        var missing = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("missing"), "nowhere"));
        var unbound = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("unbound"), "unbound"));

        await WaitForFailedSchedulingAsync(cluster, missing, "0/3 nodes are available: persistentvolumeclaim \"nowhere\" not found. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
        await WaitForFailedSchedulingAsync(cluster, unbound, "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");

        // Once the claim exists the pod is scheduled again (claim events move it back to the active queue).
        var claim = await CreateClaimAsync(cluster, "nowhere", "1Gi", "");
        await CreateVolumeAsync(cluster, "found", "1Gi", "", node: "node-c", claim: claim);
        await MarkBoundAsync(cluster, claim, "found");
        Assert.Equal("node-c", await cluster.WaitForNodeAsync(missing));
    }

    [Fact]
    public async Task AWaitForFirstConsumerClaim_GetsThePodsNode_AndThePodBindsOnceTheProvisionedVolumeIsBound()
    {
        await using var cluster = await StartAsync();
        await CreateClassAsync(cluster, "local-path", "gantry.io/local-path");
        var claim = await CreateClaimAsync(cluster, "scratch", "1Gi", "local-path");
        var pod = WithClaims(TestCluster.Pod("consumer"), "scratch");
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-b" };
        pod = await cluster.CreatePodAsync(pod);

        // The scheduler places the claim; the pod waits for the volume.
        V1PersistentVolumeClaim? placed = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            placed = await cluster.Client.For<V1PersistentVolumeClaim>().GetAsync("default", "scratch");
            return placed?.Metadata.Annotations?.ContainsKey(VolumeAnnotations.SelectedNode) == true;
        }, "the selected-node annotation");
        Assert.Equal("node-b", placed!.Metadata.Annotations[VolumeAnnotations.SelectedNode]);
        await Task.Delay(300);
        Assert.True(string.IsNullOrEmpty((await cluster.Client.For<V1Pod>().GetAsync("default", "consumer"))!.Spec.NodeName));

        // A provisioner makes a volume on that node, and the volume controller binds it.
        await CreateVolumeAsync(cluster, "pvc-" + claim.Metadata.Uid, "1Gi", "local-path", node: "node-b", claim: claim);
        await MarkBoundAsync(cluster, placed, "pvc-" + claim.Metadata.Uid);

        Assert.Equal("node-b", await cluster.WaitForNodeAsync(pod));
    }

    [Fact]
    public async Task AWaitForFirstConsumerClaim_IsBoundToTheSmallestStaticVolumeOnAFittingNode()
    {
        await using var cluster = await StartAsync();
        await CreateClassAsync(cluster, "local-storage", VolumeAnnotations.NoProvisioner);
        await CreateVolumeAsync(cluster, "small-on-a", "1Gi", "local-storage", node: "node-a");
        await CreateVolumeAsync(cluster, "large-on-b", "10Gi", "local-storage", node: "node-b");
        await CreateVolumeAsync(cluster, "medium-on-b", "3Gi", "local-storage", node: "node-b");
        var claim = await CreateClaimAsync(cluster, "logs", "2Gi", "local-storage");

        var pod = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("writer"), "logs"));

        // The scheduler binds the volume to the claim (claimRef); the volume controller finishes the claim's side.
        V1PersistentVolume? chosen = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            chosen = (await cluster.Client.For<V1PersistentVolume>().ListAsync(null)).Items.FirstOrDefault(v => v.Spec.ClaimRef is not null);
            return chosen is not null;
        }, "a volume bound to the claim");
        Assert.Equal("medium-on-b", chosen!.Metadata.Name);
        Assert.Equal(claim.Metadata.Uid, chosen.Spec.ClaimRef.Uid);
        Assert.Equal("yes", chosen.Metadata.Annotations[VolumeAnnotations.BoundByController]);
        await MarkBoundAsync(cluster, claim, "medium-on-b");

        Assert.Equal("node-b", await cluster.WaitForNodeAsync(pod));
    }

    [Fact]
    public async Task AClaimNeverBound_FailsBindingAfterTheBindTimeout()
    {
        await using var cluster = await StartAsync(Fast with { VolumeBinding = Fast.VolumeBinding with { BindTimeout = TimeSpan.FromMilliseconds(500) } });
        await CreateClassAsync(cluster, "local-path", "gantry.io/local-path");
        await CreateClaimAsync(cluster, "never", "1Gi", "local-path");

        var pod = await cluster.CreatePodAsync(WithClaims(TestCluster.Pod("patient"), "never"));

        await WaitForFailedSchedulingAsync(cluster, pod, "running PreBind plugin \"VolumeBinding\": binding volumes: context deadline exceeded");
        Assert.True(string.IsNullOrEmpty((await cluster.Client.For<V1Pod>().GetAsync("default", "patient"))!.Spec.NodeName));
    }

    private static async Task<TestCluster> StartAsync(SchedulerOptions? options = null)
    {
        var cluster = await TestCluster.StartAsync(options ?? Fast);
        foreach (var node in new[] { "node-a", "node-b", "node-c" }) await cluster.CreateNodeAsync(node);
        return cluster;
    }

    private static V1Pod WithClaims(V1Pod pod, params string[] claims)
    {
        pod.Spec.Volumes = claims.Select(c => new V1Volume { Name = c, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = c } }).ToList();
        return pod;
    }

    private static Task<V1StorageClass> CreateClassAsync(TestCluster cluster, string name, string provisioner) =>
        cluster.Client.For<V1StorageClass>().CreateAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = name }, Provisioner = provisioner, VolumeBindingMode = "WaitForFirstConsumer",
        });

    private static Task<V1PersistentVolumeClaim> CreateClaimAsync(TestCluster cluster, string name, string size, string storageClass) =>
        cluster.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) } },
                StorageClassName = storageClass,
            },
        });

    /// <summary>A local volume on <paramref name="node"/>, Available (or pre-bound to <paramref name="claim"/>).</summary>
    private static async Task<V1PersistentVolume> CreateVolumeAsync(TestCluster cluster, string name, string size, string storageClass, string node,
        V1PersistentVolumeClaim? claim = null)
    {
        var volume = await cluster.Client.For<V1PersistentVolume>().CreateAsync(new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = storageClass,
                Local = new V1LocalVolumeSource { Path = "/var/lib/gantry/storage/" + name },
                ClaimRef = claim is null ? null : new V1ObjectReference
                {
                    Kind = "PersistentVolumeClaim", NamespaceProperty = "default", Name = claim.Metadata.Name, Uid = claim.Metadata.Uid,
                },
                NodeAffinity = new V1VolumeNodeAffinity
                {
                    Required = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm
                            {
                                MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [node] }],
                            },
                        ],
                    },
                },
            },
        });
        volume.Status = new V1PersistentVolumeStatus { Phase = claim is null ? "Available" : "Bound" };
        return await cluster.Client.For<V1PersistentVolume>().UpdateStatusAsync(volume);
    }

    /// <summary>What the persistent volume controller does once a volume names the claim: the claim's side of the binding.</summary>
    private static async Task MarkBoundAsync(TestCluster cluster, V1PersistentVolumeClaim claim, string volume)
    {
        var claims = cluster.Client.For<V1PersistentVolumeClaim>();
        var current = await claims.GetAsync("default", claim.Metadata.Name) ?? throw new InvalidOperationException("claim vanished");
        current.Spec.VolumeName = volume;
        current.Metadata.Annotations ??= new Dictionary<string, string>();
        current.Metadata.Annotations[VolumeAnnotations.BindCompleted] = "yes";
        current = await claims.UpdateAsync(current);
        current.Status = new V1PersistentVolumeClaimStatus { Phase = "Bound" };
        await claims.UpdateStatusAsync(current);
    }

    private static Task WaitForFailedSchedulingAsync(TestCluster cluster, V1Pod pod, string message) =>
        TestCluster.EventuallyAsync(async () => (await cluster.EventsAsync(pod)).Any(e => e.Reason == "FailedScheduling" && e.Message == message),
            $"FailedScheduling \"{message}\" for {pod.Metadata.Name}");
}
