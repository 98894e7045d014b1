using Gantry.Client.Volumes;
using Gantry.Controllers.PersistentVolume;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.PersistentVolume;

public sealed class PersistentVolumeControllerTests
{
    private static readonly PersistentVolumeOptions Fast = new() { SyncPeriod = TimeSpan.FromMilliseconds(500) };

    [Fact]
    public async Task AnImmediateClaim_IsBoundToTheSmallestMatchingVolume()
    {
        await using var cluster = await StartAsync();
        await CreateClassAsync(cluster, "manual", "Immediate");
        await CreateVolumeAsync(cluster, "big", "10Gi", "manual");
        await CreateVolumeAsync(cluster, "small", "2Gi", "manual");
        await CreateVolumeAsync(cluster, "too-small", "512Mi", "manual");
        await CreateVolumeAsync(cluster, "other-class", "1Gi", "fast");
        await CreateVolumeAsync(cluster, "read-only", "1Gi", "manual", modes: ["ReadOnlyMany"]);
        // Every volume known to the controller (it marks them Available) before the claim, or it may pick from fewer.
        foreach (var name in new[] { "big", "small", "too-small", "other-class", "read-only" })
            await WaitForVolumePhaseAsync(cluster, name, "Available");

        var claim = await CreateClaimAsync(cluster, "data", "1Gi", "manual");

        var bound = await WaitForClaimPhaseAsync(cluster, claim, "Bound");
        Assert.Equal("small", bound.Spec.VolumeName);
        Assert.Equal("yes", bound.Metadata.Annotations[VolumeAnnotations.BindCompleted]);
        Assert.Equal("yes", bound.Metadata.Annotations[VolumeAnnotations.BoundByController]);
        Assert.Equal("2Gi", bound.Status.Capacity["storage"].ToString());
        Assert.Equal(["ReadWriteOnce"], bound.Status.AccessModes);
        var volume = await WaitForVolumePhaseAsync(cluster, "small", "Bound");
        Assert.Equal(bound.Metadata.Uid, volume.Spec.ClaimRef.Uid);
        Assert.Equal("data", volume.Spec.ClaimRef.Name);
        Assert.Equal("Available", (await cluster.Client.For<V1PersistentVolume>().GetAsync(null, "big"))!.Status.Phase);
    }

    [Fact]
    public async Task PreBoundVolumesAndClaims_BindToEachOther()
    {
        await using var cluster = await StartAsync();
        await CreateVolumeAsync(cluster, "reserved", "5Gi", "", claimRef: new V1ObjectReference { NamespaceProperty = "default", Name = "wants-reserved" });
        await CreateVolumeAsync(cluster, "named", "5Gi", "");
        await CreateVolumeAsync(cluster, "smaller", "1Gi", "");

        var reservedFor = await CreateClaimAsync(cluster, "wants-reserved", "1Gi", "");
        var naming = await CreateClaimAsync(cluster, "names-volume", "1Gi", "", volumeName: "named");

        Assert.Equal("reserved", (await WaitForClaimPhaseAsync(cluster, reservedFor, "Bound")).Spec.VolumeName);
        var named = await WaitForClaimPhaseAsync(cluster, naming, "Bound");
        Assert.False(named.Metadata.Annotations.ContainsKey(VolumeAnnotations.BoundByController));
        var reserved = await WaitForVolumePhaseAsync(cluster, "reserved", "Bound");
        Assert.False(reserved.Metadata.Annotations?.ContainsKey(VolumeAnnotations.BoundByController) ?? false);
        Assert.Equal("Available", (await WaitForVolumePhaseAsync(cluster, "smaller", "Available")).Status.Phase);
    }

    [Fact]
    public async Task AClaimWithoutMatch_StaysPendingWithAnEvent()
    {
        await using var cluster = await StartAsync();
        var claim = await CreateClaimAsync(cluster, "lonely", "1Gi", "");

        await TestCluster.EventuallyAsync(async () => (await EventsAsync(cluster, "lonely")).Any(e =>
            e.Reason == "FailedBinding" && e.Message == "no persistent volumes available for this claim and no storage class is set"), "a FailedBinding event");
        Assert.Equal("Pending", (await cluster.Client.For<V1PersistentVolumeClaim>().GetAsync("default", "lonely"))!.Status.Phase);

        await CreateVolumeAsync(cluster, "late", "1Gi", "");
        Assert.Equal("late", (await WaitForClaimPhaseAsync(cluster, claim, "Bound")).Spec.VolumeName);
    }

    [Fact]
    public async Task DeletingTheClaim_ReleasesARetainedVolume_AndLeavesAProvisionedOneToItsProvisioner()
    {
        await using var cluster = await StartAsync();
        await CreateVolumeAsync(cluster, "kept", "1Gi", "", policy: "Retain");
        var claim = await CreateClaimAsync(cluster, "first", "1Gi", "");
        await WaitForClaimPhaseAsync(cluster, claim, "Bound");

        await cluster.Client.For<V1PersistentVolumeClaim>().DeleteAsync("default", "first");
        var released = await WaitForVolumePhaseAsync(cluster, "kept", "Released");
        Assert.Equal("first", released.Spec.ClaimRef.Name);

        // A static volume with reclaimPolicy Delete has no deleter: Failed, as in Kubernetes without a volume plugin.
        await CreateVolumeAsync(cluster, "static-delete", "1Gi", "", policy: "Delete");
        var second = await CreateClaimAsync(cluster, "second", "1Gi", "");
        await WaitForClaimPhaseAsync(cluster, second, "Bound");
        await cluster.Client.For<V1PersistentVolumeClaim>().DeleteAsync("default", "second");
        var failed = await WaitForVolumePhaseAsync(cluster, "static-delete", "Failed");
        Assert.Contains("no deletable volume plugin matched", failed.Status.Message);

        // A provisioned one stays Released for its provisioner, which deletes the data and then the volume.
        await CreateVolumeAsync(cluster, "provisioned", "1Gi", "", policy: "Delete",
            annotations: new Dictionary<string, string> { [VolumeAnnotations.ProvisionedBy] = "example.com/test" });
        var third = await CreateClaimAsync(cluster, "third", "1Gi", "");
        await WaitForClaimPhaseAsync(cluster, third, "Bound");
        await cluster.Client.For<V1PersistentVolumeClaim>().DeleteAsync("default", "third");
        await WaitForVolumePhaseAsync(cluster, "provisioned", "Released");
        await Task.Delay(Fast.SyncPeriod * 2);
        Assert.Equal("Released", (await cluster.Client.For<V1PersistentVolume>().GetAsync(null, "provisioned"))!.Status.Phase);
    }

    [Fact]
    public async Task DeletingTheVolumeOfABoundClaim_MakesTheClaimLost()
    {
        await using var cluster = await StartAsync();
        await CreateVolumeAsync(cluster, "doomed", "1Gi", "");
        var claim = await CreateClaimAsync(cluster, "orphan", "1Gi", "");
        await WaitForClaimPhaseAsync(cluster, claim, "Bound");

        await cluster.Client.For<V1PersistentVolume>().DeleteAsync(null, "doomed");

        await WaitForClaimPhaseAsync(cluster, claim, "Lost");
        // Events are recorded asynchronously, after the phase write.
        await TestCluster.EventuallyAsync(async () => (await EventsAsync(cluster, "orphan")).Any(e => e.Reason == "ClaimLost"), "a ClaimLost event");
    }

    [Fact]
    public async Task AWaitForFirstConsumerClaim_WaitsForTheScheduler_ThenIsHandedToItsProvisioner()
    {
        await using var cluster = await StartAsync();
        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1StorageClass>().GetAsync(null, "local-path") is not null,
            "the default local-path class");
        await CreateVolumeAsync(cluster, "unused", "5Gi", "local-path");
        var claim = await CreateClaimAsync(cluster, "delayed", "1Gi", "local-path");

        await TestCluster.EventuallyAsync(async () => (await EventsAsync(cluster, "delayed")).Any(e =>
            e.Reason == "WaitForFirstConsumer" && e.Message == "waiting for first consumer to be created before binding"), "a WaitForFirstConsumer event");
        Assert.Equal("Pending", (await cluster.Client.For<V1PersistentVolumeClaim>().GetAsync("default", "delayed"))!.Status.Phase);
        Assert.Equal("Available", (await cluster.Client.For<V1PersistentVolume>().GetAsync(null, "unused"))!.Status.Phase);

        // The scheduler picks a node for the first pod using the claim.
        await cluster.Client.For<V1PersistentVolumeClaim>().PatchAsync("default", "delayed", Gantry.Client.PatchType.Merge,
            new { metadata = new { annotations = new Dictionary<string, string> { [VolumeAnnotations.SelectedNode] = "node-a" } } });
        V1PersistentVolumeClaim? handedOver = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            handedOver = await cluster.Client.For<V1PersistentVolumeClaim>().GetAsync("default", "delayed");
            return handedOver?.Metadata.Annotations.ContainsKey(VolumeAnnotations.StorageProvisioner) == true;
        }, "the provisioner annotations");
        Assert.Equal(LocalPathStorageClass.Provisioner, handedOver!.Metadata.Annotations[VolumeAnnotations.StorageProvisioner]);
        Assert.Equal(LocalPathStorageClass.Provisioner, handedOver.Metadata.Annotations[VolumeAnnotations.BetaStorageProvisioner]);
        await TestCluster.EventuallyAsync(async () => (await EventsAsync(cluster, "delayed")).Any(e => e.Reason == "ExternalProvisioning"
            && e.Message.StartsWith("Waiting for a volume to be created either by the external provisioner 'gantry.io/local-path'", StringComparison.Ordinal)),
            "an ExternalProvisioning event");

        // The provisioner creates a volume pre-bound to the claim; the controller completes the binding.
        await CreateVolumeAsync(cluster, "pvc-" + handedOver.Metadata.Uid, "1Gi", "local-path", policy: "Delete",
            claimRef: new V1ObjectReference { Kind = "PersistentVolumeClaim", NamespaceProperty = "default", Name = "delayed", Uid = handedOver.Metadata.Uid },
            annotations: new Dictionary<string, string> { [VolumeAnnotations.ProvisionedBy] = LocalPathStorageClass.Provisioner });
        var bound = await WaitForClaimPhaseAsync(cluster, claim, "Bound");
        Assert.Equal("pvc-" + handedOver.Metadata.Uid, bound.Spec.VolumeName);
    }

    [Fact]
    public async Task TheDefaultClass_IsCreatedAtStart_AndGivenToClaimsWithoutAClass()
    {
        await using var cluster = await StartAsync();
        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1StorageClass>().GetAsync(null, "local-path") is not null,
            "the default local-path class");
        var local = await cluster.Client.For<V1StorageClass>().GetAsync(null, "local-path");
        Assert.Equal("gantry.io/local-path", local!.Provisioner);
        Assert.Equal("WaitForFirstConsumer", local.VolumeBindingMode);
        Assert.Equal("Delete", local.ReclaimPolicy);
        Assert.Equal("true", local.Metadata.Annotations[VolumeAnnotations.IsDefaultClass]);

        var defaulted = await CreateClaimAsync(cluster, "no-class", "1Gi", null);
        var explicitlyNone = await CreateClaimAsync(cluster, "empty-class", "1Gi", "");

        Assert.Equal("local-path", defaulted.Spec.StorageClassName);
        Assert.Equal("", explicitlyNone.Spec.StorageClassName);
    }

    private static Task<TestCluster> StartAsync() => TestCluster.StartAsync(c => new PersistentVolumeController(c, Fast));

    private static Task<V1StorageClass> CreateClassAsync(TestCluster cluster, string name, string mode) =>
        cluster.Client.For<V1StorageClass>().CreateAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = name }, Provisioner = VolumeAnnotations.NoProvisioner, VolumeBindingMode = mode,
        });

    internal static Task<V1PersistentVolume> CreateVolumeAsync(TestCluster cluster, string name, string size, string storageClass,
        string policy = "Retain", IList<string>? modes = null, V1ObjectReference? claimRef = null, IDictionary<string, string>? annotations = null) =>
        cluster.Client.For<V1PersistentVolume>().CreateAsync(new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
                AccessModes = modes ?? ["ReadWriteOnce"],
                StorageClassName = storageClass,
                PersistentVolumeReclaimPolicy = policy,
                ClaimRef = claimRef,
                HostPath = new V1HostPathVolumeSource { Path = "/tmp/" + name },
            },
        });

    private static Task<V1PersistentVolumeClaim> CreateClaimAsync(TestCluster cluster, string name, string size, string? storageClass, string? volumeName = null) =>
        cluster.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) } },
                StorageClassName = storageClass,
                VolumeName = volumeName,
            },
        });

    private static async Task<V1PersistentVolumeClaim> WaitForClaimPhaseAsync(TestCluster cluster, V1PersistentVolumeClaim claim, string phase)
    {
        V1PersistentVolumeClaim? current = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            current = await cluster.Client.For<V1PersistentVolumeClaim>().GetAsync("default", claim.Metadata.Name);
            return current?.Status?.Phase == phase;
        }, $"claim {claim.Metadata.Name} to be {phase}");
        return current!;
    }

    private static async Task<V1PersistentVolume> WaitForVolumePhaseAsync(TestCluster cluster, string name, string phase)
    {
        V1PersistentVolume? current = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            current = await cluster.Client.For<V1PersistentVolume>().GetAsync(null, name);
            return current?.Status?.Phase == phase;
        }, $"volume {name} to be {phase}");
        return current!;
    }

    private static async Task<IReadOnlyList<Corev1Event>> EventsAsync(TestCluster cluster, string name) =>
        (await cluster.Client.For<Corev1Event>().ListAsync("default")).Items.Where(e => e.InvolvedObject.Name == name).ToList();
}
