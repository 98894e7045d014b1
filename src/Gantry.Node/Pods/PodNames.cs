using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>How kubelet messages name a pod.</summary>
internal static class PodNames
{
    /// <summary>format.Pod: name_namespace(uid).</summary>
    public static string Format(V1Pod pod) => $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
}
