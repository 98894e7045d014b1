using Gantry.Node.Volumes;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

public sealed class LocalPathProvisionerTests : VolumeTestBase
{
    [Fact]
    public async Task AClaimSelectedForThisNode_GetsALocalVolumeInItsDirectory_AndReleasedItIsDeleted()
    {
        await using var provisioner = new LocalPathProvisioner(Server.Client, Paths);
        using var stop = new CancellationTokenSource();
        var running = provisioner.RunAsync(stop.Token);
        try
        {
            await CreateClassAsync();
            var claim = await CreateClaimAsync("data", Paths.NodeName);
            await CreateClaimAsync("elsewhere", "other-node");
            var name = "pvc-" + claim.Metadata.Uid;

            V1PersistentVolume? volume = null;
            await Eventually.HoldsAsync(async () => (volume = await Server.Client.For<V1PersistentVolume>().GetAsync(null, name)) is not null, "the volume");

            var dir = Path.Combine(Paths.LocalVolumesDir, $"{name}_{Ns}_data");
            Assert.Equal(dir, volume!.Spec.Local.Path);
            Assert.True(Directory.Exists(dir));
            Assert.Equal("gantry.io/local-path", volume.Metadata.Annotations["pv.kubernetes.io/provisioned-by"]);
            Assert.Equal((claim.Metadata.Uid, Ns, "data"), (volume.Spec.ClaimRef.Uid, volume.Spec.ClaimRef.NamespaceProperty, volume.Spec.ClaimRef.Name));
            Assert.Equal("2Gi", volume.Spec.Capacity["storage"].ToString());
            Assert.Equal(["ReadWriteOnce"], volume.Spec.AccessModes);
            Assert.Equal(("Delete", "local-path"), (volume.Spec.PersistentVolumeReclaimPolicy, volume.Spec.StorageClassName));
            var term = Assert.Single(volume.Spec.NodeAffinity.Required.NodeSelectorTerms);
            var requirement = Assert.Single(term.MatchExpressions);
            Assert.Equal(("kubernetes.io/hostname", "In", Paths.NodeName), (requirement.Key, requirement.OperatorProperty, Assert.Single(requirement.Values)));
            await Eventually.HoldsAsync(async () => (await Server.Client.For<Corev1Event>().ListAsync(Ns)).Items
                .Any(e => e.Reason == "ProvisioningSucceeded" && e.InvolvedObject.Name == "data" && e.Message == $"Successfully provisioned volume {name}"),
                "the ProvisioningSucceeded event");
            Assert.Single((await Server.Client.For<V1PersistentVolume>().ListAsync(null)).Items);

            File.WriteAllText(Path.Combine(dir, "file"), "x");
            volume.Status = new V1PersistentVolumeStatus { Phase = "Released" };
            await Server.Client.For<V1PersistentVolume>().UpdateStatusAsync(volume);

            await Eventually.HoldsAsync(async () => await Server.Client.For<V1PersistentVolume>().GetAsync(null, name) is null, "the volume to be deleted");
            Assert.False(Directory.Exists(dir));
        }
        finally
        {
            await stop.CancelAsync();
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private Task<V1StorageClass> CreateClassAsync() => Server.Client.For<V1StorageClass>().CreateAsync(new V1StorageClass
    {
        Metadata = new V1ObjectMeta { Name = "local-path" }, Provisioner = LocalPathProvisioner.ProvisionerName, ReclaimPolicy = "Delete",
        VolumeBindingMode = "WaitForFirstConsumer",
    });

    private Task<V1PersistentVolumeClaim> CreateClaimAsync(string name, string node) => Server.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = Ns,
            Annotations = new Dictionary<string, string> { ["volume.kubernetes.io/selected-node"] = node },
        },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"], StorageClassName = "local-path",
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("2Gi") } },
        },
    });
}
