using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Node.Network.Overlay;

/// <summary>
/// The Node annotations flannel's kube subnet manager publishes, in its format, so each node learns how to reach
/// the others: backend type, backend data (for VXLAN the VNI and the device's MAC) and the public IP.
/// </summary>
public static class FlannelAnnotations
{
    /// <summary>"vxlan" or "host-gw".</summary>
    public const string BackendType = "flannel.alpha.coreos.com/backend-type";

    /// <summary>VXLAN: <c>{"VNI":1,"VtepMAC":"02:..."}</c>; host-gw: <c>null</c>.</summary>
    public const string BackendData = "flannel.alpha.coreos.com/backend-data";

    /// <summary>The address peers send this node's pod traffic to.</summary>
    public const string PublicIp = "flannel.alpha.coreos.com/public-ip";

    /// <summary>"true": the pod CIDR comes from the Node's spec.podCIDR (flannel's kube subnet manager).</summary>
    public const string KubeSubnetManager = "flannel.alpha.coreos.com/kube-subnet-manager";

    /// <summary>The backend-type value of <paramref name="backend"/>.</summary>
    public static string TypeName(OverlayBackend backend) => backend switch
    {
        OverlayBackend.Vxlan => "vxlan",
        OverlayBackend.HostGw => "host-gw",
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "no overlay, no annotations"),
    };

    /// <summary>The annotations a node running <paramref name="backend"/> publishes.</summary>
    public static IReadOnlyDictionary<string, string> For(OverlayBackend backend, IPAddress publicIp, int vni, string vtepMac) =>
        new Dictionary<string, string>
        {
            [BackendType] = TypeName(backend),
            [BackendData] = backend == OverlayBackend.Vxlan
                ? new JsonObject { ["VNI"] = vni, ["VtepMAC"] = vtepMac }.ToJsonString()
                : "null",
            [PublicIp] = publicIp.ToString(),
            [KubeSubnetManager] = "true",
        };

    /// <summary>The VtepMAC of VXLAN backend data (lower case), or null when the data is missing or malformed.</summary>
    public static string? VtepMac(string? backendData)
    {
        if (string.IsNullOrEmpty(backendData)) return null;
        try
        {
            return JsonNode.Parse(backendData) is JsonObject data && data["VtepMAC"] is JsonValue mac && mac.TryGetValue<string>(out var text)
                && System.Net.NetworkInformation.PhysicalAddress.TryParse(text, out var parsed) && parsed.GetAddressBytes().Length == 6
                ? text.ToLowerInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
