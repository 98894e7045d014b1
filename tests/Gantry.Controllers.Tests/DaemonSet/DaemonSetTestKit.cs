using Gantry.Client;
using Gantry.Controllers.DaemonSet;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.DaemonSet;

/// <summary>Builders and waits shared by the DaemonSet tests.</summary>
internal static class DaemonSetTestKit
{
    public const string Ns = "default";

    public static Task<TestCluster> StartAsync(DaemonSetOptions? options = null) =>
        TestCluster.StartAsync(new ControllerOptions { Workers = 2 }, c => new DaemonSetController(c, options));

    public static V1DaemonSet Agent(string image = "agent:1", IDictionary<string, string>? nodeSelector = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = Ns },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "agent", Image = image }], NodeSelector = nodeSelector },
            },
        },
    };

    /// <summary>Creates a Ready node with the given labels and taints.</summary>
    public static async Task<V1Node> NodeAsync(TestCluster cluster, string name, IDictionary<string, string>? labels = null, params V1Taint[] taints)
    {
        var node = await cluster.Client.For<V1Node>().CreateAsync(new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() },
            Spec = new V1NodeSpec { Taints = taints.Length > 0 ? taints : null },
        });
        node.Status ??= new V1NodeStatus();
        node.Status.Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }];
        return await cluster.Client.For<V1Node>().UpdateStatusAsync(node);
    }

    /// <summary>Changes a node (labels or taints) with conflict retries.</summary>
    public static async Task ChangeNodeAsync(TestCluster cluster, string name, Action<V1Node> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var node = (await cluster.Client.For<V1Node>().GetAsync(null, name))!;
            change(node);
            try
            {
                await cluster.Client.For<V1Node>().UpdateAsync(node);
                return;
            }
            catch (ConflictException) when (attempt < 5)
            {
            }
        }
    }

    public static async Task<IReadOnlyList<V1Pod>> PodsAsync(TestCluster cluster) =>
        (await cluster.Client.For<V1Pod>().ListAsync(Ns, new ListOptions { LabelSelector = "app=agent" })).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    /// <summary>The node each live pod is for, sorted.</summary>
    public static async Task<IReadOnlyList<string>> PodNodesAsync(TestCluster cluster) =>
        (await PodsAsync(cluster)).Select(p => TargetNode(p)).Order(StringComparer.Ordinal).ToList();

    public static string TargetNode(V1Pod pod) =>
        pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchFields.Single().Values.Single();

    /// <summary>Changes the daemon set's spec, retrying when the controller's status writes win the race.</summary>
    public static async Task ChangeSetAsync(TestCluster cluster, Action<V1DaemonSet> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var ds = await SetAsync(cluster);
            change(ds);
            try
            {
                await cluster.Client.For<V1DaemonSet>().UpdateAsync(ds);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    public static async Task<V1DaemonSet> SetAsync(TestCluster cluster) => (await cluster.Client.For<V1DaemonSet>().GetAsync(Ns, "agent"))!;

    /// <summary>Waits until the daemon pods sit on exactly these nodes.</summary>
    public static Task WaitForNodesAsync(TestCluster cluster, params string[] nodes) =>
        TestCluster.EventuallyAsync(async () => (await PodNodesAsync(cluster)).SequenceEqual(nodes), $"pods on [{string.Join(", ", nodes)}]");

    /// <summary>Marks every daemon pod ready as soon as it appears, until disposed (stands in for the node agents).</summary>
    public static IAsyncDisposable KeepReady(TestCluster cluster)
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    foreach (var pod in await PodsAsync(cluster))
                        if (pod.Status?.Phase != "Running") await cluster.MarkPodReadyAsync(pod);
                }
                catch (ApiClientException)
                {
                }
                catch (InvalidOperationException)
                {
                }
                await Task.Delay(50);
            }
        });
        return new Stopper(stop, loop);
    }

    private sealed class Stopper(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }
}
