using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>core/v1 Services: type, affinity and port defaults; port, type and selector rules. IPs and node ports are allocated elsewhere.</summary>
internal sealed class ServiceStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    protected override IReadOnlyList<string> ValidateName(string name) => NameFormats.Dns1035Label(name);

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.DefaultString(spec, "sessionAffinity", "None");
        var affinity = JsonRead.Str(spec, "sessionAffinity");
        if (affinity == "None") spec.Remove("sessionAffinityConfig");
        if (affinity == "ClientIP")
        {
            var clientIp = JsonRead.Child(JsonRead.Child(spec, "sessionAffinityConfig"), "clientIP");
            JsonRead.Default(clientIp, "timeoutSeconds", 10800);
        }
        JsonRead.DefaultString(spec, "type", "ClusterIP");
        // clusterIP and clusterIPs[0] name the same address; keep them in step as the service registry does.
        if (JsonRead.Str(spec, "clusterIP") is { Length: > 0 } clusterIp && JsonRead.Arr(spec, "clusterIPs") is not { Count: > 0 })
            spec["clusterIPs"] = new JsonArray(clusterIp);
        if (string.IsNullOrEmpty(JsonRead.Str(spec, "clusterIP")) && JsonRead.Arr(spec, "clusterIPs") is { Count: > 0 } clusterIps)
            spec["clusterIP"] = clusterIps[0]?.DeepClone();
        foreach (var (_, port) in JsonRead.Items(JsonRead.Arr(spec, "ports")))
        {
            JsonRead.DefaultString(port, "protocol", "TCP");
            var target = port["targetPort"];
            if (target is null || JsonRead.AsLong(target) == 0 || JsonRead.AsString(target) == "")
                port["targetPort"] = port["port"]?.DeepClone() ?? 0;
        }
        var type = JsonRead.Str(spec, "type");
        if (type is "NodePort" or "LoadBalancer") JsonRead.DefaultString(spec, "externalTrafficPolicy", "Cluster");
        if (type is "NodePort" or "LoadBalancer" or "ClusterIP") JsonRead.DefaultString(spec, "internalTrafficPolicy", "Cluster");
        if (type == "LoadBalancer") JsonRead.Default(spec, "allocateLoadBalancerNodePorts", true);
    }

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["loadBalancer"] = new JsonObject() };

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var type = JsonRead.Str(spec, "type") ?? "";
        var ports = JsonRead.Arr(spec, "ports");
        var headless = JsonRead.Str(spec, "clusterIP") == "None";
        if ((ports?.Count ?? 0) == 0 && !headless && type != "ExternalName") errors.Add(FieldError.Required("spec.ports"));
        if (type == "ExternalName")
        {
            var externalName = JsonRead.Str(spec, "externalName") ?? "";
            if (externalName.Length == 0) errors.Add(FieldError.Required("spec.externalName"));
            else foreach (var message in NameFormats.Dns1123Subdomain(externalName.TrimEnd('.')))
                errors.Add(FieldError.Invalid("spec.externalName", externalName, message));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, port) in JsonRead.Items(ports)) ValidatePort(port, ports!.Count > 1, names, $"spec.ports[{i}]", errors);
        MetadataRules.ValidateLabels(JsonRead.Obj(spec, "selector"), "spec.selector", errors);
        var affinity = JsonRead.Str(spec, "sessionAffinity") ?? "";
        if (affinity.Length == 0) errors.Add(FieldError.Required("spec.sessionAffinity"));
        else if (affinity is not ("ClientIP" or "None")) errors.Add(FieldError.NotSupported("spec.sessionAffinity", affinity, ["ClientIP", "None"]));
        if (type.Length == 0) errors.Add(FieldError.Required("spec.type"));
        else if (!Types.Contains(type)) errors.Add(FieldError.NotSupported("spec.type", type, Types));
        var seen = new HashSet<(string, long)>();
        foreach (var (i, port) in JsonRead.Items(ports))
        {
            if (type == "ClusterIP" && (JsonRead.Long(port, "nodePort") ?? 0) != 0)
                errors.Add(FieldError.Forbidden($"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"));
            var protocol = JsonRead.Str(port, "protocol") ?? "";
            var number = JsonRead.Long(port, "port") ?? 0;
            if (!seen.Add((protocol, number)))
                errors.Add(new FieldError(FieldErrorType.Duplicate, $"spec.ports[{i}]",
                    $"core.ServicePort{{Name:\"\", Protocol:{GoValue.Quote(protocol)}, AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}", null)
                { ValueIsRaw = true });
        }
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = JsonRead.Obj(obj, "spec");
        var oldSpec = JsonRead.Obj(old, "spec");
        // Allocated addresses stay; only a move to or from ExternalName may drop them. A request without them keeps them.
        if (JsonRead.Str(spec, "type") == "ExternalName" || JsonRead.Str(oldSpec, "type") == "ExternalName") return;
        var ips = JsonRead.Strings(JsonRead.Arr(spec, "clusterIPs")).Select(i => i.Value).ToList();
        var oldIps = JsonRead.Strings(JsonRead.Arr(oldSpec, "clusterIPs")).Select(i => i.Value).ToList();
        if (ips.Zip(oldIps).Any(pair => pair.First != pair.Second))
            errors.Add(FieldError.InvalidRaw("spec.clusterIPs[0]", GoValue.StringSlice(JsonRead.Arr(spec, "clusterIPs")), "may not change once set"));
    }

    private static void ValidatePort(JsonObject port, bool requireName, HashSet<string> names, string path, List<FieldError> errors)
    {
        var name = JsonRead.Str(port, "name") ?? "";
        if (requireName && name.Length == 0)
        {
            errors.Add(FieldError.Required(path + ".name"));
        }
        else if (name.Length > 0)
        {
            foreach (var message in NameFormats.Dns1123Label(name)) errors.Add(FieldError.Invalid(path + ".name", name, message));
            if (!names.Add(name)) errors.Add(FieldError.Duplicate(path + ".name", name));
        }
        var number = JsonRead.Long(port, "port") ?? 0;
        foreach (var message in NameFormats.PortNumber(number)) errors.Add(FieldError.Invalid(path + ".port", number, message));
        var protocol = JsonRead.Str(port, "protocol") ?? "";
        if (protocol.Length == 0) errors.Add(FieldError.Required(path + ".protocol"));
        else if (!Protocols.Contains(protocol)) errors.Add(FieldError.NotSupported(path + ".protocol", protocol, Protocols));
        ContainerRules.ValidatePortNumberOrName(port["targetPort"], path + ".targetPort", errors);
    }
}
