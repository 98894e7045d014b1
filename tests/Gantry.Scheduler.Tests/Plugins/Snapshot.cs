using Gantry.Scheduler.Cache;
using Gantry.Scheduler.Framework;
using k8s.Models;

namespace Gantry.Scheduler.Tests.Plugins;

/// <summary>Hand-built nodes and pods for plugin tests, and a one-plugin framework to run over them.</summary>
internal static class Snapshot
{
    public static V1Node Node(string name, string? zone = null, IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null)
    {
        var set = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        if (zone is not null) set["topology.kubernetes.io/zone"] = zone;
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) set[k] = v;
        return new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = set }, Spec = new V1NodeSpec { Taints = taints } };
    }

    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, string ns = "default", V1Affinity? affinity = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "busybox" }], Affinity = affinity },
    };

    public static Dictionary<string, string> Labels(string key, string value) => new() { [key] = value };

    public static NodeInfo Info(V1Node node, params V1Pod[] pods) =>
        new(node, [.. pods.Select(p => { p.Spec.NodeName = node.Metadata.Name; return PodEntry.Of(p); })]);

    public static V1PodAffinityTerm Term(string key, string value, string topologyKey = "kubernetes.io/hostname") => new()
    {
        LabelSelector = new V1LabelSelector { MatchLabels = Labels(key, value) },
        TopologyKey = topologyKey,
    };

    /// <summary>PreFilter then Filter with only <paramref name="plugin"/>: each node's status by name.</summary>
    public static Dictionary<string, Status> Filter(IPlugin plugin, V1Pod pod, params NodeInfo[] nodes) => Filter(1, plugin, pod, nodes);

    /// <summary>Like <see cref="Filter(IPlugin, V1Pod, NodeInfo[])"/> with PreFilter aggregating on <paramref name="parallelism"/> threads.</summary>
    public static Dictionary<string, Status> Filter(int parallelism, IPlugin plugin, V1Pod pod, params NodeInfo[] nodes)
    {
        var framework = new SchedulingFramework(parallelism, [plugin]);
        var state = new CycleState(pod, PodRequests.Of(pod), nodes);
        framework.RunPreFilters(state);
        return nodes.ToDictionary(n => n.Name, n => framework.RunFilters(state, n));
    }

    /// <summary>PreScore, Score and Normalize of <paramref name="plugin"/> over all nodes (all feasible); null when it skips.</summary>
    public static Dictionary<string, long>? Score<T>(T plugin, V1Pod pod, params NodeInfo[] nodes) where T : IPreScorePlugin, IScorePlugin
    {
        var state = new CycleState(pod, PodRequests.Of(pod), nodes) { Parallelism = 4 };
        if (plugin.PreScore(state, nodes).Code == StatusCode.Skip) return null;
        var scores = nodes.Select(n => plugin.Score(state, pod, state.Requests, n)).ToArray();
        plugin.Normalize(state, nodes, scores);
        return nodes.Select((n, i) => (n.Name, scores[i])).ToDictionary(x => x.Name, x => x.Item2);
    }
}
