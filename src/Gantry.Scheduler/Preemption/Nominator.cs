using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>
/// kube-scheduler's nominator: the pending pods nominated to a node (status.nominatedNodeName, or a nomination this
/// scheduler just made and has not seen written back yet), so that pods of lower priority do not take the room their
/// preemption is freeing. Thread-safe.
/// </summary>
internal sealed class Nominator(string schedulerName)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Node, PodEntry Entry)> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, PodEntry>> _byNode = new(StringComparer.Ordinal);
    private volatile int _count;

    /// <summary>True when no pod is nominated anywhere (the common case, which then costs nothing).</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The node the pod with <paramref name="uid"/> is nominated to, if any.</summary>
    public string? NodeOf(string uid)
    {
        lock (_lock) return _byUid.TryGetValue(uid, out var n) ? n.Node : null;
    }

    /// <summary>Nominates <paramref name="pod"/> to <paramref name="node"/> (replacing an earlier nomination).</summary>
    public void Nominate(V1Pod pod, string node)
    {
        var entry = PodEntry.Of(pod);
        lock (_lock)
        {
            RemoveLocked(pod.Metadata.Uid);
            _byUid[pod.Metadata.Uid] = (node, entry);
            if (!_byNode.TryGetValue(node, out var pods)) _byNode[node] = pods = new Dictionary<string, PodEntry>(StringComparer.Ordinal);
            pods[pod.Metadata.Uid] = entry;
            _count = _byUid.Count;
        }
    }

    /// <summary>Drops the nomination of the pod with <paramref name="uid"/>.</summary>
    public void Remove(string uid)
    {
        lock (_lock)
        {
            RemoveLocked(uid);
            _count = _byUid.Count;
        }
    }

    /// <summary>The pods nominated to <paramref name="node"/> whose priority passes <paramref name="include"/>.</summary>
    public List<PodEntry> On(string node, Func<PodEntry, bool> include)
    {
        lock (_lock)
        {
            return _byNode.TryGetValue(node, out var pods) ? pods.Values.Where(include).ToList() : [];
        }
    }

    /// <summary>Follows a pod the informer added.</summary>
    public void OnPodAdded(V1Pod pod)
    {
        if (IsWaiting(pod) && NominatedNode(pod) is { } node) Nominate(pod, node);
    }

    /// <summary>
    /// Follows a pod update. An update that neither had nor has status.nominatedNodeName keeps a nomination made in
    /// memory (it is being written); a pod bound, finishing or deleted is no longer nominated.
    /// </summary>
    public void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (!IsWaiting(pod))
        {
            Remove(pod.Metadata.Uid);
            return;
        }
        var node = NominatedNode(pod);
        if (node is null && NominatedNode(old) is null) node = NodeOf(pod.Metadata.Uid);
        if (node is null) Remove(pod.Metadata.Uid);
        else Nominate(pod, node);
    }

    /// <summary>Follows a deleted pod.</summary>
    public void OnPodDeleted(V1Pod pod) => Remove(pod.Metadata.Uid);

    private static string? NominatedNode(V1Pod pod) => string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? null : pod.Status.NominatedNodeName;

    private bool IsWaiting(V1Pod pod) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Metadata.DeletionTimestamp is null &&
        (pod.Spec.SchedulerName ?? "default-scheduler") == schedulerName && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private void RemoveLocked(string uid)
    {
        if (!_byUid.Remove(uid, out var current)) return;
        if (_byNode.TryGetValue(current.Node, out var pods) && pods.Remove(uid) && pods.Count == 0) _byNode.Remove(current.Node);
    }
}
