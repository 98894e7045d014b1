using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Nodes: created with their status (by the agent), taint rules, pod CIDRs and provider ID set once.</summary>
internal sealed class NodeStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private const string SetOnceDetail = "node updates may not change {0} except from \"\" to valid";

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        // v1 carries both podCIDR and podCIDRs; Kubernetes keeps them in step during conversion.
        if (JsonRead.Str(spec, "podCIDR") is { Length: > 0 } cidr && JsonRead.Arr(spec, "podCIDRs") is not { Count: > 0 })
            spec["podCIDRs"] = new JsonArray(cidr);
        if (JsonRead.Arr(spec, "podCIDRs") is { Count: > 0 } cidrs && string.IsNullOrEmpty(JsonRead.Str(spec, "podCIDR")))
            spec["podCIDR"] = cidrs[0]?.DeepClone();
        if (JsonRead.Obj(obj, "status") is { } status && status["allocatable"] is null && status["capacity"] is JsonObject capacity)
            status["allocatable"] = capacity.DeepClone();
    }

    // The node agent registers its node with the status it observed, so status survives create.
    public override void PrepareForCreate(JsonObject obj)
    {
        var status = obj["status"]?.DeepClone();
        base.PrepareForCreate(obj);
        if (status is not null) obj["status"] = status;
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var seen = new HashSet<(string, string)>();
        foreach (var (i, taint) in JsonRead.Items(JsonRead.Arr(spec, "taints")))
        {
            var at = $"spec.taints[{i}]";
            var key = JsonRead.Str(taint, "key") ?? "";
            foreach (var message in NameFormats.QualifiedName(key)) errors.Add(FieldError.Invalid(at + ".key", key, message));
            var value = JsonRead.Str(taint, "value") ?? "";
            if (NameFormats.LabelValue(value) is { Count: > 0 } valueErrors) errors.Add(FieldError.Invalid(at + ".value", value, string.Join(";", valueErrors)));
            var effect = JsonRead.Str(taint, "effect") ?? "";
            PodSpecRules.ValidateTaintEffect(effect, at + ".effect", errors);
            if (!seen.Add((effect, key)))
                errors.Add(new FieldError(FieldErrorType.Duplicate, at, GoValue.Json(taint), "taints must be unique by key and effect pair") { ValueIsRaw = true });
        }
        foreach (var (i, cidr) in JsonRead.Strings(JsonRead.Arr(spec, "podCIDRs")))
            if (!IsCidr(cidr)) errors.Add(FieldError.Invalid($"spec.podCIDRs[{i}]", cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = JsonRead.Obj(obj, "spec");
        var oldSpec = JsonRead.Obj(old, "spec");
        if (JsonRead.Arr(oldSpec, "podCIDRs") is { Count: > 0 } oldCidrs && !JsonSemantics.Equal(oldCidrs, JsonRead.Arr(spec, "podCIDRs")))
            errors.Add(FieldError.Forbidden("spec.podCIDRs", string.Format(System.Globalization.CultureInfo.InvariantCulture, SetOnceDetail, "podCIDR")));
        if (JsonRead.Str(oldSpec, "providerID") is { Length: > 0 } providerId && providerId != JsonRead.Str(spec, "providerID"))
            errors.Add(FieldError.Forbidden("spec.providerID", string.Format(System.Globalization.CultureInfo.InvariantCulture, SetOnceDetail, "providerID")));
    }

    private static bool IsCidr(string value)
    {
        var slash = value.IndexOf('/');
        return slash > 0 && IPAddress.TryParse(value[..slash], out var address)
            && (value.Contains(':') || value[..slash].Count(c => c == '.') == 3)
            && int.TryParse(value[(slash + 1)..], out var bits)
            && bits >= 0 && bits <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
    }
}
