using Gantry.Client;
using Gantry.Controllers.StatefulSet;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.StatefulSet;

/// <summary>Builders and waits shared by the StatefulSet tests.</summary>
internal static class StatefulSetTestKit
{
    public const string Ns = "default";

    public static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(new ControllerOptions { Workers = 2 }, c => new StatefulSetController(c));

    public static V1StatefulSet Web(int replicas, string policy = "OrderedReady", bool claims = false, string image = "nginx:1.25") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
        Spec = new V1StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "nginx",
            PodManagementPolicy = policy,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = image }] },
            },
            VolumeClaimTemplates = claims
                ?
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = "www" },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
                        },
                    },
                ]
                : null,
        },
    };

    public static async Task<V1Pod?> PodAsync(TestCluster cluster, string name) => await cluster.Client.For<V1Pod>().GetAsync(Ns, name);

    public static async Task<IReadOnlyList<V1Pod>> PodsAsync(TestCluster cluster) =>
        (await cluster.Client.For<V1Pod>().ListAsync(Ns, new ListOptions { LabelSelector = "app=web" })).Items.OrderBy(p => p.Metadata.Name).ToList();

    /// <summary>Changes the set's spec, retrying when the controller's status writes win the race.</summary>
    public static async Task ChangeSetAsync(TestCluster cluster, Action<V1StatefulSet> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var set = await SetAsync(cluster);
            change(set);
            try
            {
                await cluster.Client.For<V1StatefulSet>().UpdateAsync(set);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    public static async Task<V1StatefulSet> SetAsync(TestCluster cluster) =>
        (await cluster.Client.For<V1StatefulSet>().GetAsync(Ns, "web"))!;

    /// <summary>Waits for a pod to exist and marks it Running and Ready.</summary>
    public static async Task<V1Pod> ReadyAsync(TestCluster cluster, string name)
    {
        V1Pod? pod = null;
        await TestCluster.EventuallyAsync(async () => (pod = await PodAsync(cluster, name)) is not null, $"pod {name}");
        return await cluster.MarkPodReadyAsync(pod!);
    }

    /// <summary>Marks every pod of the set ready as soon as it appears, until disposed (stands in for a node agent).</summary>
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
                        if (pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase != "Running") await cluster.MarkPodReadyAsync(pod);
                }
                catch (ApiClientException)
                {
                    // The pod changed or went away under us: the next round sees the new state.
                }
                catch (InvalidOperationException)
                {
                }
                await Task.Delay(50);
            }
        });
        return new Stopper(stop, loop);
    }

    public static async Task<IReadOnlyList<string>> EventMessagesAsync(TestCluster cluster, string reason) =>
        (await cluster.Client.For<Corev1Event>().ListAsync(Ns)).Items
            .Where(e => e.InvolvedObject.Name == "web" && e.Reason == reason).Select(e => e.Message).ToList();

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
