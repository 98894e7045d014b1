namespace Gantry.Node.Network.Overlay;

/// <summary>Settings of one node's <see cref="OverlayNetwork"/>, the counterparts of flannel's (and k3s's) flags.</summary>
public sealed record OverlayOptions
{
    /// <summary>The Node this overlay serves: its spec.podCIDR is the local pod range, every other Node is a peer.</summary>
    public required string NodeName { get; init; }

    /// <summary>
    /// --node-ip: the address other nodes send pod traffic to (flannel's public-ip) and the VXLAN device's local
    /// address. Null detects it as the agent does (the first non-loopback IPv4 address); required with <see cref="NetworkNamespace"/>.
    /// </summary>
    public string? NodeIp { get; init; }

    /// <summary>--cluster-cidr: every pod address; traffic between addresses in it is never masqueraded.</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>--flannel-backend.</summary>
    public OverlayBackend Backend { get; init; } = OverlayBackend.Vxlan;

    /// <summary>The VXLAN network identifier (flannel's VNI, default 1); it also names the device (flannel.VNI).</summary>
    public int Vni { get; init; } = 1;

    /// <summary>The VXLAN UDP port (flannel's default, the Linux one: 8472).</summary>
    public int VxlanPort { get; init; } = 8472;

    /// <summary>A named network namespace (<c>ip netns</c>) to program instead of the agent's own; for simulated nodes and tests.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How often routes, entries and rules are re-checked without any change, repairing what was changed behind our back.</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two syncs; Node changes in between are coalesced.</summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The VXLAN device's name: flannel.VNI, as flannel names it.</summary>
    public string VxlanDevice => $"flannel.{Vni}";

    /// <summary>The nftables table (family ip) holding this node's masquerade rules; derived from the node name.</summary>
    public string TableName => OverlayNames.Table(NodeName);

    /// <summary>Parses a --flannel-backend value: vxlan, host-gw or none.</summary>
    public static OverlayBackend ParseBackend(string value) => value switch
    {
        "vxlan" => OverlayBackend.Vxlan,
        "host-gw" => OverlayBackend.HostGw,
        "none" => OverlayBackend.None,
        _ => throw new ArgumentException($"unknown flannel backend \"{value}\" (vxlan, host-gw or none)", nameof(value)),
    };
}
