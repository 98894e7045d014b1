using System.Net;

namespace Gantry.Node.Network.Proxy;

/// <summary>Settings of one node's <see cref="ServiceProxy"/>, the counterparts of kube-proxy's flags.</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>The node this proxy serves; endpoints on it are "local" for externalTrafficPolicy Local.</summary>
    public required string NodeName { get; init; }

    /// <summary>The node's primary addresses: NodePorts answer on them when <see cref="NodePortAddresses"/> is empty (kube-proxy's "primary").</summary>
    public IReadOnlyList<IPAddress> NodeIPs { get; init; } = [];

    /// <summary>The pod CIDR of the cluster (kube-proxy's --cluster-cidr): traffic to a ClusterIP from outside it is masqueraded.</summary>
    public string? ClusterCidr { get; init; }

    /// <summary>The addresses NodePorts answer on; empty means <see cref="NodeIPs"/>, and with both empty every local address.</summary>
    public IReadOnlyList<IPAddress> NodePortAddresses { get; init; } = [];

    /// <summary>Whether NodePorts also answer on 127.0.0.0/8 for the node's own processes (needs route_localnet, as kube-proxy's iptables mode).</summary>
    public bool LocalhostNodePorts { get; init; } = true;

    /// <summary>How often the rules are re-checked without any change (kube-proxy's --nftables-sync-period).</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two syncs; changes in between are coalesced (kube-proxy's --nftables-min-sync-period).</summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// ClusterIPs answered by a listener on this node itself (the node-local cluster DNS on its dummy interface, as
    /// NodeLocal DNSCache): their Services are left out of the rules, so packets to them are delivered locally instead of
    /// being balanced away (or rejected, as a Service without endpoints would be).
    /// </summary>
    public IReadOnlyList<IPAddress> NodeLocalServiceIPs { get; init; } = [];

    /// <summary>A named network namespace (<c>ip netns</c>) to program instead of the agent's own; for simulated nodes and tests.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The nftables table (family ip) this proxy owns: derived from the node name, so agents sharing a machine never touch each other's rules.</summary>
    public string TableName => ProxyNames.Table(NodeName);
}
