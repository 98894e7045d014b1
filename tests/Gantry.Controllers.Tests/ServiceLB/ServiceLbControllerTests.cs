using Gantry.Controllers.ServiceLB;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.ServiceLB;

public sealed class ServiceLbControllerTests
{
    [Fact]
    public async Task LoadBalancerService_GetsTheReadyNodesAddresses_AsVipIngress()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceLbController(c));
        await NodeAsync(cluster, "a", ready: true, internalIp: "192.0.2.2");
        await NodeAsync(cluster, "b", ready: true, internalIp: "192.0.2.1");
        await NodeAsync(cluster, "down", ready: false, internalIp: "192.0.2.9");
        await ServiceAsync(cluster, "web", "LoadBalancer");

        var ingress = await IngressAsync(cluster, "web", 2);

        Assert.Equal(["192.0.2.1", "192.0.2.2"], ingress.Select(i => i.Ip));
        Assert.All(ingress, i => Assert.Equal("VIP", i.IpMode));
    }

    [Fact]
    public async Task ANodeWithAnExternalIp_IsAnnouncedByIt_AndANodeTurningReadyIsAdded()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceLbController(c));
        await NodeAsync(cluster, "public", ready: true, internalIp: "10.0.0.1", externalIp: "198.51.100.7");
        await NodeAsync(cluster, "late", ready: false, internalIp: "10.0.0.2");
        await ServiceAsync(cluster, "web", "LoadBalancer");
        Assert.Equal(["198.51.100.7"], (await IngressAsync(cluster, "web", 1)).Select(i => i.Ip));

        await NodeAsync(cluster, "late", ready: true, internalIp: "10.0.0.2");

        Assert.Equal(["10.0.0.2", "198.51.100.7"], (await IngressAsync(cluster, "web", 2)).Select(i => i.Ip));
    }

    [Fact]
    public async Task WhenSomeNodeHasTheEnableLbLabel_OnlyLabelledNodesAreAnnounced()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceLbController(c));
        await NodeAsync(cluster, "plain", ready: true, internalIp: "192.0.2.1");
        await NodeAsync(cluster, "edge", ready: true, internalIp: "192.0.2.2", labels: new() { [ServiceLbController.EnableLbLabel] = "true" });
        await ServiceAsync(cluster, "web", "LoadBalancer");

        Assert.Equal(["192.0.2.2"], (await IngressAsync(cluster, "web", 1)).Select(i => i.Ip));
    }

    [Fact]
    public async Task AServiceChangedToClusterIp_LosesItsIngress_AndOtherTypesNeverGetOne()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceLbController(c));
        await NodeAsync(cluster, "a", ready: true, internalIp: "192.0.2.1");
        await ServiceAsync(cluster, "plain", "NodePort");
        await ServiceAsync(cluster, "web", "LoadBalancer");
        await IngressAsync(cluster, "web", 1);

        var web = (await cluster.Client.For<V1Service>().GetAsync("default", "web"))!;
        web.Spec.Type = "ClusterIP";
        foreach (var port in web.Spec.Ports) port.NodePort = null;
        await cluster.Client.For<V1Service>().UpdateAsync(web);

        await IngressAsync(cluster, "web", 0);
        Assert.Empty((await cluster.Client.For<V1Service>().GetAsync("default", "plain"))!.Status?.LoadBalancer?.Ingress ?? []);
    }

    private static async Task NodeAsync(TestCluster cluster, string name, bool ready, string internalIp, string? externalIp = null,
        Dictionary<string, string>? labels = null)
    {
        var nodes = cluster.Client.For<V1Node>();
        var node = await nodes.GetAsync(null, name) ?? await nodes.CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
        List<V1NodeAddress> addresses = [new V1NodeAddress { Type = "InternalIP", Address = internalIp }];
        if (externalIp is not null) addresses.Add(new V1NodeAddress { Type = "ExternalIP", Address = externalIp });
        node.Status = new V1NodeStatus
        {
            Addresses = addresses,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        };
        await nodes.UpdateStatusAsync(node);
    }

    private static Task ServiceAsync(TestCluster cluster, string name, string type) =>
        cluster.Client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Type = type, Selector = new Dictionary<string, string> { ["app"] = name }, Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");

    private static async Task<IList<V1LoadBalancerIngress>> IngressAsync(TestCluster cluster, string name, int count)
    {
        IList<V1LoadBalancerIngress> ingress = [];
        await TestCluster.EventuallyAsync(async () =>
        {
            ingress = (await cluster.Client.For<V1Service>().GetAsync("default", name))!.Status?.LoadBalancer?.Ingress ?? [];
            return ingress.Count == count;
        }, $"{count} ingress addresses on {name}");
        return ingress;
    }
}
