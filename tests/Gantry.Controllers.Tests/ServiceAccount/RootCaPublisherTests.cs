using Gantry.Client;
using Gantry.Controllers.ServiceAccount;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.ServiceAccount;

public sealed class RootCaPublisherTests
{
    [Fact]
    public async Task EveryNamespace_GetsTheClusterCaAsKubeRootCaCrt()
    {
        await using var cluster = await TestCluster.StartAsync();
        var options = RootCaPublisherOptions.FromKubeconfig(cluster.Kubeconfig);
        cluster.StartControllers(new ControllerOptions(), c => new RootCaPublisher(c, options));

        await cluster.Client.For<V1Namespace>().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });

        foreach (var ns in new[] { "default", "kube-system", "team-a" })
        {
            await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1ConfigMap>().GetAsync(ns, "kube-root-ca.crt") is not null,
                $"kube-root-ca.crt in {ns}");
        }
        var published = await cluster.Client.For<V1ConfigMap>().GetAsync("team-a", "kube-root-ca.crt");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", published!.Data["ca.crt"]);
        Assert.Equal(options.RootCaPem, published.Data["ca.crt"]);
        Assert.Contains("kubernetes.io/description", published.Metadata.Annotations.Keys);
    }

    [Fact]
    public async Task AnEditedOrDeletedKubeRootCaCrt_IsRestored()
    {
        await using var cluster = await TestCluster.StartAsync();
        var options = RootCaPublisherOptions.FromKubeconfig(cluster.Kubeconfig);
        cluster.StartControllers(new ControllerOptions(), c => new RootCaPublisher(c, options));
        var configMaps = cluster.Client.For<V1ConfigMap>();
        await TestCluster.EventuallyAsync(async () => await configMaps.GetAsync("default", "kube-root-ca.crt") is not null, "the published CA");

        await configMaps.PatchAsync("default", "kube-root-ca.crt", PatchType.Merge, """{"data":{"ca.crt":"tampered"}}""");
        await TestCluster.EventuallyAsync(async () => (await configMaps.GetAsync("default", "kube-root-ca.crt"))?.Data["ca.crt"] == options.RootCaPem,
            "the CA to be put back");

        await configMaps.DeleteAsync("default", "kube-root-ca.crt");
        await TestCluster.EventuallyAsync(async () => (await configMaps.GetAsync("default", "kube-root-ca.crt"))?.Data["ca.crt"] == options.RootCaPem,
            "the ConfigMap to be recreated");
    }
}
