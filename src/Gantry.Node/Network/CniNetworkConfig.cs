using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gantry.Node.Network;

/// <summary>The node's network configuration list (bridge + host-local, portmap) and the per-plugin configs derived from it.</summary>
internal static class CniNetworkConfig
{
    /// <summary>The CNI spec version of the configs and expected results.</summary>
    public const string CniVersion = "1.0.0";

    /// <summary>
    /// A bridge name unique per node on this machine and within Linux's 15 characters: "gtr-" and 10 hex digits of the
    /// node name's SHA-256 (node names are longer than 15 characters and may share prefixes).
    /// </summary>
    public static string BridgeName(string nodeName) =>
        "gtr-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nodeName)))[..10];

    /// <summary>The configuration list of the node's pod network on <paramref name="subnet"/>.</summary>
    public static JsonObject Build(NodePaths paths, CniNetworkOptions options, IPNetwork subnet)
    {
        var bridge = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = BridgeName(paths.NodeName),
            ["isGateway"] = true,
            // Masquerading is the node's (PodMasquerade or the overlay's rules), never a per-pod iptables chain.
            ["ipMasq"] = false,
            ["hairpinMode"] = true,
            ["ipam"] = new JsonObject
            {
                ["type"] = "host-local",
                ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet.ToString() })),
                ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                ["dataDir"] = IpamDataDir(paths),
            },
        };
        if (options.Mtu is { } mtu) bridge["mtu"] = mtu;
        return new JsonObject
        {
            ["cniVersion"] = CniVersion,
            ["name"] = paths.CniNetworkName,
            ["plugins"] = new JsonArray(
                bridge,
                new JsonObject { ["type"] = "portmap", ["snat"] = true, ["capabilities"] = new JsonObject { ["portMappings"] = true } }),
        };
    }

    /// <summary>host-local's dataDir; it keeps one directory per network name below it.</summary>
    public static string IpamDataDir(NodePaths paths) => Path.Combine(paths.CniDataDir, "networks");

    /// <summary>
    /// The config one plugin of <paramref name="list"/> receives: its own object plus the list's name and version, the
    /// previous result, and runtimeConfig for the capabilities it declares (here only portMappings).
    /// </summary>
    public static JsonObject ForPlugin(JsonObject list, JsonObject plugin, JsonObject? prevResult, IReadOnlyList<PortMapping> portMappings)
    {
        var config = (JsonObject)plugin.DeepClone();
        config["cniVersion"] = list["cniVersion"]?.DeepClone();
        config["name"] = list["name"]?.DeepClone();
        if (prevResult is not null) config["prevResult"] = prevResult.DeepClone();
        if (plugin["capabilities"]?["portMappings"] is JsonValue declared && (bool)declared && portMappings.Count > 0)
        {
            config["runtimeConfig"] = new JsonObject { ["portMappings"] = PortMappingsJson(portMappings) };
        }
        return config;
    }

    /// <summary>The portMappings capability argument as CRI runtimes pass it (protocol in lower case, hostIP when set).</summary>
    public static JsonArray PortMappingsJson(IReadOnlyList<PortMapping> portMappings) => new(portMappings.Select(p =>
    {
        var entry = new JsonObject
        {
            ["hostPort"] = p.HostPort,
            ["containerPort"] = p.ContainerPort,
            ["protocol"] = p.Protocol.ToLowerInvariant(),
        };
        if (!string.IsNullOrEmpty(p.HostIp)) entry["hostIP"] = p.HostIp;
        return (JsonNode)entry;
    }).ToArray());

    /// <summary>Whether <paramref name="plugin"/> is the portmap plugin (hostPorts).</summary>
    public static bool IsPortMap(JsonObject plugin) => (string?)plugin["type"] == "portmap";

    /// <summary>The plugin objects of a configuration list, in order.</summary>
    public static IReadOnlyList<JsonObject> Plugins(JsonObject list) => ((JsonArray?)list["plugins"] ?? []).OfType<JsonObject>().ToList();
}
