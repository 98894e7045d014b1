namespace Gantry.Node.Network;

/// <summary>How the node's CNI network is built.</summary>
public sealed record CniNetworkOptions
{
    /// <summary>Where the plugin binaries are (Debian's containernetworking-plugins installs them in /usr/lib/cni).</summary>
    public string PluginDir { get; init; } = "/usr/lib/cni";

    /// <summary>
    /// Whether pod traffic leaving the pod CIDR is masqueraded (as flannel does in k3s, so pods reach the outside world):
    /// one nftables rule for the node (<see cref="PodMasquerade"/>), not the bridge plugin's per-pod ipMasq chains. Off
    /// when the overlay masquerades instead; tests turn it off: they must never NAT toward addresses outside the machine.
    /// </summary>
    public bool IpMasq { get; init; } = true;

    /// <summary>The bridge's MTU; null leaves the plugin's default (the host's).</summary>
    public int? Mtu { get; init; }
}
