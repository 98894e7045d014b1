using Gantry.Controllers.EndpointSliceMirroring;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.EndpointSliceMirroring;

public sealed class MirrorPlannerTests
{
    private static V1Endpoints Endpoints(params string[] ips) => new()
    {
        Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "default", Uid = "uid-1" },
        Subsets = [new V1EndpointSubset { Ports = [new Corev1EndpointPort { Port = 80 }], Addresses = [.. ips.Select(ip => new V1EndpointAddress { Ip = ip })] }],
    };

    [Fact]
    public void AddressesThatAreNoIPs_AreSkippedAndCounted_AndOthersAreWrittenCanonically()
    {
        var plan = new MirrorPlanner(Endpoints("192.0.2.1", "bogus", "2001:DB8:0::1"), 1000).Plan([], out var skipped);

        Assert.Equal(new MirrorPlanner.Skipped(1, 0), skipped);
        Assert.Equal(["192.0.2.1", "2001:db8::1"], plan.Create.SelectMany(s => s.Endpoints).Select(e => e.Addresses.Single()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ASliceAlreadyHoldingTheEndpoints_IsLeftAlone_AndExtraSlicesOfItsGroupAreDeleted()
    {
        var endpoints = Endpoints("192.0.2.1");
        var first = new MirrorPlanner(endpoints, 1000).Plan([], out _).Create.Single();
        first.Metadata.Name = "db-abcde";
        var duplicate = new MirrorPlanner(endpoints, 1000).Plan([], out _).Create.Single();
        duplicate.Metadata.Name = "db-fghij";

        var plan = new MirrorPlanner(endpoints, 1000).Plan([first, duplicate], out _);

        Assert.Empty(plan.Create);
        Assert.Empty(plan.Update);
        Assert.Equal("db-fghij", Assert.Single(plan.Delete).Metadata.Name);
    }

    [Fact]
    public void ASliceWhosePortsAreGone_IsRecycledForTheNewPorts()
    {
        var old = new MirrorPlanner(Endpoints("192.0.2.1"), 1000).Plan([], out _).Create.Single();
        old.Metadata.Name = "db-abcde";
        var moved = Endpoints("192.0.2.1");
        moved.Subsets[0].Ports[0].Port = 8080;

        var plan = new MirrorPlanner(moved, 1000).Plan([old], out _);

        Assert.Empty(plan.Create);
        Assert.Empty(plan.Delete);
        var updated = Assert.Single(plan.Update);
        Assert.Equal(("db-abcde", 8080), (updated.Metadata.Name, updated.Ports.Single().Port));
    }
}
