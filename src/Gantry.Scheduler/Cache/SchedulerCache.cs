using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// Nodes and the pods on them, fed by the node and pod informers plus the pods this scheduler assumed (chosen a node for,
/// binding in flight) before the informer shows them bound. Thread-safe. Every change stamps the node with a new
/// generation and moves it to the head of a recency list, so <see cref="UpdateSnapshot"/> only rebuilds the nodes
/// changed since the snapshot's generation (kube-scheduler's UpdateSnapshot), not all of them per pod.
/// </summary>
internal sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, bool Assumed)> _pods = new(StringComparer.Ordinal);
    // Most recently changed first.
    private readonly LinkedList<NodeState> _recent = new();
    private long _generation;
    private int _nodeCount;

    /// <summary>The namespaces' labels, for the namespace selectors of pod affinity terms.</summary>
    public NamespaceIndex Namespaces { get; } = new();

    /// <summary>Adds or replaces a node.</summary>
    public void SetNode(V1Node node)
    {
        lock (_lock)
        {
            var state = State(node.Metadata.Name);
            if (state.Node is null) _nodeCount++;
            state.Node = node;
            state.Allocatable = Resources.From(node.Status?.Allocatable);
            Touch(state);
        }
    }

    /// <summary>Forgets a node (its pods stay accounted until they are deleted or rebound).</summary>
    public void RemoveNode(string name)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var state) || state.Node is null) return;
            state.Node = null;
            state.Allocatable = null;
            _nodeCount--;
            Touch(state);
            DropIfEmpty(state);
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
            // A pod's requests and host ports cannot change (pod updates may not touch them), so the same pod seen again
            // (bound, then each status write) keeps the requests computed when it was assumed or first seen: parsing
            // its quantities was most of the cost of following the pods' updates.
            var entry = Current(key) is { } known && known.Pod.Metadata.Uid == pod.Metadata.Uid
                ? new PodEntry(pod, known.Requests)
                : PodEntry.Of(pod);
            RemoveLocked(key);
            Place(key, node!, entry, assumed: false);
        }
    }

    private PodEntry? Current(string key) =>
        _pods.TryGetValue(key, out var current) && _nodes.TryGetValue(current.Node, out var state) ? state.Pods.GetValueOrDefault(key) : null;

    /// <summary>Removes a deleted pod.</summary>
    public void RemovePod(string key)
    {
        lock (_lock) RemoveLocked(key);
    }

    /// <summary>
    /// Counts <paramref name="pod"/> (with its <paramref name="requests"/>) on <paramref name="nodeName"/> before the API
    /// confirms the binding. The pod object is not changed: the cache knows the node.
    /// </summary>
    public void Assume(V1Pod pod, PodRequests requests, string nodeName)
    {
        var key = ObjectKey.Of(pod);
        lock (_lock)
        {
            RemoveLocked(key);
            Place(key, nodeName, new PodEntry(pod, requests), assumed: true);
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

    /// <summary>
    /// Brings <paramref name="snapshot"/> up to date: the nodes changed since its generation get a fresh NodeInfo; a
    /// node count that no longer matches (nodes deleted) rebuilds the whole list; the affinity lists are recomputed only
    /// when a changed node had or has pods with affinity.
    /// </summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            var rebuild = false;
            var affinityChanged = false;
            var changed = new List<NodeState>();
            for (var item = _recent.First; item is not null && item.Value.Generation > snapshot.Generation; item = item.Next) changed.Add(item.Value);
            // Oldest change first, so new nodes are appended in the order they came.
            for (var i = changed.Count - 1; i >= 0; i--)
            {
                var state = changed[i];
                if (state.Node is null)
                {
                    rebuild = true;
                    continue;
                }
                var info = Info(state);
                var old = snapshot.Set(info);
                if (old is null || old.PodsWithAffinity.Count > 0 || info.PodsWithAffinity.Count > 0) affinityChanged = true;
            }
            if (rebuild || snapshot.Nodes.Count != _nodeCount)
            {
                snapshot.Reset(_nodes.Values.Where(s => s.Node is not null).Select(Info));
                affinityChanged = true;
            }
            if (affinityChanged) snapshot.RebuildAffinityLists();
            snapshot.Generation = _generation;
        }
    }

    private static NodeInfo Info(NodeState state) => state.Info ??= new NodeInfo(state.Node!, [.. state.Pods.Values], state.Allocatable);

    private void Place(string key, string nodeName, PodEntry entry, bool assumed)
    {
        var state = State(nodeName);
        state.Pods[key] = entry;
        _pods[key] = (nodeName, assumed);
        Touch(state);
    }

    private void RemoveLocked(string key)
    {
        if (!_pods.Remove(key, out var current) || !_nodes.TryGetValue(current.Node, out var state)) return;
        state.Pods.Remove(key);
        Touch(state);
        DropIfEmpty(state);
    }

    private void DropIfEmpty(NodeState state)
    {
        if (state.Node is not null || state.Pods.Count > 0) return;
        _nodes.Remove(state.Name);
        _recent.Remove(state.Recent);
    }

    /// <summary>Marks the node changed: a new generation, first in the recency list, its NodeInfo to be rebuilt.</summary>
    private void Touch(NodeState state)
    {
        state.Info = null;
        state.Generation = ++_generation;
        if (state.Recent.List is not null) _recent.Remove(state.Recent);
        _recent.AddFirst(state.Recent);
    }

    private NodeState State(string name)
    {
        if (!_nodes.TryGetValue(name, out var state)) _nodes[name] = state = new NodeState(name);
        return state;
    }

    private sealed class NodeState
    {
        public NodeState(string name)
        {
            Name = name;
            Recent = new LinkedListNode<NodeState>(this);
        }

        public string Name { get; }

        public LinkedListNode<NodeState> Recent { get; }

        public long Generation { get; set; }

        public V1Node? Node { get; set; }

        public Resources? Allocatable { get; set; }

        public Dictionary<string, PodEntry> Pods { get; } = new(StringComparer.Ordinal);

        public NodeInfo? Info { get; set; }
    }
}
