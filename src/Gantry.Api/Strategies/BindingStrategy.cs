using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Pod bindings (create only): the target must name a node. Kubernetes validates nothing else here.</summary>
internal sealed class BindingStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override bool ValidatesMetadata => false;

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var target = JsonRead.Obj(obj, "target");
        var kind = JsonRead.Str(target, "kind") ?? "";
        if (kind.Length != 0 && kind != "Node") errors.Add(FieldError.NotSupported("target.kind", kind, ["Node", "<empty>"]));
        if (string.IsNullOrEmpty(JsonRead.Str(target, "name"))) errors.Add(FieldError.Required("target.name"));
    }
}
