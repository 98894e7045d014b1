using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// Nodes and the pods on them, fed by the node and pod informers plus the pods this scheduler assumed (chosen a node for,
/// binding in flight) before the informer shows them bound. Thread-safe; <see cref="Snapshot"/> hands out immutable views.
/// </summary>
internal sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, bool Assumed)> _pods = new(StringComparer.Ordinal);

    /// <summary>The namespaces' labels, for the namespace selectors of pod affinity terms.</summary>
    public NamespaceIndex Namespaces { get; } = new();

    /// <summary>Adds or replaces a node.</summary>
    public void SetNode(V1Node node)
    {
        lock (_lock)
        {
            var state = State(node.Metadata.Name);
            state.Node = node;
            state.Info = null;
        }
    }

    /// <summary>Forgets a node (its pods stay accounted until they are deleted or rebound).</summary>
    public void RemoveNode(string name)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var state)) return;
            state.Node = null;
            state.Info = null;
            if (state.Pods.Count == 0) _nodes.Remove(name);
        }
    }

    /// <summary>
    /// Records a pod the informer shows: bound and not finished pods occupy their node (confirming an assumption);
    /// anything else is removed.
    /// </summary>
    public void SetPod(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        var node = pod.Spec?.NodeName;
        var occupies = !string.IsNullOrEmpty(node) && pod.Status?.Phase is not ("Succeeded" or "Failed");
        lock (_lock)
        {
            if (!occupies)
            {
                // A pod still pending in the informer keeps its assumption: the bind is in flight.
                if (!_pods.TryGetValue(key, out var current) || !current.Assumed || !string.IsNullOrEmpty(node)) RemoveLocked(key);
                return;
            }
            RemoveLocked(key);
            Place(key, node!, PodEntry.Of(pod), assumed: false);
        }
    }

    /// <summary>Removes a deleted pod.</summary>
    public void RemovePod(string key)
    {
        lock (_lock) RemoveLocked(key);
    }

    /// <summary>Counts <paramref name="pod"/> on <paramref name="nodeName"/> before the API confirms the binding.</summary>
    public void Assume(V1Pod pod, string nodeName)
    {
        var key = ObjectKey.Of(pod);
        lock (_lock)
        {
            RemoveLocked(key);
            Place(key, nodeName, PodEntry.Of(pod), assumed: true);
        }
    }

    /// <summary>Drops an assumption whose binding failed (no-op once the informer has confirmed or deleted the pod).</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(key, out var current) && current.Assumed) RemoveLocked(key);
        }
    }

    /// <summary>True while the pod is assumed and not yet seen bound.</summary>
    public bool IsAssumed(string key)
    {
        lock (_lock) return _pods.TryGetValue(key, out var current) && current.Assumed;
    }

    /// <summary>Every known node with its pods.</summary>
    public IReadOnlyList<NodeInfo> Snapshot()
    {
        lock (_lock)
        {
            var infos = new List<NodeInfo>(_nodes.Count);
            foreach (var state in _nodes.Values)
            {
                if (state.Node is null) continue;
                state.Info ??= new NodeInfo(state.Node, [.. state.Pods.Values]);
                infos.Add(state.Info);
            }
            return infos;
        }
    }

    private void Place(string key, string nodeName, PodEntry entry, bool assumed)
    {
        var state = State(nodeName);
        state.Pods[key] = entry;
        state.Info = null;
        _pods[key] = (nodeName, assumed);
    }

    private void RemoveLocked(string key)
    {
        if (!_pods.Remove(key, out var current) || !_nodes.TryGetValue(current.Node, out var state)) return;
        state.Pods.Remove(key);
        state.Info = null;
        if (state.Node is null && state.Pods.Count == 0) _nodes.Remove(current.Node);
    }

    private NodeState State(string name)
    {
        if (!_nodes.TryGetValue(name, out var state)) _nodes[name] = state = new NodeState();
        return state;
    }

    private sealed class NodeState
    {
        public V1Node? Node { get; set; }

        public Dictionary<string, PodEntry> Pods { get; } = new(StringComparer.Ordinal);

        public NodeInfo? Info { get; set; }
    }
}
