using Gantry.Node.Runtime;

namespace Gantry.Node.Streaming;

/// <summary>Finds the runtime's sandbox and container instances of a pod's container from their labels.</summary>
internal sealed class ContainerLocator(IContainerRuntime runtime)
{
    /// <summary>The pod's current sandbox (ready first, then the newest), or null.</summary>
    public async Task<PodSandbox?> FindSandboxAsync(string ns, string pod, CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListPodSandboxesAsync(cancellationToken);
        return sandboxes
            .Where(s => s.Config.PodNamespace == ns && s.Config.PodName == pod)
            .OrderByDescending(s => s.Ready).ThenByDescending(s => s.Config.Attempt).ThenByDescending(s => s.CreatedAt)
            .FirstOrDefault();
    }

    /// <summary>The container's instances, newest attempt first.</summary>
    public async Task<List<ContainerStatus>> FindAttemptsAsync(string ns, string pod, string container, CancellationToken cancellationToken)
    {
        var sandboxIds = (await runtime.ListPodSandboxesAsync(cancellationToken))
            .Where(s => s.Config.PodNamespace == ns && s.Config.PodName == pod)
            .Select(s => s.Id)
            .ToHashSet(StringComparer.Ordinal);
        var containers = await runtime.ListContainersAsync(cancellationToken);
        return containers
            .Where(c => NameOf(c) == container && (sandboxIds.Contains(c.SandboxId) || BelongsTo(c, ns, pod)))
            .OrderByDescending(c => c.Attempt).ThenByDescending(c => c.CreatedAt)
            .ToList();
    }

    /// <summary>Whether a container instance still runs (log follow stops when it does not).</summary>
    public async Task<bool> IsRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListContainersAsync(cancellationToken);
        return containers.Any(c => c.Id == containerId && c.State == ContainerState.Running);
    }

    private static string NameOf(ContainerStatus c) =>
        c.Labels.TryGetValue(KubernetesLabels.ContainerName, out var name) ? name : c.Name;

    private static bool BelongsTo(ContainerStatus c, string ns, string pod) =>
        c.Labels.TryGetValue(KubernetesLabels.PodNamespace, out var n) && n == ns
        && c.Labels.TryGetValue(KubernetesLabels.PodName, out var p) && p == pod;
}
