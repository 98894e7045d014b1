using k8s.Models;

namespace Gantry.Node.Tests.Pods;

public sealed class NodeRegistrationTests
{
    [Fact]
    public async Task Agent_RegistersItsNode_WithCapacityInfoAndReadyCondition_AndRenewsItsLease()
    {
        await using var harness = await AgentHarness.StartAsync();
        var node = await harness.Client.For<V1Node>().GetAsync(null, AgentHarness.NodeName);
        Assert.NotNull(node);
        Assert.Equal(AgentHarness.NodeName, node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("amd64", node.Metadata.Labels["kubernetes.io/arch"]);
        Assert.Equal(new ResourceQuantity("4"), node.Status.Capacity["cpu"]);
        Assert.Equal(new ResourceQuantity("8388608Ki"), node.Status.Capacity["memory"]);
        Assert.Equal(new ResourceQuantity("110"), node.Status.Allocatable["pods"]);
        Assert.Equal(new ResourceQuantity("8286208Ki"), node.Status.Allocatable["memory"]);
        Assert.Equal("v1.32.0+gantry", node.Status.NodeInfo.KubeletVersion);
        Assert.Equal("runc://1.1.5", node.Status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal("6.1.0-test", node.Status.NodeInfo.KernelVersion);
        Assert.Equal(10250, node.Status.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Contains(node.Status.Addresses, a => a.Type == "InternalIP" && a.Address == "127.0.0.1");
        Assert.Contains(node.Status.Addresses, a => a.Type == "Hostname" && a.Address == AgentHarness.NodeName);
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("True", "KubeletReady", "kubelet is posting ready status"), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("KubeletHasSufficientMemory", node.Status.Conditions.Single(c => c.Type == "MemoryPressure").Reason);
        Assert.Equal("10.88.0.0/24", harness.Network.PodCidr);

        var lease = await harness.Client.For<V1Lease>().GetAsync("kube-node-lease", AgentHarness.NodeName);
        Assert.Equal(AgentHarness.NodeName, lease!.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(node.Metadata.Uid, lease.Metadata.OwnerReferences.Single().Uid);
        var first = lease.Spec.RenewTime;
        await Testing.Eventually.HoldsAsync(async () =>
            (await harness.Client.For<V1Lease>().GetAsync("kube-node-lease", AgentHarness.NodeName))!.Spec.RenewTime > first, "the lease to be renewed");
    }

    [Fact]
    public async Task NodeWithoutPodCidr_IsNotReady_UntilThePodCidrIsSet_ThenTurnsReadyWithoutWaitingAStatusPeriod()
    {
        // A status period far longer than the wait below: only the fast updates (the kubelet's fastStatusUpdateOnce) can
        // make the node Ready in time.
        await using var harness = await AgentHarness.StartAsync(o => o with { PodCidr = null, NodeStatusUpdateFrequency = TimeSpan.FromMinutes(10) });
        var nodes = harness.Client.For<V1Node>();
        var node = await nodes.GetAsync(null, AgentHarness.NodeName);
        var ready = node!.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "KubeletNotReady"), (ready.Status, ready.Reason));
        Assert.Null(harness.Network.PodCidr);

        node.Spec.PodCIDR = "10.42.7.0/24";
        node.Spec.PodCIDRs = ["10.42.7.0/24"];
        await nodes.UpdateAsync(node);
        await Testing.Eventually.HoldsAsync(async () =>
            (await nodes.GetAsync(null, AgentHarness.NodeName))!.Status.Conditions.Single(c => c.Type == "Ready").Status == "True", "the node to become Ready");
        Assert.Equal("10.42.7.0/24", harness.Network.PodCidr);
    }
}
