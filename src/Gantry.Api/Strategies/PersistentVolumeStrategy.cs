using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>PersistentVolumes: Pending on create, Retain and Filesystem by default, access modes and capacity required, source fixed.</summary>
internal sealed class PersistentVolumeStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    internal static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
    private static readonly string[] NonSourceFields =
        ["accessModes", "capacity", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName", "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"];

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonRead.Child(obj, "spec");
        JsonRead.DefaultString(spec, "persistentVolumeReclaimPolicy", "Retain");
        JsonRead.Default(spec, "volumeMode", "Filesystem");
    }

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["phase"] = "Pending" };

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec") ?? [];
        var modes = JsonRead.Arr(spec, "accessModes");
        if (modes is not { Count: > 0 }) errors.Add(FieldError.Required("spec.accessModes"));
        foreach (var (_, mode) in JsonRead.Strings(modes))
            if (!AccessModes.Contains(mode)) errors.Add(FieldError.NotSupported("spec.accessModes", mode, AccessModes));
        var capacity = JsonRead.Obj(spec, "capacity");
        if (capacity is not { Count: > 0 }) errors.Add(FieldError.Required("spec.capacity"));
        if (capacity?.ContainsKey("storage") != true || capacity.Count > 1)
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.capacity", GoValue.Json(capacity), "supported values: \"storage\"") { ValueIsRaw = true });
        if (!spec.Any(p => !NonSourceFields.Contains(p.Key) && p.Value is not null))
            errors.Add(FieldError.Required("spec", "must specify a volume type"));
        if (JsonRead.Str(spec, "persistentVolumeReclaimPolicy") is { } policy && policy is not ("Delete" or "Recycle" or "Retain"))
            errors.Add(FieldError.NotSupported("spec.persistentVolumeReclaimPolicy", policy, ["Delete", "Recycle", "Retain"]));
        if (JsonRead.Str(spec, "volumeMode") is { } volumeMode && volumeMode is not ("Block" or "Filesystem"))
            errors.Add(FieldError.NotSupported("spec.volumeMode", volumeMode, ["Block", "Filesystem"]));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        if (!JsonSemantics.Equal(Source(obj), Source(old)))
            errors.Add(FieldError.Forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
        Immutable(JsonRead.Str(JsonRead.Obj(obj, "spec"), "volumeMode"), JsonRead.Str(JsonRead.Obj(old, "spec"), "volumeMode"), "volumeMode", errors);
    }

    private static JsonObject Source(JsonObject pv)
    {
        var source = new JsonObject();
        foreach (var (key, value) in JsonRead.Obj(pv, "spec") ?? [])
            if (!NonSourceFields.Contains(key)) source[key] = value?.DeepClone();
        return source;
    }
}
