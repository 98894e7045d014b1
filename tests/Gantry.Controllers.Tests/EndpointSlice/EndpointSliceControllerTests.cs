using Gantry.Client;
using Gantry.Controllers.EndpointSlice;
using Gantry.Controllers.Tests.Endpoints;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceControllerTests
{
    private static Task<TestCluster> StartAsync(int maxPerSlice = 100) =>
        TestCluster.StartAsync(c => new EndpointSliceController(c, new EndpointSliceOptions { MaxEndpointsPerSlice = maxPerSlice }));

    private static async Task<IList<V1EndpointSlice>> SlicesAsync(TestCluster cluster, string service) =>
        [.. (await cluster.Client.For<V1EndpointSlice>().ListAsync("default", new ListOptions { LabelSelector = $"kubernetes.io/service-name={service}" })).Items];

    private static async Task<IList<V1EndpointSlice>> SlicesWhenAsync(TestCluster cluster, string service, Func<IList<V1EndpointSlice>, bool> condition, string what)
    {
        IList<V1EndpointSlice> slices = [];
        await TestCluster.EventuallyAsync(async () => condition(slices = await SlicesAsync(cluster, service)), what);
        return slices;
    }

    [Fact]
    public async Task ASlice_ListsPodsWithConditionsNodeZoneTargetAndPorts()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateNodeAsync(cluster.Client, "node-1", zone: "zone-a");
        var service = await ServicePods.CreateServiceAsync(cluster.Client, "default", "web", "web", [ServicePods.Named()]);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "web-1", "web"), "10.42.0.11", ready: true);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "web-2", "web"), "10.42.0.12", ready: false);

        var slice = (await SlicesWhenAsync(cluster, "web", s => s.Count == 1 && s[0].Endpoints?.Count == 2, "a slice of two endpoints")).Single();

        Assert.Equal("IPv4", slice.AddressType);
        Assert.StartsWith("web-", slice.Metadata.Name);
        Assert.Equal(EndpointSliceController.ControllerName, slice.Metadata.Labels[EndpointSliceController.ManagedByLabel]);
        Assert.Equal("a", slice.Metadata.Labels["team"]);
        var owner = slice.Metadata.OwnerReferences.Single();
        Assert.Equal((service.Metadata.Uid, "Service", true), (owner.Uid, owner.Kind, owner.Controller == true));
        var port = slice.Ports.Single();
        Assert.Equal(("web", 8080, "TCP"), (port.Name, port.Port, port.Protocol));
        var ready = slice.Endpoints.Single(e => e.TargetRef.Name == "web-1");
        Assert.Equal(["10.42.0.11"], ready.Addresses);
        Assert.Equal((true, true, false), (ready.Conditions.Ready, ready.Conditions.Serving, ready.Conditions.Terminating));
        Assert.Equal(("node-1", "zone-a", "Pod"), (ready.NodeName, ready.Zone, ready.TargetRef.Kind));
        var unready = slice.Endpoints.Single(e => e.TargetRef.Name == "web-2");
        Assert.Equal((false, false, false), (unready.Conditions.Ready, unready.Conditions.Serving, unready.Conditions.Terminating));
    }

    [Fact]
    public async Task HundredAndOnePods_SplitIntoSlicesOfAtMostAHundred_AndAReadinessChangeTouchesOneSlice()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateNodeAsync(cluster.Client, "node-1");
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "big", "big", [ServicePods.Named()]);
        var pods = new List<V1Pod>();
        for (var i = 0; i < 101; i++)
            pods.Add(await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", $"big-{i:D3}", "big"), $"10.42.1.{i + 1}", ready: true));

        var slices = await SlicesWhenAsync(cluster, "big", s => s.Sum(x => x.Endpoints?.Count ?? 0) == 101, "101 endpoints");
        // Pods arrive one sync at a time, so how they spread depends on timing (as upstream); no slice exceeds 100.
        Assert.True(slices.Count >= 2);
        Assert.All(slices, s => Assert.InRange(s.Endpoints.Count, 1, 100));

        await ServicePods.RunAsync(cluster.Client, pods[50], "10.42.1.51", ready: false);
        var after = await SlicesWhenAsync(cluster, "big",
            s => s.SelectMany(x => x.Endpoints ?? []).Any(e => e.TargetRef.Name == "big-050" && e.Conditions.Ready == false), "big-050 not ready");

        // Same slices, and only the one holding the pod was written.
        Assert.Equal(slices.Select(s => s.Metadata.Uid).Order(), after.Select(s => s.Metadata.Uid).Order());
        var changed = after.Where(s => slices.Single(b => b.Metadata.Uid == s.Metadata.Uid).Metadata.ResourceVersion != s.Metadata.ResourceVersion).ToList();
        Assert.Single(changed);
    }

    [Fact]
    public async Task AServiceWithoutPods_GetsOnePlaceholder_AndOneWithoutSelectorGetsNone()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "empty", "nothing", [ServicePods.Named()]);
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "manual", null, [new V1ServicePort { Port = 80 }]);

        var placeholder = (await SlicesWhenAsync(cluster, "empty", s => s.Count == 1, "the placeholder slice")).Single();

        Assert.Empty(placeholder.Endpoints ?? []);
        Assert.Empty(placeholder.Ports ?? []);
        await Task.Delay(300);
        Assert.Empty(await SlicesAsync(cluster, "manual"));
    }

    [Fact]
    public async Task APodOnAMissingNode_IsLeftOut_UntilTheNodeAppears()
    {
        await using var cluster = await StartAsync();
        await ServicePods.CreateServiceAsync(cluster.Client, "default", "web", "web", [ServicePods.Named()]);
        await ServicePods.RunAsync(cluster.Client, await ServicePods.CreateAsync(cluster.Client, "default", "web-1", "web", node: "late"), "10.42.0.11", ready: true);
        await SlicesWhenAsync(cluster, "web", s => s.Count == 1, "the placeholder slice");
        Assert.Empty((await SlicesAsync(cluster, "web")).Single().Endpoints ?? []);

        await ServicePods.CreateNodeAsync(cluster.Client, "late");

        await SlicesWhenAsync(cluster, "web", s => s.Count == 1 && s[0].Endpoints?.Count == 1, "the pod's endpoint");
    }
}
