namespace Gantry.Node.Streaming;

/// <summary>The container labels the kubelet sets (and CRI runtimes keep) that name a container's pod and itself.</summary>
internal static class KubernetesLabels
{
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";
}
