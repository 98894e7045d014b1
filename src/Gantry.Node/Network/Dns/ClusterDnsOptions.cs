using System.Net;

namespace Gantry.Node.Network.Dns;

/// <summary>How the cluster DNS server listens, which zone it serves and where it forwards the rest.</summary>
public sealed record ClusterDnsOptions
{
    /// <summary>Addresses to listen on (UDP and TCP on each); the kube-dns service IP or a node address.</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [IPAddress.Any];

    /// <summary>The port to listen on.</summary>
    public int Port { get; init; } = 53;

    /// <summary>The cluster domain (the kubelet's clusterDomain).</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The TTL of cluster answers, CoreDNS's kubernetes plugin default.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The resolv.conf whose nameserver lines are the upstream servers (CoreDNS's <c>forward . /etc/resolv.conf</c>).</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary>The port of the upstream servers (resolv.conf cannot name one).</summary>
    public int UpstreamPort { get; init; } = 53;

    /// <summary>How long to wait for an upstream answer before answering SERVFAIL.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest an upstream answer is cached, whatever its TTL (k3s's Corefile: <c>cache 30</c>).</summary>
    public TimeSpan CacheMaxTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many upstream answers the cache holds (CoreDNS's default capacity).</summary>
    public int CacheCapacity { get; init; } = 9984;
}
