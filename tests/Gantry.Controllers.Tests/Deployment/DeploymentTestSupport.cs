using Gantry.Client;
using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

/// <summary>Reads and edits the Deployments and ReplicaSets of one test cluster.</summary>
internal sealed class DeploymentTestSupport(ApiClient client)
{
    public IResourceClient<V1Deployment> Deployments => client.For<V1Deployment>();

    public IResourceClient<V1ReplicaSet> ReplicaSets => client.For<V1ReplicaSet>();

    public async Task<V1Deployment> GetAsync(string name) =>
        await Deployments.GetAsync("default", name) ?? throw new InvalidOperationException($"deployment {name} missing");

    /// <summary>The Deployment's ReplicaSets, oldest revision first.</summary>
    public async Task<List<V1ReplicaSet>> ReplicaSetsOfAsync(string name) =>
        [.. (await ReplicaSets.ListAsync("default", new ListOptions { LabelSelector = $"app={name}" })).Items.OrderBy(Revision)];

    public static long Revision(V1ReplicaSet rs) =>
        long.Parse(rs.Metadata.Annotations?[DeploymentAnnotations.Revision] ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    public static string Image(V1ReplicaSet rs) => rs.Spec.Template.Spec.Containers[0].Image;

    /// <summary>Edits the Deployment through a read-modify-write that retries on conflicts, as kubectl edit would.</summary>
    public async Task<V1Deployment> EditAsync(string name, Action<V1Deployment> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var d = await GetAsync(name);
            change(d);
            try { return await Deployments.UpdateAsync(d); }
            catch (ConflictException) when (attempt < 10) { }
        }
    }

    public Task<V1Deployment> SetImageAsync(string name, string image) => EditAsync(name, d => d.Spec.Template.Spec.Containers[0].Image = image);

    /// <summary>What `kubectl rollout status` waits for, plus the Progressing condition reporting completion.</summary>
    public async Task WaitForRolloutAsync(string name, TimeSpan? timeout = null) =>
        await TestCluster.EventuallyAsync(async () =>
        {
            var d = await GetAsync(name);
            var replicas = d.Spec.Replicas ?? 1;
            return d.Status?.ObservedGeneration >= d.Metadata.Generation && (d.Status.UpdatedReplicas ?? 0) == replicas
                && (d.Status.Replicas ?? 0) == replicas && (d.Status.AvailableReplicas ?? 0) == replicas
                && Condition(d, DeploymentConditions.Progressing)?.Reason == DeploymentConditions.NewReplicaSetAvailable;
        }, $"deployment {name} to roll out", timeout);

    public static V1DeploymentCondition? Condition(V1Deployment d, string type) => d.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Messages of the events recorded about the Deployment with that reason.</summary>
    public async Task<List<string>> EventMessagesAsync(string name, string reason) =>
        [.. (await client.For<Corev1Event>().ListAsync("default")).Items
            .Where(e => e.InvolvedObject.Name == name && e.InvolvedObject.Kind == "Deployment" && e.Reason == reason)
            .OrderBy(e => e.FirstTimestamp).Select(e => e.Message)];
}
