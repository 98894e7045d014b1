using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>ResourceQuotas: hard limits name standard quota resources with non-negative quantities.</summary>
internal sealed class ResourceQuotaStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] StandardNames =
    [
        "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
        "services.nodeports", "services.loadbalancers", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
        "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    ];

    protected override JsonObject? InitialStatus(JsonObject obj) => [];

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        foreach (var (name, node) in JsonRead.Obj(JsonRead.Obj(obj, "spec"), "hard") ?? [])
        {
            var path = $"spec.hard[{name}]";
            var standard = StandardNames.Contains(name) || name.StartsWith("hugepages-", StringComparison.Ordinal)
                || name.StartsWith("requests.hugepages-", StringComparison.Ordinal);
            if (!name.Contains('/') && !standard) errors.Add(FieldError.Invalid(path, name, "must be a standard resource for quota"));
            var text = JsonRead.AsString(node) ?? node?.ToJsonString() ?? "";
            if (!Quantity.TryParse(text, out var value)) errors.Add(FieldError.Invalid(path, text, Quantity.FormatMessage));
            else if (value < 0) errors.Add(FieldError.Invalid(path, text, "must be greater than or equal to 0"));
        }
    }
}
