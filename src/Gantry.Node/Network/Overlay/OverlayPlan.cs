using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Gantry.Node.Network.Overlay;

/// <summary>The pure part of the overlay: which nodes are peers, and the routes and entries that reach them.</summary>
internal static class OverlayPlan
{
    /// <summary>
    /// The nodes other than <paramref name="self"/> pod traffic can be sent to: with an IPv4 spec.podCIDR inside the
    /// cluster CIDR (and not overlapping ours), an address other than ours (the public-ip annotation, else the
    /// InternalIP) and, as flannel requires, no other backend announced; VXLAN peers also need their device's MAC.
    /// Ordered by name.
    /// </summary>
    public static IReadOnlyList<OverlayPeer> Peers(IEnumerable<V1Node> nodes, string self, IPAddress ownIp, IPNetwork clusterCidr, IPNetwork? ownPodCidr,
        OverlayBackend backend)
    {
        var peers = new List<OverlayPeer>();
        foreach (var node in nodes)
        {
            var name = node.Metadata?.Name;
            if (name is null || name == self) continue;
            if (!TryParseNetwork(node.Spec?.PodCIDR, out var podCidr) || !Contains(clusterCidr, podCidr)) continue;
            if (ownPodCidr is { } own && (own.Contains(podCidr.BaseAddress) || podCidr.Contains(own.BaseAddress))) continue;
            var announced = Annotation(node, FlannelAnnotations.BackendType);
            if (announced is not null && announced != FlannelAnnotations.TypeName(backend)) continue;
            var address = PublicIp(node);
            // A second node on this very host (a misconfigured agent) cannot be routed to through ourselves.
            if (address is null || address.Equals(ownIp)) continue;
            string? mac = null;
            if (backend == OverlayBackend.Vxlan)
            {
                mac = FlannelAnnotations.VtepMac(Annotation(node, FlannelAnnotations.BackendData));
                if (announced is null || mac is null) continue;
            }
            peers.Add(new OverlayPeer(name, podCidr, address, mac));
        }
        peers.Sort((a, b) => string.CompareOrdinal(a.NodeName, b.NodeName));
        return peers;
    }

    /// <summary>
    /// The kernel state reaching <paramref name="peers"/>. host-gw: <c>podCIDR via publicIP dev uplink</c>. VXLAN, as
    /// flannel: <c>podCIDR via peer-.0 dev flannel.1 onlink</c>, the neighbor entry peer-.0 → peer MAC and the FDB
    /// entry peer MAC → publicIP, so the kernel never has to ask (no ARP or learning across the overlay).
    /// </summary>
    public static OverlayKernelState Wanted(IReadOnlyList<OverlayPeer> peers, OverlayBackend backend, string uplink, string vxlanDevice)
    {
        if (backend == OverlayBackend.HostGw)
            return new OverlayKernelState(peers.Select(p => new OverlayRoute(p.PodCidr, p.PublicIp, uplink, false)).ToList(), [], []);
        if (backend != OverlayBackend.Vxlan) return OverlayKernelState.Empty;
        return new OverlayKernelState(
            peers.Select(p => new OverlayRoute(p.PodCidr, p.VtepAddress, vxlanDevice, true)).ToList(),
            peers.Select(p => new OverlayNeighbor(p.VtepAddress, p.VtepMac!)).ToList(),
            peers.Select(p => new OverlayFdbEntry(p.VtepMac!, p.PublicIp)).Distinct().ToList());
    }

    /// <summary>Parses an IPv4 CIDR, normalizing it to its network address; false for anything else.</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (text is null || slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
            return false;
        var bits = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) & bits;
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    /// <summary>One annotation of <paramref name="node"/>, or null.</summary>
    public static string? Annotation(V1Node node, string key) => node.Metadata?.Annotations is { } all && all.TryGetValue(key, out var value) ? value : null;

    private static bool Contains(IPNetwork outer, IPNetwork inner) => inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);

    private static IPAddress? PublicIp(V1Node node)
    {
        if (Annotation(node, FlannelAnnotations.PublicIp) is { } annotated
            && IPAddress.TryParse(annotated, out var published) && published.AddressFamily == AddressFamily.InterNetwork)
            return published;
        var internalIp = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP" && IPAddress.TryParse(a.Address, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork);
        return internalIp is null ? null : IPAddress.Parse(internalIp.Address);
    }
}
