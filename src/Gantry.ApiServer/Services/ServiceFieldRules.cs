using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.ApiServer.Services;

/// <summary>
/// The service registry's rules for fields the server owns: IP family defaults of a single-stack IPv4 cluster, values a
/// client left out on update restored from the stored object, and fields of the old type dropped on a type change.
/// </summary>
internal static class ServiceFieldRules
{
    /// <summary>
    /// Defaults ipFamilies (IPv4) and ipFamilyPolicy (SingleStack) of a service that gets cluster IPs, and refuses what a
    /// single-stack IPv4 cluster cannot give (RequireDualStack, IPv6, a malformed address).
    /// </summary>
    public static void InitIpFamilies(JsonObject spec, string name)
    {
        if (!ServiceSpec.NeedsClusterIp(spec)) return;
        var errors = new List<FieldError>();
        var policy = ServiceSpec.Str(spec, "ipFamilyPolicy");
        if (policy == "RequireDualStack")
            errors.Add(FieldError.Invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"));
        var families = (spec["ipFamilies"] as JsonArray ?? []).Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
        for (var i = 0; i < families.Count; i++)
            if (families[i] == "IPv6") errors.Add(FieldError.Invalid($"spec.ipFamilies[{i}]", families[i], "not configured on this cluster"));
        var ips = ServiceSpec.ClusterIps(spec);
        for (var i = 0; i < ips.Count; i++)
        {
            if (ips[i] is "" or "None") continue;
            if (!IPAddress.TryParse(ips[i], out var ip) || ips[i].Contains(':') && ip.AddressFamily != AddressFamily.InterNetworkV6)
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            else if (ip.AddressFamily != AddressFamily.InterNetwork)
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], "not configured on this cluster"));
        }
        if (errors.Count > 0) throw ApiException.Invalid("", "Service", name, errors);
        // A single-stack cluster gives one family; PreferDualStack keeps its policy but gets IPv4 alone.
        spec["ipFamilies"] = new JsonArray("IPv4");
        if (string.IsNullOrEmpty(policy)) spec["ipFamilyPolicy"] = "SingleStack";
    }

    /// <summary>
    /// Kubernetes' NormalizeClusterIPs on update: a client that changed only the singular clusterIP (an old client, or a
    /// patch of that field) meant clusterIPs[0] too, so validation sees the change.
    /// </summary>
    public static void NormalizeClusterIps(JsonObject spec, JsonObject oldSpec)
    {
        var ip = ServiceSpec.Str(spec, "clusterIP") ?? "";
        if (ip == (ServiceSpec.Str(oldSpec, "clusterIP") ?? "")) return;
        if (spec["clusterIPs"] is JsonArray { Count: > 0 } && !Same(spec, oldSpec, "clusterIPs")) return;
        if (ip.Length == 0)
        {
            spec.Remove("clusterIPs");
            return;
        }
        var ips = (oldSpec["clusterIPs"] as JsonArray)?.DeepClone().AsArray() ?? [];
        if (ips.Count == 0) ips.Add((JsonNode)ip); else ips[0] = ip;
        spec["clusterIPs"] = ips;
    }

    /// <summary>
    /// Kubernetes' patchAllocatedValues: an update that leaves out the cluster IPs, node ports (matched by port name)
    /// or health check node port keeps the allocated ones, so a PUT of an edited manifest is idempotent.
    /// </summary>
    public static void PatchAllocatedValues(JsonObject spec, JsonObject oldSpec)
    {
        if (ServiceSpec.NeedsClusterIp(oldSpec) && ServiceSpec.NeedsClusterIp(spec))
        {
            if (string.IsNullOrEmpty(ServiceSpec.Str(spec, "clusterIP")) && oldSpec["clusterIP"] is { } ip) spec["clusterIP"] = ip.DeepClone();
            if (spec["clusterIPs"] is not JsonArray { Count: > 0 } && oldSpec["clusterIPs"] is JsonArray { Count: > 0 } ips) spec["clusterIPs"] = ips.DeepClone();
        }
        if (ServiceSpec.NeedsNodePort(oldSpec) && ServiceSpec.NeedsNodePort(spec))
        {
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (_, port) in ServiceSpec.Ports(oldSpec)) byName[ServiceSpec.Str(port, "name") ?? ""] = ServiceSpec.Int(port, "nodePort");
            foreach (var (_, port) in ServiceSpec.Ports(spec))
            {
                if (ServiceSpec.Int(port, "nodePort") != 0 || !byName.TryGetValue(ServiceSpec.Str(port, "name") ?? "", out var old) || old == 0) continue;
                var used = ServiceSpec.Ports(spec).Any(p => ServiceSpec.Int(p.Port, "nodePort") == old);
                if (!used) port["nodePort"] = old;
            }
        }
        if (ServiceSpec.NeedsHealthCheckNodePort(oldSpec) && ServiceSpec.NeedsHealthCheckNodePort(spec) && ServiceSpec.Int(spec, "healthCheckNodePort") == 0
            && oldSpec["healthCheckNodePort"] is { } hc)
            spec["healthCheckNodePort"] = hc.DeepClone();
    }

    /// <summary>
    /// Kubernetes' dropTypeDependentFields: moving to a type that does not use a field clears it when the client did
    /// not change it (a changed value is the client's intent and meets validation instead).
    /// </summary>
    public static void DropTypeDependentFields(JsonObject spec, JsonObject oldSpec)
    {
        if (ServiceSpec.NeedsClusterIp(oldSpec) && !ServiceSpec.NeedsClusterIp(spec))
        {
            if (Same(spec, oldSpec, "clusterIPs") && Same(spec, oldSpec, "clusterIP"))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }
            if (Same(spec, oldSpec, "ipFamilies")) spec.Remove("ipFamilies");
            if (Same(spec, oldSpec, "ipFamilyPolicy")) spec.Remove("ipFamilyPolicy");
        }
        if (ServiceSpec.NeedsNodePort(oldSpec) && !ServiceSpec.NeedsNodePort(spec) && SameNodePorts(spec, oldSpec))
            foreach (var (_, port) in ServiceSpec.Ports(spec)) port.Remove("nodePort");
        if (ServiceSpec.NeedsHealthCheckNodePort(oldSpec) && !ServiceSpec.NeedsHealthCheckNodePort(spec) && Same(spec, oldSpec, "healthCheckNodePort"))
            spec.Remove("healthCheckNodePort");
        if (ServiceSpec.Type(oldSpec) == "LoadBalancer" && ServiceSpec.Type(spec) != "LoadBalancer")
        {
            if (Same(spec, oldSpec, "allocateLoadBalancerNodePorts")) spec.Remove("allocateLoadBalancerNodePorts");
            if (Same(spec, oldSpec, "loadBalancerClass")) spec.Remove("loadBalancerClass");
        }
        if (!ServiceSpec.NeedsNodePort(spec) && Same(spec, oldSpec, "externalTrafficPolicy")) spec.Remove("externalTrafficPolicy");
        if (!ServiceSpec.NeedsClusterIp(spec) && Same(spec, oldSpec, "internalTrafficPolicy")) spec.Remove("internalTrafficPolicy");
    }

    private static bool Same(JsonObject spec, JsonObject oldSpec, string field) => JsonNode.DeepEquals(spec[field], oldSpec[field]);

    private static bool SameNodePorts(JsonObject spec, JsonObject oldSpec)
    {
        var ports = ServiceSpec.Ports(spec).Select(p => ServiceSpec.Int(p.Port, "nodePort")).ToList();
        var oldPorts = ServiceSpec.Ports(oldSpec).Select(p => ServiceSpec.Int(p.Port, "nodePort")).ToList();
        return ports.SequenceEqual(oldPorts);
    }
}
