using System.Globalization;
using Gantry.Client;
using Gantry.Controllers.History;
using k8s.Models;

namespace Gantry.Controllers.DaemonSet;

/// <summary>How the DaemonSet controller builds and reads its pods (Kubernetes' daemon/util).</summary>
internal static class DaemonPods
{
    /// <summary>Label with the DaemonSet generation the pod was made from (deprecated in Kubernetes, still written).</summary>
    public const string TemplateGenerationLabel = "pod-template-generation";

    private const string NodeNameField = "metadata.name";

    // Every daemon pod tolerates the node conditions that would otherwise keep it off, or evict it from, its node.
    private static readonly (string Key, string Effect)[] DaemonTolerations =
    [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];

    /// <summary>The tolerations with the daemon tolerations added (replacing an equal one that differs only in seconds).</summary>
    public static List<V1Toleration> WithDaemonTolerations(IEnumerable<V1Toleration>? tolerations, bool hostNetwork)
    {
        var result = tolerations?.ToList() ?? [];
        var extra = DaemonTolerations.AsEnumerable();
        if (hostNetwork) extra = extra.Append(("node.kubernetes.io/network-unavailable", "NoSchedule"));
        foreach (var (key, effect) in extra)
        {
            var toleration = new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = effect };
            var index = result.FindIndex(t => t.Key == key && t.Effect == effect && t.OperatorProperty == "Exists" && string.IsNullOrEmpty(t.Value));
            if (index < 0) result.Add(toleration);
            else if (result[index].TolerationSeconds is not null) result[index] = toleration;
        }
        return result;
    }

    /// <summary>
    /// A new daemon pod for a node: the template with the daemon tolerations, the revision labels, and a required node
    /// affinity on <c>metadata.name</c> so the scheduler binds it to that node (no nodeName is set).
    /// </summary>
    public static V1Pod NewPod(V1DaemonSet ds, string nodeName, string hash)
    {
        var template = ds.Spec.Template;
        var spec = ObjectCopy.DeepCopy(template.Spec);
        spec.Tolerations = WithDaemonTolerations(spec.Tolerations, spec.HostNetwork == true);
        spec.Affinity = ReplaceNodeNameAffinity(spec.Affinity, nodeName);
        var labels = template.Metadata?.Labels is { } templateLabels ? new Dictionary<string, string>(templateLabels) : new Dictionary<string, string>();
        labels[TemplateGenerationLabel] = (ds.Metadata.Generation ?? 0).ToString(CultureInfo.InvariantCulture);
        labels[ControllerRevisionData.RevisionLabel] = hash;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = ds.Metadata.Name + "-",
                NamespaceProperty = ds.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                Finalizers = template.Metadata?.Finalizers is { } finalizers ? [.. finalizers] : null,
                OwnerReferences = [OwnerReferences.ControllerRef(ds, "apps/v1", "DaemonSet")],
            },
            Spec = spec,
        };
    }

    /// <summary>The affinity with its required node terms replaced by one term matching the node's name.</summary>
    public static V1Affinity ReplaceNodeNameAffinity(V1Affinity? affinity, string nodeName)
    {
        var term = new V1NodeSelectorTerm
        {
            MatchFields = [new V1NodeSelectorRequirement { Key = NodeNameField, OperatorProperty = "In", Values = [nodeName] }],
        };
        affinity ??= new V1Affinity();
        affinity.NodeAffinity ??= new V1NodeAffinity();
        affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution ??= new V1NodeSelector();
        affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms = [term];
        return affinity;
    }

    /// <summary>The node a daemon pod is for: its nodeName once bound, else the node its affinity names; null if neither.</summary>
    public static string? TargetNode(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) return pod.Spec.NodeName;
        var terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        return terms?.SelectMany(t => t.MatchFields ?? [])
            .FirstOrDefault(r => r.Key == NodeNameField && r.OperatorProperty == "In" && r.Values?.Count == 1)?.Values[0];
    }

    /// <summary>Whether the pod was made from the current template (its revision hash or template generation matches).</summary>
    public static bool IsUpdated(V1Pod pod, string hash, long? generation)
    {
        var labels = pod.Metadata.Labels;
        if (labels is null) return false;
        var hashMatches = hash.Length > 0 && labels.TryGetValue(ControllerRevisionData.RevisionLabel, out var podHash) && podHash == hash;
        var generationMatches = generation is { } g && labels.TryGetValue(TemplateGenerationLabel, out var podGeneration) &&
            podGeneration == g.ToString(CultureInfo.InvariantCulture);
        return hashMatches || generationMatches;
    }

    /// <summary>Orders pods oldest first (then by name), as Kubernetes picks the pod it keeps and reports.</summary>
    public static List<V1Pod> OldestFirst(IEnumerable<V1Pod> pods) =>
        [.. pods.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MaxValue).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];
}
