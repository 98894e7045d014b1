using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Namespaces: Active on create with the kubernetes finalizer, the metadata.name label, finalizers kept on update.</summary>
internal sealed class NamespaceStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private const string NameLabel = "kubernetes.io/metadata.name";
    private static readonly string[] StandardFinalizers = ["kubernetes", "orphan", "foregroundDeletion"];

    protected override IReadOnlyList<string> ValidateName(string name) => NameFormats.Dns1123Label(name);

    public override void ApplyDefaults(JsonObject obj)
    {
        var meta = JsonRead.Child(obj, "metadata");
        if (JsonRead.Str(meta, "name") is { Length: > 0 } name) JsonRead.Child(meta, "labels")[NameLabel] = name;
    }

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["phase"] = "Active" };

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        var spec = JsonRead.Child(obj, "spec");
        if (JsonRead.Arr(spec, "finalizers") is not { } finalizers)
            spec["finalizers"] = new JsonArray("kubernetes");
        else if (!JsonRead.Strings(finalizers).Any(f => f.Value == "kubernetes"))
            finalizers.Add((JsonNode)"kubernetes");
    }

    // Finalizers change only through the finalize subresource, status only through status.
    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        var spec = JsonRead.Child(obj, "spec");
        if (JsonRead.Obj(old, "spec")?["finalizers"] is { } finalizers) spec["finalizers"] = finalizers.DeepClone();
        else spec.Remove("finalizers");
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        foreach (var (_, finalizer) in JsonRead.Strings(JsonRead.Arr(JsonRead.Obj(obj, "spec"), "finalizers")))
        {
            foreach (var message in NameFormats.QualifiedName(finalizer)) errors.Add(FieldError.Invalid("spec.finalizers", finalizer, message));
            if (!finalizer.Contains('/') && !StandardFinalizers.Contains(finalizer))
                errors.Add(FieldError.Invalid("spec.finalizers", finalizer, "name is neither a standard finalizer name nor is it fully qualified"));
        }
    }
}
