namespace Gantry.Node.Network.Overlay;

/// <summary>How pod traffic crosses between nodes (k3s's --flannel-backend).</summary>
public enum OverlayBackend
{
    /// <summary>No overlay: pods reach only pods of their own node unless something else routes (k3s's "none").</summary>
    None,

    /// <summary>Plain routes to each node's pod CIDR via that node's IP; needs all nodes on one layer-2 network (flannel's "host-gw").</summary>
    HostGw,

    /// <summary>The kernel's VXLAN device (flannel.1, VNI 1, UDP 8472) carries pod packets between node IPs (flannel's "vxlan").</summary>
    Vxlan,
}
