using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>Computes and writes a DaemonSet's status (Kubernetes' updateDaemonSetStatus).</summary>
internal sealed class DaemonSetStatusWriter(IApiClient client, Informer<V1DaemonSet> sets, TimeProvider time)
{
    /// <summary>Writes the status when it changed; returns when to look again for pods still becoming available.</summary>
    public async Task<TimeSpan?> UpdateAsync(V1DaemonSet ds, IReadOnlyList<V1Node> nodes, Dictionary<string, List<V1Pod>> nodeToPods, string hash,
        CancellationToken cancellationToken)
    {
        int desired = 0, scheduled = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
        var minReadySeconds = ds.Spec.MinReadySeconds ?? 0;
        var now = time.GetUtcNow();
        foreach (var node in nodes)
        {
            var shouldRun = NodeEligibility.Evaluate(node, ds).ShouldRun;
            var pods = nodeToPods.GetValueOrDefault(node.Metadata.Name) ?? [];
            if (!shouldRun)
            {
                if (pods.Count > 0) misscheduled++;
                continue;
            }
            desired++;
            if (pods.Count == 0) continue;
            scheduled++;
            var pod = DaemonPods.OldestFirst(pods)[0];
            if (PodHealth.IsReady(pod))
            {
                ready++;
                if (PodHealth.IsAvailable(pod, minReadySeconds, now)) available++;
            }
            if (DaemonPods.IsUpdated(pod, hash, ds.Metadata.Generation)) updated++;
        }
        var status = new V1DaemonSetStatus
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = scheduled,
            NumberMisscheduled = misscheduled,
            NumberReady = ready,
            UpdatedNumberScheduled = updated,
            NumberAvailable = available,
            NumberUnavailable = desired - available,
            ObservedGeneration = ds.Metadata.Generation,
            CollisionCount = ds.Status?.CollisionCount,
            Conditions = ds.Status?.Conditions,
        };
        if (!Same(ds.Status, status)) await WriteAsync(ds, status, cancellationToken);
        return minReadySeconds > 0 && ready != available ? TimeSpan.FromSeconds(minReadySeconds) : null;
    }

    private static bool Same(V1DaemonSetStatus? old, V1DaemonSetStatus status) =>
        old is not null && old.DesiredNumberScheduled == status.DesiredNumberScheduled && old.CurrentNumberScheduled == status.CurrentNumberScheduled &&
        old.NumberMisscheduled == status.NumberMisscheduled && old.NumberReady == status.NumberReady &&
        (old.UpdatedNumberScheduled ?? 0) == status.UpdatedNumberScheduled && (old.NumberAvailable ?? 0) == status.NumberAvailable &&
        (old.NumberUnavailable ?? 0) == status.NumberUnavailable && old.ObservedGeneration == status.ObservedGeneration;

    private async Task WriteAsync(V1DaemonSet ds, V1DaemonSetStatus status, CancellationToken cancellationToken)
    {
        var copy = ObjectCopy.DeepCopy(ds);
        for (var attempt = 0; ; attempt++)
        {
            status.CollisionCount = copy.Status?.CollisionCount;
            status.Conditions = copy.Status?.Conditions;
            copy.Status = status;
            try
            {
                var written = await client.For<V1DaemonSet>().UpdateStatusAsync(copy, cancellationToken);
                await CacheWait.UntilWrittenAsync(sets, written, cancellationToken);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
                copy = await client.For<V1DaemonSet>().GetAsync(ds.Metadata.NamespaceProperty, ds.Metadata.Name, cancellationToken);
                if (copy is null) return;
            }
        }
    }
}
