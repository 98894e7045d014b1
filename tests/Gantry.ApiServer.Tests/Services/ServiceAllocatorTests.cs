using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Gantry.ApiServer.Services;
using Gantry.Storage.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.ApiServer.Tests.Services;

public sealed class ServiceAllocatorTests
{
    private static readonly ResourceDefinition Services = ResourceRegistry.BuiltIn.Find("", "v1", "services")!;
    private static readonly ResourceDefinition Namespaces = ResourceRegistry.BuiltIn.Find("", "v1", "namespaces")!;

    private static ServiceAllocator NewAllocator(string cidr = "10.43.0.0/16", string ports = "30000-32767") =>
        new(ClusterIpRange.Parse(cidr), NodePortRange.Parse(ports), NullLogger.Instance);

    private static async Task<ResourceService> NewServiceAsync(MemoryStore store, ServiceAllocator allocator)
    {
        var service = new ResourceService(store, TimeProvider.System) { Services = allocator };
        try
        {
            await service.CreateAsync(Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, new WriteOptions(), CancellationToken.None);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
        }
        return service;
    }

    private static JsonObject Svc(string name, string type = "ClusterIP", string? clusterIp = null, int nodePort = 0)
    {
        var port = new JsonObject { ["port"] = 80 };
        if (nodePort != 0) port["nodePort"] = nodePort;
        var spec = new JsonObject { ["type"] = type, ["ports"] = new JsonArray(port), ["selector"] = new JsonObject { ["app"] = name } };
        if (clusterIp is not null) spec["clusterIP"] = clusterIp;
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    [Fact]
    public void ClusterIpRange_SkipsNetworkAndBroadcast_AndDrawsFromTheUpperBandFirst()
    {
        var range = ClusterIpRange.Parse("10.96.0.0/24");
        Assert.Equal(254, range.Size);
        Assert.Equal("10.96.0.1", range.HostAddress(1));
        Assert.NotNull(range.Allocate(IPAddress.Parse("10.96.0.0")));
        Assert.NotNull(range.Allocate(IPAddress.Parse("10.96.0.255")));
        // A /24 keeps min(max(16, 256/16), 256) = 16 addresses (.1-.16) for static allocation.
        for (var i = 0; i < 254 - 16; i++)
        {
            var ip = range.AllocateNext()!;
            Assert.True(ip.GetAddressBytes()[3] > 16, $"{ip} is in the static band");
        }
        var fromLowerBand = range.AllocateNext()!;
        Assert.InRange(fromLowerBand.GetAddressBytes()[3], 1, 16);
    }

    [Fact]
    public void Allocate_OfAUsedOrForeignAddress_ReturnsKubernetesMessages()
    {
        var range = ClusterIpRange.Parse("10.43.0.0/16");
        Assert.Null(range.Allocate(IPAddress.Parse("10.43.0.10")));
        Assert.Equal("provided IP is already allocated", range.Allocate(IPAddress.Parse("10.43.0.10")));
        Assert.Equal("the provided IP (10.44.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16", range.Allocate(IPAddress.Parse("10.44.0.1")));
        var ports = NodePortRange.Parse("30000-32767");
        Assert.Null(ports.Allocate(30080));
        Assert.Equal("provided port is already allocated", ports.Allocate(30080));
        Assert.Equal("provided port is not in the valid range. The range of valid ports is 30000-32767", ports.Allocate(80));
    }

    [Fact]
    public void NodePortRange_FillsEveryPortOnce_ThenReportsFull()
    {
        var ports = NodePortRange.Parse("30000-30099");
        var seen = new HashSet<int>();
        for (var i = 0; i < 100; i++) Assert.True(seen.Add(ports.AllocateNext()!.Value));
        Assert.Null(ports.AllocateNext());
        Assert.Equal(Enumerable.Range(30000, 100), seen.Order());
    }

    [Fact]
    public async Task ConcurrentCreates_NeverShareAClusterIpOrNodePort()
    {
        await using var store = new MemoryStore();
        // A tiny range makes collisions likely if allocation and write were not atomic.
        var allocator = NewAllocator("10.43.0.0/26", "30000-30099");
        var service = await NewServiceAsync(store, allocator);
        var created = new ConcurrentBag<JsonObject>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            created.Add(await service.CreateAsync(Services, "default", Svc($"s{i}", "NodePort"), new WriteOptions(), ct)));
        var ips = created.Select(s => (string)s["spec"]!["clusterIP"]!).ToList();
        var nodePorts = created.Select(s => (int)s["spec"]!["ports"]![0]!["nodePort"]!).ToList();
        Assert.Equal(60, ips.Distinct().Count());
        Assert.Equal(60, nodePorts.Distinct().Count());
        Assert.Equal(60, allocator.Ips.Used);
        Assert.Equal(60, allocator.Ports.Used);
    }

    [Fact]
    public async Task Rebuild_AfterRestart_KnowsEveryAllocation()
    {
        await using var store = new MemoryStore();
        var first = await NewServiceAsync(store, NewAllocator("10.43.0.0/27", "30000-30039"));
        for (var i = 0; i < 20; i++) await first.CreateAsync(Services, "default", Svc($"s{i}", "NodePort"), new WriteOptions(), CancellationToken.None);

        // A restarted server: a fresh allocator rebuilt from the stored Services.
        var allocator = NewAllocator("10.43.0.0/27", "30000-30039");
        await allocator.RepairAsync(store, Services, CancellationToken.None);
        Assert.Equal(20, allocator.Ips.Used);
        Assert.Equal(20, allocator.Ports.Used);
        var second = await NewServiceAsync(store, allocator);
        for (var i = 20; i < 30; i++) await second.CreateAsync(Services, "default", Svc($"s{i}", "NodePort"), new WriteOptions(), CancellationToken.None);
        var list = await store.ListAsync(Services.KeyPrefix, Gantry.Storage.ListRequest.All, CancellationToken.None);
        var all = list.Items.Select(v => JsonNode.Parse(v.Value.Span)!["spec"]!).ToList();
        Assert.Equal(30, all.Select(s => (string)s["clusterIP"]!).Distinct().Count());
        Assert.Equal(30, all.Select(s => (int)s["ports"]![0]!["nodePort"]!).Distinct().Count());
    }

    [Fact]
    public async Task Repair_LearnsOtherServersAllocations_AndFreesLeaksOnlyAfterThreePasses()
    {
        await using var store = new MemoryStore();
        var other = await NewServiceAsync(store, NewAllocator());
        await other.CreateAsync(Services, "default", Svc("theirs", "NodePort", "10.43.0.40", 30040), new WriteOptions(), CancellationToken.None);
        var allocator = NewAllocator();
        // A value this server reserved that no stored Service holds (a write that never landed).
        Assert.Null(allocator.Ips.Allocate(IPAddress.Parse("10.43.0.41")));

        await allocator.RepairAsync(store, Services, CancellationToken.None);
        Assert.True(allocator.Ips.Has(IPAddress.Parse("10.43.0.40")));
        Assert.True(allocator.Ports.Has(30040));
        await allocator.RepairAsync(store, Services, CancellationToken.None);
        Assert.True(allocator.Ips.Has(IPAddress.Parse("10.43.0.41")));
        await allocator.RepairAsync(store, Services, CancellationToken.None);

        Assert.False(allocator.Ips.Has(IPAddress.Parse("10.43.0.41")));
        Assert.True(allocator.Ips.Has(IPAddress.Parse("10.43.0.40")));
    }

    [Fact]
    public async Task FailedCreate_GivesItsAllocationBack()
    {
        await using var store = new MemoryStore();
        var allocator = NewAllocator();
        var service = await NewServiceAsync(store, allocator);
        await service.CreateAsync(Services, "default", Svc("taken", "NodePort"), new WriteOptions(), CancellationToken.None);
        var before = (allocator.Ips.Used, allocator.Ports.Used);

        await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(Services, "default", Svc("taken", "NodePort"), new WriteOptions(), CancellationToken.None));
        var invalid = Svc("bad-port", "NodePort");
        invalid["spec"]!["ports"]![0]!["port"] = 70000;
        await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(Services, "default", invalid, new WriteOptions(), CancellationToken.None));
        await service.CreateAsync(Services, "default", Svc("dry", "NodePort"), new WriteOptions { DryRun = true }, CancellationToken.None);

        Assert.Equal(before, (allocator.Ips.Used, allocator.Ports.Used));
    }

    [Fact]
    public async Task Delete_ReleasesTheClusterIpAndNodePorts()
    {
        await using var store = new MemoryStore();
        var allocator = NewAllocator();
        var service = await NewServiceAsync(store, allocator);
        var created = await service.CreateAsync(Services, "default", Svc("gone", "NodePort", "10.43.0.20", 30500), new WriteOptions(), CancellationToken.None);
        Assert.True(allocator.Ips.Has(IPAddress.Parse("10.43.0.20")));

        await service.DeleteAsync(Services, "default", "gone", new DeleteRequest(), CancellationToken.None);

        Assert.False(allocator.Ips.Has(IPAddress.Parse("10.43.0.20")));
        Assert.False(allocator.Ports.Has(30500));
        Assert.Equal("10.43.0.20", (string)created["spec"]!["clusterIP"]!);
    }
}
