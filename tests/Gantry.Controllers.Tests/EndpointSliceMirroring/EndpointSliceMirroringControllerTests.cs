using Gantry.Client;
using Gantry.Controllers.EndpointSlice;
using Gantry.Controllers.EndpointSliceMirroring;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.EndpointSliceMirroring;

public sealed class EndpointSliceMirroringControllerTests
{
    private static Task<TestCluster> StartAsync(int maxPerSubset = 1000) =>
        TestCluster.StartAsync(c => new EndpointSliceMirroringController(c, new EndpointSliceMirroringOptions { MaxEndpointsPerSubset = maxPerSubset }));

    private static async Task<IList<V1EndpointSlice>> SlicesWhenAsync(TestCluster cluster, string service, Func<IList<V1EndpointSlice>, bool> condition, string what)
    {
        IList<V1EndpointSlice> slices = [];
        await TestCluster.EventuallyAsync(async () =>
        {
            slices = [.. (await cluster.Client.For<V1EndpointSlice>().ListAsync("default", new ListOptions { LabelSelector = $"kubernetes.io/service-name={service}" })).Items];
            return condition(slices);
        }, what);
        return slices;
    }

    private static Task<V1Service> ServiceAsync(TestCluster cluster, string name, IDictionary<string, string>? selector = null) =>
        cluster.Client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Selector = selector, Ports = [new V1ServicePort { Name = "db", Port = 5432, TargetPort = 5432 }] },
        }, "default");

    private static V1Endpoints Endpoints(string name, params V1EndpointSubset[] subsets) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Subsets = subsets };

    private static V1EndpointSubset Subset(int port, string[] ready, string[]? notReady = null, string portName = "db") => new()
    {
        Ports = [new Corev1EndpointPort { Name = portName, Port = port, Protocol = "TCP" }],
        Addresses = [.. ready.Select(ip => new V1EndpointAddress { Ip = ip })],
        NotReadyAddresses = notReady is null ? null : [.. notReady.Select(ip => new V1EndpointAddress { Ip = ip })],
    };

    [Fact]
    public async Task AServiceWithoutSelector_GetsItsUsersEndpointsMirroredIntoASlice()
    {
        await using var cluster = await StartAsync();
        await ServiceAsync(cluster, "db");
        var manual = Endpoints("db", Subset(5432, ["192.0.2.10", "192.0.2.11"], ["192.0.2.12"]));
        manual.Metadata.Labels = new Dictionary<string, string> { ["team"] = "data" };
        manual.Metadata.Annotations = new Dictionary<string, string>
        {
            ["note"] = "external database",
            ["endpoints.kubernetes.io/last-change-trigger-time"] = "2026-01-01T00:00:00Z",
        };
        manual.Subsets[0].Addresses[0].NodeName = "node-1";
        manual.Subsets[0].Addresses[0].Hostname = "primary";
        var endpoints = await cluster.Client.For<V1Endpoints>().CreateAsync(manual, "default");

        var slice = (await SlicesWhenAsync(cluster, "db", s => s.Count == 1, "one mirrored slice")).Single();

        Assert.StartsWith("db-", slice.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(("IPv4", EndpointSliceMirroringController.ControllerName, "data"),
            (slice.AddressType, slice.Metadata.Labels[EndpointSliceController.ManagedByLabel], slice.Metadata.Labels["team"]));
        Assert.Equal("external database", slice.Metadata.Annotations["note"]);
        Assert.False(slice.Metadata.Annotations.ContainsKey("endpoints.kubernetes.io/last-change-trigger-time"));
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("Endpoints", endpoints.Metadata.Uid, true), (owner.Kind, owner.Uid, owner.Controller == true));
        var port = Assert.Single(slice.Ports);
        Assert.Equal(("db", 5432, "TCP"), (port.Name, port.Port, port.Protocol));
        var byIp = slice.Endpoints.ToDictionary(e => e.Addresses.Single());
        Assert.Equal([true, true, false], new[] { "192.0.2.10", "192.0.2.11", "192.0.2.12" }.Select(ip => byIp[ip].Conditions.Ready == true));
        Assert.Equal(("node-1", "primary"), (byIp["192.0.2.10"].NodeName, byIp["192.0.2.10"].Hostname));
    }

    [Fact]
    public async Task ChangingTheEndpoints_UpdatesTheSameSlice_AndDeletingThemDeletesIt()
    {
        await using var cluster = await StartAsync();
        await ServiceAsync(cluster, "cache");
        var client = cluster.Client.For<V1Endpoints>();
        await client.CreateAsync(Endpoints("cache", Subset(6379, ["192.0.2.20"])), "default");
        var first = (await SlicesWhenAsync(cluster, "cache", s => s.Count == 1, "the first slice")).Single();

        var current = Assert.IsType<V1Endpoints>(await client.GetAsync("default", "cache"));
        current.Subsets = [Subset(6379, ["192.0.2.21", "192.0.2.22"])];
        await client.UpdateAsync(current);
        var updated = (await SlicesWhenAsync(cluster, "cache", s => s.Count == 1 && s[0].Endpoints?.Count == 2, "the slice to follow")).Single();
        Assert.Equal(first.Metadata.Name, updated.Metadata.Name);
        Assert.Equal(["192.0.2.21", "192.0.2.22"], updated.Endpoints.Select(e => e.Addresses.Single()).Order(StringComparer.Ordinal));

        await client.DeleteAsync("default", "cache");
        await SlicesWhenAsync(cluster, "cache", s => s.Count == 0, "the mirrored slice to go with its Endpoints");
    }

    [Fact]
    public async Task SubsetsWithOtherPortsOrFamilies_GetTheirOwnSlices()
    {
        await using var cluster = await StartAsync();
        await ServiceAsync(cluster, "multi");
        await cluster.Client.For<V1Endpoints>().CreateAsync(Endpoints("multi",
            Subset(80, ["192.0.2.30"], portName: "http"),
            Subset(443, ["192.0.2.31", "2001:db8::1"], portName: "https")), "default");

        var slices = await SlicesWhenAsync(cluster, "multi", s => s.Count == 3, "three slices");

        var http = slices.Single(s => s.Ports.Single().Name == "http");
        Assert.Equal(["192.0.2.30"], http.Endpoints.Select(e => e.Addresses.Single()));
        var https = slices.Where(s => s.Ports.Single().Name == "https").ToDictionary(s => s.AddressType);
        Assert.Equal("192.0.2.31", https["IPv4"].Endpoints.Single().Addresses.Single());
        Assert.Equal("2001:db8::1", https["IPv6"].Endpoints.Single().Addresses.Single());
    }

    [Fact]
    public async Task AddressesOverTheSubsetLimit_AreSkipped()
    {
        await using var cluster = await StartAsync(maxPerSubset: 2);
        await ServiceAsync(cluster, "capped");
        await cluster.Client.For<V1Endpoints>().CreateAsync(Endpoints("capped", Subset(80, ["192.0.2.40", "192.0.2.41"], ["192.0.2.42"])), "default");

        var slice = (await SlicesWhenAsync(cluster, "capped", s => s.Count == 1, "the capped slice")).Single();
        Assert.Equal(["192.0.2.40", "192.0.2.41"], slice.Endpoints.Select(e => e.Addresses.Single()).Order(StringComparer.Ordinal));
        await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<Corev1Event>().ListAsync("default")).Items
            .Any(e => e.Reason == "TooManyAddressesToMirror"), "the TooManyAddressesToMirror event");
    }

    [Fact]
    public async Task SkipMirrorLabels_SelectorsAndMissingServices_AreNotMirrored()
    {
        await using var cluster = await StartAsync();
        var endpoints = cluster.Client.For<V1Endpoints>();
        // Skip-mirror label.
        await ServiceAsync(cluster, "skipped");
        var skipped = Endpoints("skipped", Subset(80, ["192.0.2.50"]));
        skipped.Metadata.Labels = new Dictionary<string, string> { [EndpointSliceMirroringController.SkipMirrorLabel] = "true" };
        await endpoints.CreateAsync(skipped, "default");
        // No Service at all.
        await endpoints.CreateAsync(Endpoints("orphan", Subset(80, ["192.0.2.51"])), "default");
        // A Service without a selector, mirrored until the Service gains one.
        var service = await ServiceAsync(cluster, "gains-selector");
        await endpoints.CreateAsync(Endpoints("gains-selector", Subset(80, ["192.0.2.52"])), "default");
        await SlicesWhenAsync(cluster, "gains-selector", s => s.Count == 1, "the slice before the selector");

        service.Spec.Selector = new Dictionary<string, string> { ["app"] = "web" };
        await cluster.Client.For<V1Service>().UpdateAsync(service);

        await SlicesWhenAsync(cluster, "gains-selector", s => s.Count == 0, "the mirrored slice to go once the Service selects pods");
        var all = (await cluster.Client.For<V1EndpointSlice>().ListAsync("default")).Items;
        Assert.DoesNotContain(all, s => s.Metadata.Labels?[EndpointSliceController.ServiceNameLabel] is "skipped" or "orphan");
    }

    [Fact]
    public async Task AMirroredSliceDeletedByAUser_IsPutBack()
    {
        await using var cluster = await StartAsync();
        await ServiceAsync(cluster, "restored");
        await cluster.Client.For<V1Endpoints>().CreateAsync(Endpoints("restored", Subset(80, ["192.0.2.60"])), "default");
        var slice = (await SlicesWhenAsync(cluster, "restored", s => s.Count == 1, "the slice")).Single();

        await cluster.Client.For<V1EndpointSlice>().DeleteAsync("default", slice.Metadata.Name);

        await SlicesWhenAsync(cluster, "restored", s => s.Count == 1 && s[0].Metadata.Name != slice.Metadata.Name, "a new slice");
    }
}
