using System.Net;

namespace Gantry.Node.Network.Overlay;

/// <summary>A route the overlay owns (main table, proto <see cref="OverlayNames.RouteProtocol"/>).</summary>
internal sealed record OverlayRoute(IPNetwork Destination, IPAddress Gateway, string Device, bool OnLink);

/// <summary>A permanent neighbor (ARP) entry on the VXLAN device: a peer's device address → its MAC.</summary>
internal sealed record OverlayNeighbor(IPAddress Address, string Mac);

/// <summary>A forwarding entry on the VXLAN device: a peer device's MAC → the peer's public IP (where the UDP packets go).</summary>
internal sealed record OverlayFdbEntry(string Mac, IPAddress Destination);

/// <summary>The overlay's routes and VXLAN entries, as found in the kernel or as they should be.</summary>
internal sealed record OverlayKernelState(IReadOnlyList<OverlayRoute> Routes, IReadOnlyList<OverlayNeighbor> Neighbors, IReadOnlyList<OverlayFdbEntry> Fdb)
{
    /// <summary>No routes, no entries.</summary>
    public static OverlayKernelState Empty { get; } = new([], [], []);
}
