using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>SelfSubjectAccessReviews (create only): exactly one of resourceAttributes and nonResourceAttributes.</summary>
internal sealed class SelfSubjectAccessReviewStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override bool ValidatesMetadata => false;

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        var resource = JsonRead.Obj(spec, "resourceAttributes");
        var nonResource = JsonRead.Obj(spec, "nonResourceAttributes");
        if (resource is not null && nonResource is not null)
            errors.Add(FieldError.InvalidRaw("spec.resourceAttributes", GoValue.Json(nonResource), "cannot be specified in combination with resourceAttributes"));
        if (resource is null && nonResource is null)
            errors.Add(FieldError.InvalidRaw("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
    }
}
