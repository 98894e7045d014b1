using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>storage.k8s.io StorageClasses: Delete and Immediate by default; provisioner required; provisioner and parameters fixed.</summary>
internal sealed class StorageClassStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    public override void ApplyDefaults(JsonObject obj)
    {
        JsonRead.DefaultString(obj, "reclaimPolicy", "Delete");
        JsonRead.DefaultString(obj, "volumeBindingMode", "Immediate");
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var provisioner = JsonRead.Str(obj, "provisioner") ?? "";
        if (provisioner.Length == 0) errors.Add(FieldError.Required("provisioner"));
        else foreach (var message in NameFormats.QualifiedName(provisioner.ToLowerInvariant())) errors.Add(FieldError.Invalid("provisioner", provisioner, message));
        if (JsonRead.Str(obj, "reclaimPolicy") is { } policy && policy is not ("Delete" or "Retain"))
            errors.Add(FieldError.NotSupported("reclaimPolicy", policy, ["Delete", "Retain"]));
        if (JsonRead.Str(obj, "volumeBindingMode") is { } mode && mode is not ("Immediate" or "WaitForFirstConsumer"))
            errors.Add(FieldError.NotSupported("volumeBindingMode", mode, ["Immediate", "WaitForFirstConsumer"]));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        if (!JsonSemantics.Equal(Parameters(obj), Parameters(old))) errors.Add(FieldError.Forbidden("parameters", "updates to parameters are forbidden."));
        if (JsonRead.Str(obj, "provisioner") != JsonRead.Str(old, "provisioner")) errors.Add(FieldError.Forbidden("provisioner", "updates to provisioner are forbidden."));
        if (JsonRead.Str(obj, "reclaimPolicy") != JsonRead.Str(old, "reclaimPolicy")) errors.Add(FieldError.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        Immutable(JsonRead.Str(obj, "volumeBindingMode"), JsonRead.Str(old, "volumeBindingMode"), "volumeBindingMode", errors);
    }

    private static JsonNode? Parameters(JsonObject storageClass) => JsonRead.Obj(storageClass, "parameters") is { Count: > 0 } p ? p : null;
}
