using System.Net;
using Gantry.Controllers.NodeIpam;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.NodeIpam;

public sealed class NodeIpamControllerTests
{
    [Fact]
    public async Task NewNodes_GetDistinctSlash24sOfTheClusterCidr()
    {
        await using var cluster = await TestCluster.StartAsync(c => new NodeIpamController(c));
        foreach (var name in new[] { "n1", "n2", "n3" }) await CreateNodeAsync(cluster, name);

        var cidrs = await PodCidrsAsync(cluster, "n1", "n2", "n3");

        Assert.Equal(3, cidrs.Distinct().Count());
        var clusterCidr = IPNetwork.Parse("10.42.0.0/16");
        Assert.All(cidrs, c => Assert.True(IPNetwork.Parse(c) is { PrefixLength: 24 } n && clusterCidr.Contains(n.BaseAddress), c));
        var node = await cluster.Client.For<V1Node>().GetAsync(null, "n1");
        Assert.Equal([node!.Spec.PodCIDR], node.Spec.PodCIDRs);
    }

    [Fact]
    public async Task AfterAControllerRestart_RangesOfExistingNodesAreNotGivenAgain()
    {
        await using var cluster = await TestCluster.StartAsync(c => new NodeIpamController(c));
        await CreateNodeAsync(cluster, "a");
        await CreateNodeAsync(cluster, "b");
        var before = await PodCidrsAsync(cluster, "a", "b");

        await cluster.StopControllersAsync();
        await CreateNodeAsync(cluster, "c");
        cluster.StartControllers(new ControllerOptions(), c => new NodeIpamController(c));
        await CreateNodeAsync(cluster, "d");

        var after = await PodCidrsAsync(cluster, "c", "d");
        Assert.Equal(4, before.Concat(after).Distinct().Count());
        Assert.Equal(before, await PodCidrsAsync(cluster, "a", "b"));
    }

    [Fact]
    public async Task WhenTheClusterCidrIsFull_TheNodeGetsCIDRNotAvailable_UntilADeletedNodeFreesItsRange()
    {
        var small = new NodeIpamOptions { ClusterCidr = "10.99.0.0/23", ServiceCidr = null };
        await using var cluster = await TestCluster.StartAsync(c => new NodeIpamController(c, small));
        await CreateNodeAsync(cluster, "first");
        await CreateNodeAsync(cluster, "second");
        var taken = await PodCidrsAsync(cluster, "first", "second");
        Assert.Equal(["10.99.0.0/24", "10.99.1.0/24"], taken.Order());

        await CreateNodeAsync(cluster, "third");
        await TestCluster.EventuallyAsync(async () => (await cluster.Client.For<Corev1Event>().ListAsync(null)).Items
            .Any(e => e.Reason == "CIDRNotAvailable" && e.InvolvedObject.Name == "third" && e.Message == "Node third status is now: CIDRNotAvailable"),
            "the CIDRNotAvailable event");
        Assert.Null((await cluster.Client.For<V1Node>().GetAsync(null, "third"))!.Spec?.PodCIDR);

        await cluster.Client.For<V1Node>().DeleteAsync(null, "first");

        Assert.Equal([taken[0]], await PodCidrsAsync(cluster, "third"));
    }

    [Fact]
    public async Task ServiceRangeInsideTheClusterCidr_IsNeverGivenToANode()
    {
        var options = new NodeIpamOptions { ClusterCidr = "10.98.0.0/23", ServiceCidr = "10.98.0.0/24" };
        await using var cluster = await TestCluster.StartAsync(c => new NodeIpamController(c, options));
        await CreateNodeAsync(cluster, "only");

        Assert.Equal(["10.98.1.0/24"], await PodCidrsAsync(cluster, "only"));
    }

    [Fact]
    public async Task FromTheCatalog_TheClusterCidrOfTheControllerOptionsIsUsed()
    {
        await using var cluster = await TestCluster.StartAsync(new ControllerOptions { ClusterCidr = "10.50.0.0/16" }, ControllerCatalog.All["nodeipam"]);
        await CreateNodeAsync(cluster, "n1");

        Assert.Equal(["10.50.0.0/24"], await PodCidrsAsync(cluster, "n1"));
    }

    private static Task<V1Node> CreateNodeAsync(TestCluster cluster, string name) =>
        cluster.Client.For<V1Node>().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });

    private static async Task<List<string>> PodCidrsAsync(TestCluster cluster, params string[] names)
    {
        var cidrs = new List<string>();
        foreach (var name in names)
        {
            string? cidr = null;
            await TestCluster.EventuallyAsync(async () => (cidr = (await cluster.Client.For<V1Node>().GetAsync(null, name))?.Spec?.PodCIDR) is not null,
                $"node {name} to get a podCIDR");
            cidrs.Add(cidr!);
        }
        return cidrs;
    }
}
