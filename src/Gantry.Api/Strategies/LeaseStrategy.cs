using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>coordination.k8s.io Leases: a positive duration and non-negative transition count.</summary>
internal sealed class LeaseStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        if (JsonRead.Long(spec, "leaseDurationSeconds") is <= 0 and var duration)
            errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
        WorkloadRules.NonNegative(spec, "leaseTransitions", "spec.leaseTransitions", errors);
    }
}
