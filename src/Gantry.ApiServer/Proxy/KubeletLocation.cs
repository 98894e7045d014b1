using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.ApiServer.Proxy;

/// <summary>Where a pod's node agent listens: the node's InternalIP (else Hostname) and its kubelet endpoint port.</summary>
internal static class KubeletLocation
{
    private const int DefaultPort = 10250;

    public static (string Host, int Port) Of(JsonObject node, string nodeName)
    {
        var addresses = node["status"]?["addresses"] as JsonArray ?? [];
        string? Address(string type) => addresses.OfType<JsonObject>()
            .Where(a => (string?)(a["type"] as JsonValue) == type)
            .Select(a => (string?)(a["address"] as JsonValue))
            .FirstOrDefault(a => !string.IsNullOrEmpty(a));
        var host = Address("InternalIP") ?? Address("Hostname")
            ?? throw new ApiException(500, "InternalError", $"Internal error occurred: no preferred addresses found; known addresses: [] for node \"{nodeName}\"");
        var port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"] is JsonValue value
            && value.TryGetValue<int>(out var p) && p > 0 ? p : DefaultPort;
        return (host, port);
    }

    /// <summary>host:port for a URL (IPv6 in brackets).</summary>
    public static string Authority(string host, int port) =>
        (host.Contains(':') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);
}
