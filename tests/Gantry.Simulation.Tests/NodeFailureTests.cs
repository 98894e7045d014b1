using Gantry.Client;
using k8s.Models;

namespace Gantry.Simulation.Tests;

public sealed class NodeFailureTests
{
    private const string Unreachable = "node.kubernetes.io/unreachable";

    [Fact]
    public async Task SilentNode_IsTaintedUnreachable_AndItsPodsAreReplacedOnHealthyNodes()
    {
        var started = DateTime.UtcNow;
        await using var cluster = await SimulatedCluster.StartAsync(nodes: 3, leaseInterval: TimeSpan.FromMilliseconds(500));
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await cluster.Client.For<V1Deployment>().CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container { Name = "web", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } } }],
                        Tolerations = [new V1Toleration { Key = Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 }],
                    },
                },
            },
        });
        await SimulatedCluster.EventuallyAsync(async () => (await LivePods(cluster)).Count(IsRunningReady) == 3, "3 running pods");

        var victim = (await LivePods(cluster)).First().Spec.NodeName;
        var victimPods = (await LivePods(cluster)).Where(p => p.Spec.NodeName == victim).Select(p => p.Uid()).ToHashSet();
        cluster.Nodes.Nodes.Single(n => n.Name == victim).StopHeartbeats();

        await SimulatedCluster.EventuallyAsync(async () =>
        {
            var node = await cluster.Client.For<V1Node>().GetAsync(null, victim);
            return node!.Spec.Taints?.Any(t => t.Key == Unreachable && t.Effect == "NoExecute") == true
                && node.Status.Conditions.Single(c => c.Type == "Ready").Status == "Unknown";
        }, "the silent node to be tainted unreachable");

        await SimulatedCluster.EventuallyAsync(async () =>
        {
            var all = (await cluster.Client.For<V1Pod>().ListAsync("default")).Items;
            // A partitioned node cannot finish the deletion, so its evicted pods stay Terminating (as in Kubernetes).
            var evicted = victimPods.All(uid => all.FirstOrDefault(p => p.Uid() == uid) is not { } p || p.Metadata.DeletionTimestamp is not null);
            var live = all.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
            return evicted && live.Count == 3 && live.All(IsRunningReady) && live.All(p => p.Spec.NodeName != victim);
        }, "the evicted pods to be replaced on the healthy nodes", TimeSpan.FromSeconds(30));

        await SimulatedCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1Deployment>().GetAsync("default", "web"))!.Status?.ReadyReplicas == 3, "the deployment to report 3 ready replicas");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(45));
    }

    private static async Task<List<V1Pod>> LivePods(SimulatedCluster cluster) =>
        (await cluster.Client.For<V1Pod>().ListAsync("default")).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    private static bool IsRunningReady(V1Pod pod) =>
        pod.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Spec.NodeName)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
