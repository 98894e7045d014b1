using System.CommandLine;
using Gantry.Node.Pods;

namespace Gantry.Cli;

/// <summary>The node agent's flags (k3s's names), shared by `gantry agent` and `gantry server`'s own agent.</summary>
internal sealed class AgentFlags
{
    public Option<string> NodeName { get; } = new("--node-name") { Description = "Name of this node", DefaultValueFactory = _ => Environment.MachineName.ToLowerInvariant() };

    public Option<string?> NodeIp { get; } = new("--node-ip") { Description = "Address to report as the node's InternalIP (default: the first non-loopback IPv4 address)" };

    public Option<int> MaxPods { get; } = new("--max-pods") { Description = "Most pods this node runs", DefaultValueFactory = _ => 110 };

    public Option<int> KubeletPort { get; } = new("--kubelet-port") { Description = "Port of the agent's streaming server (logs, exec, port-forward); 0 picks a free one", DefaultValueFactory = _ => 10250 };

    public Option<string?> PodCidr { get; } = new("--pod-cidr") { Description = "Pod range to use while the Node has no spec.podCIDR" };

    public Option<string[]> ClusterDns { get; } = new("--cluster-dns")
    {
        Description = "IP of the cluster DNS service (repeatable): ClusterFirst pods' nameserver, served node-locally by every agent",
        DefaultValueFactory = _ => ["10.43.0.10"],
    };

    public Option<string?> ResolvConf { get; } = new("--resolv-conf")
    {
        Description = "Resolver file with the upstreams of cluster DNS and Default pods (default /run/systemd/resolve/resolv.conf when present, else /etc/resolv.conf)",
    };

    public Option<string> ClusterCidr { get; } = new("--cluster-cidr") { Description = "IPv4 network CIDR of pod IPs", DefaultValueFactory = _ => "10.42.0.0/16" };

    public Option<string> ClusterDomain { get; } = new("--cluster-domain") { Description = "The cluster's DNS domain", DefaultValueFactory = _ => "cluster.local" };


    public Option<string> FlannelBackend { get; } = new Option<string>("--flannel-backend") { Description = "Cross-node pod networking: vxlan, host-gw (nodes on one network) or none", DefaultValueFactory = _ => "vxlan" }
        .AcceptOnlyFromAmong("vxlan", "host-gw", "none");

    public Option<KubeProxyArgs> KubeProxyArg { get; } = KubeProxyArgs.Option();

    /// <summary>Every flag, to add to a command.</summary>
    public IEnumerable<Option> All => [NodeName, NodeIp, MaxPods, KubeletPort, PodCidr, ClusterDns, ClusterDomain, ResolvConf, ClusterCidr, FlannelBackend, KubeProxyArg];

    /// <summary>The agent's options from parsed flags.</summary>
    public NodeAgentOptions Options(ParseResult result) => new()
    {
        NodeName = result.GetValue(NodeName)!,
        MaxPods = result.GetValue(MaxPods),
        NodeIp = result.GetValue(NodeIp),
        PodCidr = result.GetValue(PodCidr),
        KubeletPort = result.GetValue(KubeletPort),
        ClusterDns = result.GetValue(ClusterDns) ?? [],
        ClusterDomain = result.GetValue(ClusterDomain)!,
        ResolvConf = result.GetValue(ResolvConf),
        ClusterCidr = result.GetValue(ClusterCidr)!,
        FlannelBackend = Gantry.Node.Network.Overlay.OverlayOptions.ParseBackend(result.GetValue(FlannelBackend)!),
        ProxySyncPeriod = result.GetValue(KubeProxyArg)!.SyncPeriod,
        ProxyMinSyncPeriod = result.GetValue(KubeProxyArg)!.MinSyncPeriod,
    };
}
