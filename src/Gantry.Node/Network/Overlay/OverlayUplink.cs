using System.Net;

namespace Gantry.Node.Network.Overlay;

/// <summary>The interface holding the node IP: host-gw routes and the VXLAN device's packets leave through it.</summary>
internal sealed record OverlayUplink(string Name, int Mtu, IPAddress Address);
