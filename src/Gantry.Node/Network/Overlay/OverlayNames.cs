using System.Security.Cryptography;
using System.Text;

namespace Gantry.Node.Network.Overlay;

/// <summary>Names and identities the overlay derives from the node name, so they stay the same across restarts.</summary>
internal static class OverlayNames
{
    /// <summary>
    /// The route protocol number marking the overlay's routes (<c>ip route ... proto 90</c>): a restart lists and
    /// reconciles exactly these and never touches anyone else's. 90 is unassigned in iproute2's rt_protos.
    /// </summary>
    public const int RouteProtocol = 90;

    /// <summary>
    /// What every overlay table's name starts with. Deliberately not the proxy's "gantry-" prefix: the proxy counts
    /// tables with that prefix to decide whether another proxy still needs route_localnet.
    /// </summary>
    public const string TablePrefix = "gantry_overlay-";

    /// <summary>The nftables table of a node: prefix and a hash of the node name (node names can be 253 characters).</summary>
    public static string Table(string nodeName) => TablePrefix + Convert.ToHexStringLower(Digest(nodeName))[..10];

    /// <summary>
    /// The VXLAN device's MAC: from the node name, unicast and locally administered. Peers learn it from the Node
    /// annotation; keeping it stable keeps their neighbor and FDB entries valid while this agent restarts.
    /// </summary>
    public static string VtepMac(string nodeName)
    {
        var digest = Digest(nodeName);
        digest[0] = (byte)((digest[0] & 0xfe) | 0x02);
        return string.Join(':', digest[..6].Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static byte[] Digest(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
