namespace Gantry.Node.Network;

/// <summary>The per-call CNI parameters (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS).</summary>
internal sealed record CniInvocation(string ContainerId, string NetworkNamespace, string InterfaceName, string Args)
{
    /// <summary>The parameters of a pod sandbox, with the K8S_* arguments the kubelet passes (eth0 as interface).</summary>
    public static CniInvocation For(PodNetworkRequest request, string networkNamespace) => new(
        request.SandboxId,
        networkNamespace,
        "eth0",
        $"IgnoreUnknown=1;K8S_POD_NAMESPACE={request.PodNamespace};K8S_POD_NAME={request.PodName};" +
        $"K8S_POD_INFRA_CONTAINER_ID={request.SandboxId};K8S_POD_UID={request.PodUid}");
}
