using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Services;

/// <summary>Reading and the type rules of a Service's spec (JSON), as the service registry's helpers.</summary>
internal static class ServiceSpec
{
    /// <summary>The spec object, created when missing.</summary>
    public static JsonObject Of(JsonObject service)
    {
        if (service["spec"] is JsonObject spec) return spec;
        spec = new JsonObject();
        service["spec"] = spec;
        return spec;
    }

    /// <summary>A string field, or null.</summary>
    public static string? Str(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>An integer field, or 0.</summary>
    public static int Int(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : 0;

    /// <summary>The type (ClusterIP when unset).</summary>
    public static string Type(JsonObject spec) => Str(spec, "type") is { Length: > 0 } type ? type : "ClusterIP";

    /// <summary>Every type but ExternalName gets cluster IPs (headless "None" included).</summary>
    public static bool NeedsClusterIp(JsonObject spec) => Type(spec) != "ExternalName";

    /// <summary>NodePort and LoadBalancer services open node ports.</summary>
    public static bool NeedsNodePort(JsonObject spec) => Type(spec) is "NodePort" or "LoadBalancer";

    /// <summary>A LoadBalancer with externalTrafficPolicy Local gets a health check node port.</summary>
    public static bool NeedsHealthCheckNodePort(JsonObject spec) =>
        Type(spec) == "LoadBalancer" && Str(spec, "externalTrafficPolicy") == "Local";

    /// <summary>Ports without a nodePort get one (NodePort always; LoadBalancer unless allocateLoadBalancerNodePorts is false).</summary>
    public static bool ShouldAllocateNodePorts(JsonObject spec) => Type(spec) switch
    {
        "NodePort" => true,
        "LoadBalancer" => spec["allocateLoadBalancerNodePorts"] is not JsonValue v || v.GetValueKind() != JsonValueKind.False,
        _ => false,
    };

    /// <summary>The port objects.</summary>
    public static IEnumerable<(int Index, JsonObject Port)> Ports(JsonObject spec) =>
        (spec["ports"] as JsonArray ?? []).Select((p, i) => (i, p as JsonObject)).Where(p => p.Item2 is not null).Select(p => (p.i, p.Item2!));

    /// <summary>The non-zero node ports (and health check node port) a spec holds, by its type.</summary>
    public static HashSet<int> HeldPorts(JsonObject spec)
    {
        var held = new HashSet<int>();
        if (NeedsNodePort(spec))
            foreach (var (_, port) in Ports(spec))
                if (Int(port, "nodePort") is > 0 and var n) held.Add(n);
        if (NeedsHealthCheckNodePort(spec) && Int(spec, "healthCheckNodePort") is > 0 and var hc) held.Add(hc);
        return held;
    }

    /// <summary>The clusterIPs strings (clusterIP alone when clusterIPs is empty).</summary>
    public static List<string> ClusterIps(JsonObject spec)
    {
        var list = (spec["clusterIPs"] as JsonArray ?? []).Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "").ToList();
        if (list.Count == 0 && Str(spec, "clusterIP") is { Length: > 0 } ip) list.Add(ip);
        return list;
    }

    /// <summary>Sets clusterIP and clusterIPs to one address.</summary>
    public static void SetClusterIp(JsonObject spec, string ip)
    {
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    /// <summary>Integer rendering for messages.</summary>
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
