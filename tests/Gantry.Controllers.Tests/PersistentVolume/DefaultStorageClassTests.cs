using Gantry.Client.Volumes;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.PersistentVolume;

public sealed class DefaultStorageClassTests
{
    [Fact]
    public async Task AClaimWithoutAClass_GetsTheNewestDefaultClass_AndOtherClaimsKeepTheirs()
    {
        await using var cluster = await TestCluster.StartAsync();
        Assert.Null((await CreateClaimAsync(cluster, "before-any-default", null)).Spec.StorageClassName);

        await CreateClassAsync(cluster, "alpha", VolumeAnnotations.IsDefaultClass);
        await CreateClassAsync(cluster, "plain", null);
        // Creation times have whole seconds: the later default must be a second newer.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await CreateClassAsync(cluster, "zeta", VolumeAnnotations.BetaIsDefaultClass);

        Assert.Equal("zeta", (await CreateClaimAsync(cluster, "defaulted", null)).Spec.StorageClassName);
        Assert.Equal("plain", (await CreateClaimAsync(cluster, "named", "plain")).Spec.StorageClassName);
        Assert.Equal("", (await CreateClaimAsync(cluster, "no-class", "")).Spec.StorageClassName);
        var beta = await CreateClaimAsync(cluster, "beta-annotated", null,
            new Dictionary<string, string> { [VolumeAnnotations.BetaStorageClass] = "plain" });
        Assert.Null(beta.Spec.StorageClassName);
    }

    private static Task<V1StorageClass> CreateClassAsync(TestCluster cluster, string name, string? defaultAnnotation) =>
        cluster.Client.For<V1StorageClass>().CreateAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = defaultAnnotation is null ? null : new Dictionary<string, string> { [defaultAnnotation] = "true" },
            },
            Provisioner = "example.com/" + name,
        });

    private static Task<V1PersistentVolumeClaim> CreateClaimAsync(TestCluster cluster, string name, string? storageClass,
        IDictionary<string, string>? annotations = null) =>
        cluster.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Annotations = annotations },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
                StorageClassName = storageClass,
            },
        });
}
