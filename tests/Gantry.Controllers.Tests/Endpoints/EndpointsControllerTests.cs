using Gantry.Controllers.Endpoints;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.Endpoints;

public sealed class EndpointsControllerTests
{
    private static Task<TestCluster> StartAsync() => TestCluster.StartAsync(c => new EndpointsController(c));

    private static async Task<V1Endpoints> EndpointsWhenAsync(TestCluster cluster, string name, Func<V1Endpoints, bool> condition, string what)
    {
        V1Endpoints? found = null;
        await TestCluster.EventuallyAsync(async () =>
        {
            found = await cluster.Client.For<V1Endpoints>().GetAsync("default", name);
            return found is not null && condition(found);
        }, what);
        return found!;
    }

    [Fact]
    public async Task ReadyAndUnreadyPods_AreListedAsAddressesAndNotReadyAddresses_WithTheNamedPortResolved()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "web", "web", [ServicePods.Named()]);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "web-1", "web"), "10.42.0.11", ready: true);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "web-2", "web"), "10.42.0.12", ready: false);
        await ServicePods.CreateAsync(cluster.Client, "default", "web-pending", "web");

        var endpoints = await EndpointsWhenAsync(cluster, "web", e => e.Subsets?.Count == 1 && e.Subsets[0].NotReadyAddresses?.Count == 1, "one ready and one unready address");

        var subset = endpoints.Subsets.Single();
        var ready = Assert.Single(subset.Addresses);
        Assert.Equal("10.42.0.11", ready.Ip);
        Assert.Equal("node-1", ready.NodeName);
        Assert.Equal("Pod", ready.TargetRef.Kind);
        Assert.Equal("web-1", ready.TargetRef.Name);
        Assert.Equal("10.42.0.12", subset.NotReadyAddresses.Single().Ip);
        var port = Assert.Single(subset.Ports);
        Assert.Equal(("web", 8080, "TCP"), (port.Name, port.Port, port.Protocol));
        Assert.Equal("a", endpoints.Metadata.Labels["team"]);
        Assert.True(endpoints.Metadata.Annotations.ContainsKey(EndpointRules.LastChangeTriggerTime));
    }

    [Fact]
    public async Task PodsServingANamedPortOnDifferentNumbers_GetOneSubsetEach()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "web", "web", [ServicePods.Named()]);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "a", "web", httpPort: 8080), "10.42.0.1", ready: true);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "b", "web", httpPort: 9090), "10.42.0.2", ready: true);

        var endpoints = await EndpointsWhenAsync(cluster, "web", e => e.Subsets?.Count == 2, "two subsets");

        Assert.Equal([8080, 9090], endpoints.Subsets.Select(s => s.Ports.Single().Port).Order());
    }

    [Fact]
    public async Task HeadlessService_PublishesHostnames_AndPublishNotReadyAddressesListsUnreadyPodsAsReady()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "db", "db", [ServicePods.Named()], clusterIp: "None", publishNotReady: true);
        var pod = await ServicePods.CreateAsync(cluster.Client, "default", "db-0", "db", hostname: "db-0", subdomain: "db");
        await ServicePods.RunAsync(cluster.Client, pod, "10.42.0.30", ready: false);

        var endpoints = await EndpointsWhenAsync(cluster, "db", e => e.Subsets?.Count == 1, "the db endpoints");

        var address = endpoints.Subsets[0].Addresses.Single();
        Assert.Equal("db-0", address.Hostname);
        Assert.Null(endpoints.Subsets[0].NotReadyAddresses);
        Assert.Equal("", endpoints.Metadata.Labels[EndpointRules.HeadlessLabel]);
    }

    [Fact]
    public async Task ServicesWithoutSelector_KeepTheirUsersEndpoints_AndDeletedServicesLoseTheirs()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "manual", null, [new V1ServicePort { Port = 80 }]);
        await cluster.Client.For<V1Endpoints>().CreateAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "manual", NamespaceProperty = "default" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "192.0.2.10" }], Ports = [new Corev1EndpointPort { Port = 80 }] }],
        }, "default");
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "web", "web", [ServicePods.Named()]);
        await EndpointsWhenAsync(cluster, "web", _ => true, "the web endpoints");

        await cluster.Client.For<V1Service>().DeleteAsync("default", "web");

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1Endpoints>().GetAsync("default", "web") is null, "the web endpoints gone");
        var manual = await cluster.Client.For<V1Endpoints>().GetAsync("default", "manual");
        Assert.Equal("192.0.2.10", manual!.Subsets.Single().Addresses.Single().Ip);
    }

    [Fact]
    public void MoreThanTheCapacity_KeepsReadyAddressesFirst_InProportionPerSubset()
    {
        static V1EndpointAddress Address(int i) => new() { Ip = $"10.42.{i / 250}.{i % 250}" };
        var subsets = new List<V1EndpointSubset>
        {
            new() { Addresses = Enumerable.Range(0, 600).Select(Address).ToList(), NotReadyAddresses = Enumerable.Range(600, 300).Select(Address).ToList() },
            new() { Addresses = Enumerable.Range(900, 200).Select(Address).ToList(), NotReadyAddresses = Enumerable.Range(1100, 100).Select(Address).ToList() },
        };

        Assert.True(EndpointSubsets.Truncate(subsets, 1000));

        // 800 ready fit; the 200 places left go to the 400 unready in proportion (150 + 50).
        Assert.Equal([600, 200], subsets.Select(s => s.Addresses.Count));
        Assert.Equal([150, 50], subsets.Select(s => s.NotReadyAddresses.Count));
        Assert.False(EndpointSubsets.Truncate(subsets, 1000));
    }

    [Fact]
    public void Repack_GroupsPortsOfferedByTheSameAddresses()
    {
        var a = new V1EndpointAddress { Ip = "10.0.0.1" };
        var b = new V1EndpointAddress { Ip = "10.0.0.2" };
        var http = new Corev1EndpointPort { Name = "http", Port = 80, Protocol = "TCP" };
        var metrics = new Corev1EndpointPort { Name = "metrics", Port = 9100, Protocol = "TCP" };

        var subsets = EndpointSubsets.Repack([new(a, [http], true), new(a, [metrics], true), new(b, [http], false)]);

        // http is offered by a (ready) and b (not ready); metrics by a alone.
        Assert.Equal(2, subsets.Count);
        var both = subsets.Single(s => s.NotReadyAddresses is not null);
        Assert.Equal("10.0.0.1", both.Addresses.Single().Ip);
        Assert.Equal("http", both.Ports.Single().Name);
        Assert.Equal("metrics", subsets.Single(s => s.NotReadyAddresses is null).Ports.Single().Name);
    }
}
