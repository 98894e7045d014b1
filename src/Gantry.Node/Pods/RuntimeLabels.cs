using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The labels and annotations the agent puts on sandboxes and containers (the kubelet's io.kubernetes.* keys), from
/// which it rebuilds everything after a restart.
/// </summary>
internal static class RuntimeLabels
{
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string ContainerName = "io.kubernetes.container.name";
    public const string ContainerHash = "io.kubernetes.container.hash";
    public const string RestartCount = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
    public const string TerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy";
    // Not a kubelet key: init and regular containers may share no names, but the agent still records which one it ran.
    public const string ContainerType = "io.gantry.container.type";

    /// <summary>The labels every sandbox of <paramref name="pod"/> carries.</summary>
    public static Dictionary<string, string> ForSandbox(V1Pod pod) => new(StringComparer.Ordinal)
    {
        [PodUid] = pod.Metadata.Uid,
        [PodName] = pod.Metadata.Name,
        [PodNamespace] = pod.Metadata.NamespaceProperty,
    };

    /// <summary>A short hash of the container spec: a running container whose spec hash differs is restarted.</summary>
    public static string Hash(V1Container container)
    {
        var json = KubernetesJson.Serialize(container);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..8];
    }
}
