using Gantry.Client;
using Gantry.Controllers.ReplicaSet;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.ReplicaSet;

/// <summary>Objects and queries the replica controller tests share.</summary>
internal static class ReplicaSetTestKit
{
    public const string Ns = "default";

    public static ControllerOptions Options { get; } = new() { Workers = 3 };

    public static Func<ControllerContext, IController> ReplicaSets { get; } = c => new ReplicaSetController(c);

    public static Func<ControllerContext, IController> ReplicationControllers { get; } = c => new ReplicationManager(c);

    public static V1PodTemplateSpec Template(string app) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app, ["tier"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx:1.27" }] },
    };

    public static V1ReplicaSet NewReplicaSet(string name, int replicas, int minReadySeconds = 0) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReadySeconds,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = Template(name),
        },
    };

    public static Task<V1ReplicaSet> CreateReplicaSetAsync(this TestCluster cluster, string name, int replicas, int minReadySeconds = 0) =>
        cluster.Client.For<V1ReplicaSet>().CreateAsync(NewReplicaSet(name, replicas, minReadySeconds));

    public static async Task<V1ReplicaSet> GetReplicaSetAsync(this TestCluster cluster, string name) =>
        await cluster.Client.For<V1ReplicaSet>().GetAsync(Ns, name) ?? throw new InvalidOperationException($"replicaset {name} is missing");

    public static Task ScaleAsync(this TestCluster cluster, string name, int replicas) => RetryOnConflictAsync(async () =>
    {
        var scale = await cluster.Client.For<V1ReplicaSet>().GetScaleAsync(Ns, name);
        scale.Spec.Replicas = replicas;
        await cluster.Client.For<V1ReplicaSet>().UpdateScaleAsync(Ns, name, scale);
    });

    /// <summary>
    /// Retries a write that raced the controller's status updates (the server answers 409 even to unconditional writes
    /// when another write lands between its read and its store).
    /// </summary>
    public static async Task RetryOnConflictAsync(Func<Task> write)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>Pods labelled app=<paramref name="app"/> that count as replicas (not finished, not being deleted).</summary>
    public static async Task<List<V1Pod>> ActivePodsAsync(this TestCluster cluster, string app)
    {
        var list = await cluster.Client.For<V1Pod>().ListAsync(Ns, new ListOptions { LabelSelector = $"app={app}" });
        return list.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
    }

    /// <summary>Every pod in the namespace (any label, any state).</summary>
    public static async Task<IReadOnlyList<V1Pod>> AllPodsAsync(this TestCluster cluster) =>
        (await cluster.Client.For<V1Pod>().ListAsync(Ns)).Items;

    public static async Task<List<Corev1Event>> EventsAboutAsync(this TestCluster cluster, string name, string reason)
    {
        var list = await cluster.Client.For<Corev1Event>().ListAsync(Ns);
        return list.Items.Where(e => e.InvolvedObject?.Name == name && e.Reason == reason).ToList();
    }

    /// <summary>Waits until exactly <paramref name="count"/> active pods carry app=<paramref name="app"/>.</summary>
    public static Task WaitForPodsAsync(this TestCluster cluster, string app, int count) =>
        TestCluster.EventuallyAsync(async () => (await cluster.ActivePodsAsync(app)).Count == count, $"{count} active pods of {app}");

    public static Task WaitForStatusAsync(this TestCluster cluster, string name, Func<V1ReplicaSetStatus, bool> condition, string what) =>
        TestCluster.EventuallyAsync(async () => (await cluster.GetReplicaSetAsync(name)).Status is { } s && condition(s), $"{name} status: {what}");

    public static V1Pod NewPod(string name, IDictionary<string, string> labels) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx:1.27" }] },
    };
}
