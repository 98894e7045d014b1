namespace Gantry.Controllers.NodeIpam;

/// <summary>The node IPAM range allocator's settings (kube-controller-manager flags, with k3s's cluster CIDR).</summary>
public sealed record NodeIpamOptions
{
    /// <summary>--cluster-cidr: the range node pod CIDRs are cut from (k3s: 10.42.0.0/16).</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>--node-cidr-mask-size (IPv4 default 24: 254 pods per node).</summary>
    public int NodeCidrMaskSize { get; init; } = 24;

    /// <summary>--service-cluster-ip-range; the part of it inside the cluster CIDR is never given to a node (k3s: 10.43.0.0/16).</summary>
    public string? ServiceCidr { get; init; } = "10.43.0.0/16";
}
