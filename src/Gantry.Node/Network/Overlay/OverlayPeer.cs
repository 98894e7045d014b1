using System.Net;

namespace Gantry.Node.Network.Overlay;

/// <summary>Another node pod traffic is routed to: its pod range, the address to send to and (VXLAN) its device's MAC.</summary>
internal sealed record OverlayPeer(string NodeName, IPNetwork PodCidr, IPAddress PublicIp, string? VtepMac)
{
    /// <summary>The peer's VXLAN device address: its pod CIDR's network address (.0), as flannel assigns it.</summary>
    public IPAddress VtepAddress => PodCidr.BaseAddress;
}
