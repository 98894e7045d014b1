namespace Gantry.Node.Network;

/// <summary>One sandbox to connect or disconnect.</summary>
public sealed record PodNetworkRequest
{
    /// <summary>The sandbox id (CNI's container id).</summary>
    public required string SandboxId { get; init; }

    /// <summary>The pinned network namespace file.</summary>
    public required string NetworkNamespacePath { get; init; }

    /// <summary>metadata.namespace (CNI_ARGS K8S_POD_NAMESPACE).</summary>
    public required string PodNamespace { get; init; }

    /// <summary>metadata.name (CNI_ARGS K8S_POD_NAME).</summary>
    public required string PodName { get; init; }

    /// <summary>metadata.uid (CNI_ARGS K8S_POD_UID).</summary>
    public required string PodUid { get; init; }

    /// <summary>hostPort mappings of the pod's containers (portmap plugin).</summary>
    public IReadOnlyList<PortMapping> PortMappings { get; init; } = [];
}
