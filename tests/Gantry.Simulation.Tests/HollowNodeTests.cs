using Gantry.Client;
using k8s.Models;

namespace Gantry.Simulation.Tests;

public sealed class HollowNodeTests
{
    [Fact]
    public async Task HollowNodes_Register_StayReady_AndRunTheirPods()
    {
        await using var cluster = await SimulatedCluster.StartAsync(nodes: 2, leaseInterval: TimeSpan.FromMilliseconds(500));
        var node = await cluster.Client.For<V1Node>().GetAsync(null, "hollow-0");
        Assert.NotNull(node);
        Assert.Equal("hollow-0", node.Labels()["kubernetes.io/hostname"]);
        Assert.Equal("v1.32.0", node.Status.NodeInfo.KubeletVersion);
        Assert.Equal(new ResourceQuantity("4"), node.Status.Allocatable["cpu"]);
        Assert.Equal(new ResourceQuantity("110"), node.Status.Capacity["pods"]);
        var lease = await cluster.Client.For<V1Lease>().GetAsync("kube-node-lease", "hollow-0");
        Assert.Equal("hollow-0", lease!.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        var firstRenewal = lease.Spec.RenewTime;

        var pod = await cluster.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
        });
        V1Pod? running = null;
        await SimulatedCluster.EventuallyAsync(async () =>
        {
            running = await cluster.Client.For<V1Pod>().GetAsync("default", "web");
            return running?.Status?.Phase == "Running" && running.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True");
        }, "the pod to be scheduled and running");
        Assert.StartsWith("hollow-", running!.Spec.NodeName);
        Assert.StartsWith("10.", running.Status.PodIP);
        Assert.True(running.Status.ContainerStatuses.Single().Ready);
        Assert.Equal(("web", "nginx"), (running.Status.ContainerStatuses.Single().Name, running.Status.ContainerStatuses.Single().Image));
        Assert.NotNull(running.Status.ContainerStatuses.Single().State.Running);

        // Longer than the 3 s grace period: the leases keep the nodes Ready.
        await Task.Delay(SimulatedCluster.GracePeriod + TimeSpan.FromSeconds(1));
        var renewed = await cluster.Client.For<V1Lease>().GetAsync("kube-node-lease", "hollow-0");
        Assert.True(renewed!.Spec.RenewTime > firstRenewal);
        foreach (var name in new[] { "hollow-0", "hollow-1" })
        {
            var fresh = await cluster.Client.For<V1Node>().GetAsync(null, name);
            Assert.Equal("True", fresh!.Status.Conditions.Single(c => c.Type == "Ready").Status);
            Assert.DoesNotContain(fresh.Spec.Taints ?? [], t => t.Key == "node.kubernetes.io/unreachable");
        }

        // A delete is graceful while the pod is bound; the hollow node finishes it, as a kubelet does.
        await cluster.Client.For<V1Pod>().DeleteAsync("default", "web");
        await SimulatedCluster.EventuallyAsync(async () => await cluster.Client.For<V1Pod>().GetAsync("default", "web") is null,
            "the hollow node to finish the deletion");
    }

    [Fact]
    public async Task LiveHollowNode_RepostsReady_WhenItsConditionWasOverwritten()
    {
        await using var cluster = await SimulatedCluster.StartAsync(nodes: 2, leaseInterval: TimeSpan.FromMilliseconds(300));
        var nodes = cluster.Client.For<V1Node>();
        var node = (await nodes.GetAsync(null, "hollow-1"))!;
        node.Status.Conditions.Single(c => c.Type == "Ready").Status = "Unknown";
        await nodes.UpdateStatusAsync(node);

        await SimulatedCluster.EventuallyAsync(async () =>
        {
            var fresh = (await nodes.GetAsync(null, "hollow-1"))!;
            return fresh.Status.Conditions.Single(c => c.Type == "Ready").Status == "True"
                && fresh.Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/unreachable") != true;
        }, "the hollow node to report Ready again and lose any unreachable taint");
        var lease = await cluster.Client.For<V1Lease>().GetAsync("kube-node-lease", "hollow-1");
        Assert.Equal("Node", lease!.Metadata.OwnerReferences.Single().Kind);
    }
}
