using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Validation;

/// <summary>Container validation (validateContainerCommon and the probe, port, env and resource checks of Kubernetes).</summary>
internal static class ContainerRules
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] MessagePolicies = ["File", "FallbackToLogsOnError"];
    private static readonly string[] StandardResources = ["cpu", "memory", "ephemeral-storage"];

    /// <summary>Validates regular containers (at least one, unique names); returns the names for the init container check.</summary>
    public static HashSet<string> ValidateContainers(JsonArray? containers, ISet<string> volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required(path));
            return names;
        }
        foreach (var (i, container) in JsonRead.Items(containers))
        {
            var at = $"{path}[{i}]";
            ValidateCommon(container, volumes, at, errors);
            var name = JsonRead.Str(container, "name") ?? "";
            if (!names.Add(name)) errors.Add(FieldError.Duplicate(at + ".name", name));
            ValidateProbes(container, at, errors);
        }
        CheckHostPortConflicts(containers, path, errors);
        return names;
    }

    // Two containers of a pod cannot bind the same host address, protocol and port.
    private static void CheckHostPortConflicts(JsonArray containers, string path, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, container) in JsonRead.Items(containers))
            foreach (var (j, port) in JsonRead.Items(JsonRead.Arr(container, "ports")))
            {
                var hostPort = JsonRead.Long(port, "hostPort") ?? 0;
                if (hostPort == 0) continue;
                var key = $"{JsonRead.Str(port, "hostIP")}/{JsonRead.Str(port, "protocol")}/{hostPort}";
                if (!seen.Add(key)) errors.Add(FieldError.Duplicate($"{path}[{i}].ports[{j}].hostPort", key));
            }
    }

    /// <summary>Validates init containers; names must be unique across init and regular containers.</summary>
    public static void ValidateInitContainers(JsonArray? containers, HashSet<string> names, ISet<string> volumes, string path, List<FieldError> errors)
    {
        foreach (var (i, container) in JsonRead.Items(containers))
        {
            var at = $"{path}[{i}]";
            ValidateCommon(container, volumes, at, errors);
            var name = JsonRead.Str(container, "name") ?? "";
            if (names.Contains(name)) errors.Add(FieldError.Duplicate(at + ".name", name));
            else if (name.Length > 0) names.Add(name);
            var restartPolicy = JsonRead.Str(container, "restartPolicy");
            if (restartPolicy == "Always")
            {
                ValidateProbes(container, at, errors);
                continue;
            }
            if (restartPolicy is not null)
                errors.Add(FieldError.NotSupported(at + ".restartPolicy", restartPolicy, ["Always"]));
            foreach (var field in new[] { "lifecycle", "livenessProbe", "readinessProbe", "startupProbe" })
                if (container[field] is not null)
                    errors.Add(FieldError.Forbidden($"{at}.{field}", "may not be set for init containers without restartPolicy=Always"));
        }
    }

    private static void ValidateCommon(JsonObject container, ISet<string> volumes, string path, List<FieldError> errors)
    {
        var name = JsonRead.Str(container, "name") ?? "";
        if (name.Length == 0) errors.Add(FieldError.Required(path + ".name"));
        else foreach (var message in NameFormats.Dns1123Label(name)) errors.Add(FieldError.Invalid(path + ".name", name, message));
        if (string.IsNullOrEmpty(JsonRead.Str(container, "image"))) errors.Add(FieldError.Required(path + ".image"));
        Enum(JsonRead.Str(container, "terminationMessagePolicy"), MessagePolicies, path + ".terminationMessagePolicy", errors);
        ValidatePorts(JsonRead.Arr(container, "ports"), path + ".ports", errors);
        ValidateEnv(JsonRead.Arr(container, "env"), path + ".env", errors);
        ValidateVolumeMounts(JsonRead.Arr(container, "volumeMounts"), volumes, path + ".volumeMounts", errors);
        Enum(JsonRead.Str(container, "imagePullPolicy"), PullPolicies, path + ".imagePullPolicy", errors);
        ValidateResources(JsonRead.Obj(container, "resources"), path + ".resources", errors);
    }

    /// <summary>Required when empty, NotSupported when not one of the values.</summary>
    public static void Enum(string? value, string[] supported, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value)) errors.Add(FieldError.Required(path));
        else if (!supported.Contains(value)) errors.Add(FieldError.NotSupported(path, value, supported));
    }

    private static void ValidatePorts(JsonArray? ports, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, port) in JsonRead.Items(ports))
        {
            var at = $"{path}[{i}]";
            var name = JsonRead.Str(port, "name") ?? "";
            if (name.Length > 0)
            {
                var nameErrors = NameFormats.PortName(name);
                foreach (var message in nameErrors) errors.Add(FieldError.Invalid(at + ".name", name, message));
                if (nameErrors.Count == 0 && !names.Add(name)) errors.Add(FieldError.Duplicate(at + ".name", name));
            }
            var containerPort = JsonRead.Long(port, "containerPort") ?? 0;
            if (containerPort == 0) errors.Add(FieldError.Required(at + ".containerPort"));
            else foreach (var message in NameFormats.PortNumber(containerPort)) errors.Add(FieldError.Invalid(at + ".containerPort", containerPort, message));
            var hostPort = JsonRead.Long(port, "hostPort") ?? 0;
            if (hostPort != 0)
                foreach (var message in NameFormats.PortNumber(hostPort)) errors.Add(FieldError.Invalid(at + ".hostPort", hostPort, message));
            Enum(JsonRead.Str(port, "protocol"), Protocols, at + ".protocol", errors);
        }
    }

    private static void ValidateEnv(JsonArray? env, string path, List<FieldError> errors)
    {
        foreach (var (i, variable) in JsonRead.Items(env))
        {
            var at = $"{path}[{i}]";
            var name = JsonRead.Str(variable, "name") ?? "";
            if (name.Length == 0) errors.Add(FieldError.Required(at + ".name"));
            foreach (var message in NameFormats.EnvVarName(name)) errors.Add(FieldError.Invalid(at + ".name", name, message));
            if (JsonRead.Obj(variable, "valueFrom") is not { } from) continue;
            var sources = new[] { "fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef" }.Count(s => from[s] is not null);
            if (sources == 0)
                errors.Add(FieldError.Invalid(at + ".valueFrom", "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
            else if (sources > 1)
                errors.Add(FieldError.Invalid(at + ".valueFrom", "", "may not have more than one field specified at a time"));
            else if (!string.IsNullOrEmpty(JsonRead.Str(variable, "value")))
                errors.Add(FieldError.Invalid(at + ".valueFrom", "", "may not be specified when `value` is not empty"));
            if (JsonRead.Obj(from, "fieldRef") is { } fieldRef && string.IsNullOrEmpty(JsonRead.Str(fieldRef, "fieldPath")))
                errors.Add(FieldError.Required(at + ".valueFrom.fieldRef.fieldPath"));
            foreach (var selector in new[] { "configMapKeyRef", "secretKeyRef" })
            {
                if (JsonRead.Obj(from, selector) is not { } keyRef) continue;
                var keyPath = $"{at}.valueFrom.{selector}";
                if (string.IsNullOrEmpty(JsonRead.Str(keyRef, "name"))) errors.Add(FieldError.Required(keyPath + ".name"));
                var key = JsonRead.Str(keyRef, "key") ?? "";
                if (key.Length == 0) errors.Add(FieldError.Required(keyPath + ".key"));
                else foreach (var message in NameFormats.ConfigMapKey(key)) errors.Add(FieldError.Invalid(keyPath + ".key", key, message));
            }
        }
    }

    private static void ValidateVolumeMounts(JsonArray? mounts, ISet<string> volumes, string path, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, mount) in JsonRead.Items(mounts))
        {
            var at = $"{path}[{i}]";
            var name = JsonRead.Str(mount, "name") ?? "";
            if (name.Length == 0) errors.Add(FieldError.Required(at + ".name"));
            if (!volumes.Contains(name)) errors.Add(FieldError.NotFound(at + ".name", name));
            var mountPath = JsonRead.Str(mount, "mountPath") ?? "";
            if (mountPath.Length == 0) errors.Add(FieldError.Required(at + ".mountPath"));
            if (!mountPaths.Add(mountPath)) errors.Add(FieldError.Invalid(at + ".mountPath", mountPath, "must be unique"));
        }
    }

    private static void ValidateResources(JsonObject? resources, string path, List<FieldError> errors)
    {
        var limits = JsonRead.Obj(resources, "limits");
        var requests = JsonRead.Obj(resources, "requests");
        var limitValues = new Dictionary<string, (string Text, decimal Value)>(StringComparer.Ordinal);
        foreach (var (name, node) in limits ?? [])
            if (CheckQuantity(name, QuantityText(node), $"{path}.limits[{name}]", errors) is { } value) limitValues[name] = (QuantityText(node), value);
        foreach (var (name, node) in requests ?? [])
        {
            var text = QuantityText(node);
            if (CheckQuantity(name, text, $"{path}.requests[{name}]", errors) is not { } request) continue;
            var overcommit = !name.Contains('/') || name.StartsWith("kubernetes.io/", StringComparison.Ordinal);
            overcommit &= !name.StartsWith("hugepages-", StringComparison.Ordinal);
            if (limitValues.TryGetValue(name, out var limit))
            {
                if (request != limit.Value && !overcommit)
                    errors.Add(FieldError.Invalid(path + ".requests", text, $"must be equal to {name} limit of {limit.Text}"));
                else if (request > limit.Value)
                    errors.Add(FieldError.Invalid(path + ".requests", text, $"must be less than or equal to {name} limit of {limit.Text}"));
            }
            else if (!overcommit && limits?.ContainsKey(name) != true)
            {
                errors.Add(FieldError.Required(path + ".limits", "Limit must be set for non overcommitable resources"));
            }
        }
    }

    // Quantities arrive as strings, or as bare numbers from hand-written JSON.
    private static string QuantityText(JsonNode? node) => JsonRead.AsString(node) ?? node?.ToJsonString() ?? "";

    private static decimal? CheckQuantity(string name, string text, string path, List<FieldError> errors)
    {
        var standard = StandardResources.Contains(name) || name.StartsWith("hugepages-", StringComparison.Ordinal);
        if (!standard && !name.Contains('/'))
            errors.Add(FieldError.Invalid(path, name, "must be a standard resource for containers"));
        if (!Quantity.TryParse(text, out var value))
        {
            errors.Add(FieldError.Invalid(path, text, Quantity.FormatMessage));
            return null;
        }
        if (value < 0)
        {
            errors.Add(FieldError.Invalid(path, text, "must be greater than or equal to 0"));
            return null;
        }
        return value;
    }

    private static void ValidateProbes(JsonObject container, string path, List<FieldError> errors)
    {
        foreach (var kind in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (JsonRead.Obj(container, kind) is not { } probe) continue;
            var at = $"{path}.{kind}";
            ValidateHandler(probe, ["exec", "httpGet", "tcpSocket", "grpc"], at, errors);
            foreach (var field in new[] { "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold" })
                if (JsonRead.Long(probe, field) is < 0 and var negative)
                    errors.Add(FieldError.Invalid($"{at}.{field}", negative, "must be greater than or equal to 0"));
            if (kind != "readinessProbe" && JsonRead.Long(probe, "successThreshold") is { } success and not 1)
                errors.Add(FieldError.Invalid(at + ".successThreshold", success, "must be 1"));
        }
        if (JsonRead.Obj(container, "lifecycle") is { } lifecycle)
            foreach (var hook in new[] { "postStart", "preStop" })
                if (JsonRead.Obj(lifecycle, hook) is { } handler)
                    ValidateHandler(handler, ["exec", "httpGet", "tcpSocket", "sleep"], $"{path}.lifecycle.{hook}", errors);
    }

    private static void ValidateHandler(JsonObject handler, string[] types, string path, List<FieldError> errors)
    {
        var present = types.Where(t => handler[t] is not null).ToList();
        if (present.Count == 0) errors.Add(FieldError.Required(path, "must specify a handler type"));
        foreach (var extra in present.Skip(1)) errors.Add(FieldError.Forbidden($"{path}.{extra}", "may not specify more than 1 handler type"));
        if (JsonRead.Obj(handler, "httpGet") is { } httpGet)
        {
            ValidatePortNumberOrName(httpGet["port"], path + ".httpGet.port", errors);
            if (JsonRead.Str(httpGet, "scheme") is { } scheme && scheme is not ("HTTP" or "HTTPS"))
                errors.Add(FieldError.NotSupported(path + ".httpGet.scheme", scheme, ["HTTP", "HTTPS"]));
        }
        if (JsonRead.Obj(handler, "tcpSocket") is { } tcp) ValidatePortNumberOrName(tcp["port"], path + ".tcpSocket.port", errors);
    }

    /// <summary>An IntOrString port: a number 1-65535 or an IANA service name.</summary>
    public static void ValidatePortNumberOrName(JsonNode? port, string path, List<FieldError> errors)
    {
        if (JsonRead.AsLong(port) is { } number)
            foreach (var message in NameFormats.PortNumber(number)) errors.Add(FieldError.Invalid(path, number, message));
        else if (JsonRead.AsString(port) is { } name)
            foreach (var message in NameFormats.PortName(name)) errors.Add(FieldError.Invalid(path, name, message));
        else
            errors.Add(FieldError.Invalid(path, 0, NameFormats.InclusiveRange(1, 65535)));
    }
}
