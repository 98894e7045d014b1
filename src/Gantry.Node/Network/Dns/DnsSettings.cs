using System.Net;

namespace Gantry.Node.Network.Dns;

/// <summary>The node's DNS settings that shape every pod's resolv.conf (the kubelet's clusterDNS, clusterDomain, resolvConf).</summary>
public sealed record DnsSettings
{
    /// <summary>The cluster DNS service IPs (k3s: 10.43.0.10); empty sends ClusterFirst pods to the host's servers, as the kubelet does.</summary>
    public IReadOnlyList<IPAddress> ClusterDns { get; init; } = [IPAddress.Parse("10.43.0.10")];

    /// <summary>The cluster domain.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The host resolv.conf that is the base of every pod's; empty means none (pods then resolve through localhost).</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";
}
