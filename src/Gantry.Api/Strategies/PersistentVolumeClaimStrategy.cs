using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>PersistentVolumeClaims: Pending on create, access modes and a storage request required, spec fixed but for requests.</summary>
internal sealed class PersistentVolumeClaimStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    public override void ApplyDefaults(JsonObject obj) => JsonRead.Default(JsonRead.Child(obj, "spec"), "volumeMode", "Filesystem");

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["phase"] = "Pending" };

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var modes = JsonRead.Arr(spec, "accessModes");
        if (modes is not { Count: > 0 }) errors.Add(FieldError.Required("spec.accessModes", "at least 1 access mode is required"));
        if (JsonRead.Obj(spec, "selector") is { } selector) SelectorRules.Validate(selector, "spec.selector", errors);
        foreach (var (_, mode) in JsonRead.Strings(modes))
            if (!PersistentVolumeStrategy.AccessModes.Contains(mode))
                errors.Add(FieldError.NotSupported("spec.accessModes", mode, PersistentVolumeStrategy.AccessModes));
        var storage = JsonRead.Obj(JsonRead.Obj(spec, "resources"), "requests")?["storage"];
        if (storage is null)
        {
            errors.Add(FieldError.Required("spec.resources[storage]"));
        }
        else
        {
            var text = JsonRead.AsString(storage) ?? storage.ToJsonString();
            if (!Quantity.TryParse(text, out var amount)) errors.Add(FieldError.Invalid("spec.resources[storage]", text, Quantity.FormatMessage));
            else if (amount <= 0) errors.Add(FieldError.Invalid("spec.resources[storage]", text, "must be greater than zero"));
        }
        if (JsonRead.Str(spec, "storageClassName") is { Length: > 0 } className)
            foreach (var message in NameFormats.Dns1123Subdomain(className)) errors.Add(FieldError.Invalid("spec.storageClassName", className, message));
        if (JsonRead.Str(spec, "volumeMode") is { } volumeMode && volumeMode is not ("Block" or "Filesystem"))
            errors.Add(FieldError.NotSupported("spec.volumeMode", volumeMode, ["Block", "Filesystem"]));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        var spec = (JsonRead.Obj(obj, "spec") ?? []).DeepClone().AsObject();
        var oldSpec = (JsonRead.Obj(old, "spec") ?? []).DeepClone().AsObject();
        // The volume binder sets volumeName once; a bound claim may change its storage request (expansion).
        if (string.IsNullOrEmpty(JsonRead.Str(oldSpec, "volumeName")))
        {
            oldSpec.Remove("volumeName");
            if (spec["volumeName"] is { } volumeName) oldSpec["volumeName"] = volumeName.DeepClone();
        }
        var bound = JsonRead.Str(JsonRead.Obj(old, "status"), "phase") == "Bound";
        if (bound && JsonRead.Obj(JsonRead.Obj(spec, "resources"), "requests") is { } requests)
            requests["storage"] = JsonRead.Obj(JsonRead.Obj(oldSpec, "resources"), "requests")?["storage"]?.DeepClone();
        if (!JsonSemantics.Equal(spec, oldSpec))
            errors.Add(FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests for bound claims"));
        if (bound && StorageOf(obj) is { } size && StorageOf(old) is { } oldSize && size < oldSize)
            errors.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
    }

    private static decimal? StorageOf(JsonObject claim) =>
        JsonRead.Obj(JsonRead.Obj(JsonRead.Obj(claim, "spec"), "resources"), "requests")?["storage"] is { } node
        && Quantity.TryParse(JsonRead.AsString(node) ?? node.ToJsonString(), out var value) ? value : null;
}
