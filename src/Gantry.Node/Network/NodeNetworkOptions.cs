using System.Net;
using Gantry.Node.Pods;

namespace Gantry.Node.Network;

/// <summary>Settings of a node's <see cref="NodeNetworkServices"/>: the agent flags k3s gives its kube-proxy and CoreDNS.</summary>
public sealed record NodeNetworkOptions
{
    /// <summary>The node's name; it also names the proxy's nftables table and the DNS dummy interface.</summary>
    public required string NodeName { get; init; }

    /// <summary>The node's InternalIPs: NodePorts answer on them (and on 127.0.0.1).</summary>
    public IReadOnlyList<IPAddress> NodeIPs { get; init; } = [];

    /// <summary>--cluster-cidr: the pod range; traffic to a ClusterIP from outside it is masqueraded.</summary>
    public string? ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>--cluster-dns: the kube-dns service IPs the node serves DNS on; empty runs no DNS server.</summary>
    public IReadOnlyList<IPAddress> ClusterDns { get; init; } = [IPAddress.Parse("10.43.0.10")];

    /// <summary>--cluster-domain.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>--resolv-conf: the resolv.conf whose nameservers get every name outside the cluster domain.</summary>
    public string ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>The service proxy's kube-proxy nftables-sync-period.</summary>
    public TimeSpan ProxySyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The service proxy's kube-proxy nftables-min-sync-period.</summary>
    public TimeSpan ProxyMinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The settings of a node agent's flags: its node IP (which must already be resolved: detection after the DNS
    /// interface exists could pick the service IP), its cluster DNS IPs and, without --resolv-conf, systemd-resolved's
    /// upstream list when present (its 127.0.0.53 stub forwards nothing useful from a pod), as k3s picks it. Throws
    /// <see cref="InvalidOperationException"/> naming the flag when a value does not parse.
    /// </summary>
    public static NodeNetworkOptions For(NodeAgentOptions agent) => new()
    {
        NodeName = agent.NodeName,
        NodeIPs = agent.NodeIp is { } ip ? [IPAddress.Parse(ip)] : [],
        ClusterCidr = IPNetwork.TryParse(agent.ClusterCidr, out _) ? agent.ClusterCidr
            : throw new InvalidOperationException($"--cluster-cidr \"{agent.ClusterCidr}\" is not a CIDR"),
        ClusterDns = [.. agent.ClusterDns.Select(ip => IPAddress.TryParse(ip, out var address)
            ? address : throw new InvalidOperationException($"--cluster-dns \"{ip}\" is not an IP address"))],
        ClusterDomain = agent.ClusterDomain,
        ProxySyncPeriod = agent.ProxySyncPeriod,
        ProxyMinSyncPeriod = agent.ProxyMinSyncPeriod,
        ResolvConf = agent.ResolvConf ?? (File.Exists(SystemdResolvConf) ? SystemdResolvConf : "/etc/resolv.conf"),
    };

    private const string SystemdResolvConf = "/run/systemd/resolve/resolv.conf";
}
