namespace Gantry.Node.Network.Proxy;

/// <summary>One port of a Service as the proxy programs it (kube-proxy's ServicePort plus its endpoints).</summary>
internal sealed record ProxiedServicePort
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string PortName { get; init; }

    /// <summary>"tcp", "udp" or "sctp", as nft spells them.</summary>
    public required string Protocol { get; init; }

    public required string ClusterIP { get; init; }
    public required int Port { get; init; }

    /// <summary>Zero when the port has no NodePort.</summary>
    public int NodePort { get; init; }

    public IReadOnlyList<string> ExternalIPs { get; init; } = [];
    public IReadOnlyList<string> LoadBalancerIPs { get; init; } = [];

    /// <summary>sessionAffinity ClientIP's timeout; null without affinity.</summary>
    public int? AffinityTimeoutSeconds { get; init; }

    public bool ExternalPolicyLocal { get; init; }

    /// <summary>internalTrafficPolicy Local: the ClusterIP leads only to this node's endpoints.</summary>
    public bool InternalPolicyLocal { get; init; }
    public IReadOnlyList<ProxiedEndpoint> Endpoints { get; init; } = [];

    /// <summary>Reachable from outside the cluster network (NodePort, externalIPs, load-balancer ingress).</summary>
    public bool ExternallyAccessible => NodePort != 0 || ExternalIPs.Count > 0 || LoadBalancerIPs.Count > 0;
}
