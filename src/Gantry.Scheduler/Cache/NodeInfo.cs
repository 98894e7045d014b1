using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>
/// An immutable view of one node and the pods on it (bound or assumed), with the sums the plugins need. Built fresh when
/// the node or its pods change, so a scheduling cycle can read it without locks.
/// </summary>
internal sealed class NodeInfo
{
    /// <summary>
    /// Aggregates <paramref name="pods"/> on <paramref name="node"/>; <paramref name="allocatable"/> is the node's
    /// status.allocatable already summed (the cache keeps it per node: parsing quantities is not free; copied here).
    /// </summary>
    public NodeInfo(V1Node node, IReadOnlyList<PodEntry> pods, Resources? allocatable = null)
    {
        Node = node;
        Pods = pods;
        // What every cycle's filters and scores read of each node sits in this object and the ones allocated with it:
        // a cycle visits hundreds of nodes, and following each one's Node, spec and cache-wide allocatable cost a cache
        // miss apiece, the largest part of a cycle on a busy machine (bench/RESULTS.md, issue 5).
        Unschedulable = node.Spec?.Unschedulable == true;
        Taints = node.Spec?.Taints is { Count: > 0 } taints ? taints : null;
        Allocatable = allocatable?.Clone() ?? Resources.From(node.Status?.Allocatable);
        foreach (var p in pods)
        {
            Requested.Add(p.Requests.Requested);
            NonZeroRequested.Add(p.Requests.NonZero);
            UsedPorts.AddRange(p.Requests.Ports);
            if (p.Affinity is null) continue;
            PodsWithAffinity.Add(p);
            if (p.Affinity.RequiredAntiAffinity.Length > 0) PodsWithRequiredAntiAffinity.Add(p);
        }
    }

    /// <summary>The node.</summary>
    public V1Node Node { get; }

    /// <summary>spec.unschedulable (the node is cordoned).</summary>
    public bool Unschedulable { get; }

    /// <summary>spec.taints; null when the node has none.</summary>
    public IList<V1Taint>? Taints { get; }

    /// <summary>The node's name.</summary>
    public string Name => Node.Metadata.Name;

    /// <summary>Pods bound to or assumed on the node.</summary>
    public IReadOnlyList<PodEntry> Pods { get; }

    /// <summary>status.allocatable.</summary>
    public Resources Allocatable { get; }

    /// <summary>Sum of the pods' effective requests.</summary>
    public Resources Requested { get; } = new();

    /// <summary>Sum of the pods' requests with scoring defaults for missing cpu/memory.</summary>
    public Resources NonZeroRequested { get; } = new();

    /// <summary>Host ports in use.</summary>
    public List<HostPort> UsedPorts { get; } = [];

    /// <summary>The pods with pod affinity or pod anti-affinity (kube-scheduler's NodeInfo.PodsWithAffinity).</summary>
    public List<PodEntry> PodsWithAffinity { get; } = [];

    /// <summary>The pods with required pod anti-affinity terms (NodeInfo.PodsWithRequiredAntiAffinity).</summary>
    public List<PodEntry> PodsWithRequiredAntiAffinity { get; } = [];
}
