using System.Globalization;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>
/// The RollingUpdate strategy (Kubernetes' daemon rolling_update.go). Without surge, old pods are deleted (and then
/// replaced by the manage pass) while at most maxUnavailable daemon pods are unavailable; with maxSurge, new pods start
/// next to old ones on at most maxSurge nodes and an old pod is deleted once its replacement is available.
/// </summary>
internal static class DaemonSetRollout
{
    /// <summary>The old pods to delete and the nodes to start a new pod on in this pass.</summary>
    public static (List<V1Pod> Delete, List<string> Create) Plan(V1DaemonSet ds, IReadOnlyList<V1Node> nodes,
        Dictionary<string, List<V1Pod>> nodeToPods, string hash, DateTimeOffset now)
    {
        var (maxSurge, maxUnavailable) = Limits(ds, nodes, nodeToPods);
        var minReadySeconds = ds.Spec.MinReadySeconds ?? 0;
        var generation = ds.Metadata.Generation;
        var delete = new List<V1Pod>();
        var create = new List<string>();
        if (maxSurge == 0)
        {
            var unavailable = 0;
            var allowed = new List<V1Pod>();
            var candidates = new List<V1Pod>();
            foreach (var (_, pods) in nodeToPods.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!FindPods(pods, hash, generation, out var newPod, out var oldPod))
                {
                    unavailable++;
                    continue;
                }
                if ((oldPod is null) == (newPod is null))
                    unavailable++; // nothing yet, or both: the manage pass creates or prunes
                else if (newPod is not null)
                {
                    if (!PodHealth.IsAvailable(newPod, minReadySeconds, now)) unavailable++;
                }
                else if (!PodHealth.IsAvailable(oldPod!, minReadySeconds, now))
                    allowed.Add(oldPod!); // an unavailable old pod can always be replaced
                else if (unavailable < maxUnavailable)
                    candidates.Add(oldPod!);
            }
            var remaining = Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
            delete.AddRange(allowed);
            delete.AddRange(candidates.Take(remaining));
            return (delete, create);
        }

        var surged = 0;
        var allowedNodes = new List<string>();
        var candidateNodes = new List<string>();
        foreach (var (nodeName, pods) in nodeToPods.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!FindPods(pods, hash, generation, out var newPod, out var oldPod))
            {
                surged++;
                continue;
            }
            if (oldPod is null) continue;
            if (newPod is null)
            {
                if (!PodHealth.IsAvailable(oldPod, minReadySeconds, now)) allowedNodes.Add(nodeName);
                else if (surged < maxSurge) candidateNodes.Add(nodeName);
                continue;
            }
            if (!PodHealth.IsAvailable(newPod, minReadySeconds, now))
            {
                surged++;
                continue;
            }
            delete.Add(oldPod);
        }
        create.AddRange(allowedNodes);
        create.AddRange(candidateNodes.Take(Math.Clamp(maxSurge - surged, 0, candidateNodes.Count)));
        return (delete, create);
    }

    /// <summary>Whether the strategy lets new pods run next to old ones (RollingUpdate with a non-zero maxSurge).</summary>
    public static bool AllowsSurge(V1DaemonSet ds) =>
        ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate" && Scaled(ds.Spec.UpdateStrategy?.RollingUpdate?.MaxSurge, 1, 0) > 0;

    // maxSurge and maxUnavailable are counts or percentages of the nodes that should run the pod, rounded up.
    private static (int Surge, int Unavailable) Limits(V1DaemonSet ds, IReadOnlyList<V1Node> nodes, Dictionary<string, List<V1Pod>> nodeToPods)
    {
        var desired = 0;
        foreach (var node in nodes)
        {
            if (!NodeEligibility.Evaluate(node, ds).ShouldRun) continue;
            desired++;
            nodeToPods.TryAdd(node.Metadata.Name, []);
        }
        var rolling = ds.Spec.UpdateStrategy?.RollingUpdate;
        var unavailable = Scaled(rolling?.MaxUnavailable, desired, 1);
        var surge = Scaled(rolling?.MaxSurge, desired, 0);
        if (desired > 0 && unavailable == 0 && surge == 0) unavailable = 1;
        return (surge, unavailable);
    }

    private static int Scaled(IntOrString? value, int total, int fallback)
    {
        if (value?.Value is not { Length: > 0 } text) return fallback;
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], CultureInfo.InvariantCulture);
            return (int)Math.Ceiling(percent * total / 100.0);
        }
        return int.Parse(text, CultureInfo.InvariantCulture);
    }

    // The one new and one old pod on a node (terminating pods ignored); false when there are more, for manage to prune.
    private static bool FindPods(IEnumerable<V1Pod> pods, string hash, long? generation, out V1Pod? newPod, out V1Pod? oldPod)
    {
        newPod = null;
        oldPod = null;
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is not null) continue;
            if (DaemonPods.IsUpdated(pod, hash, generation))
            {
                if (newPod is not null) return false;
                newPod = pod;
            }
            else
            {
                if (oldPod is not null) return false;
                oldPod = pod;
            }
        }
        return true;
    }
}
