using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>RBAC Roles and ClusterRoles: path-segment names and policy rules with verbs and targets.</summary>
internal sealed class RoleStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override IReadOnlyList<string> ValidateName(string name) => NameFormats.PathSegmentName(name);

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        foreach (var (i, rule) in JsonRead.Items(JsonRead.Arr(obj, "rules")))
        {
            var at = $"rules[{i}]";
            if (JsonRead.Arr(rule, "verbs") is not { Count: > 0 }) errors.Add(FieldError.Required(at + ".verbs", "verbs must contain at least one value"));
            var urls = JsonRead.Arr(rule, "nonResourceURLs");
            if (urls is { Count: > 0 })
            {
                if (Definition.Namespaced)
                    errors.Add(FieldError.InvalidRaw(at + ".nonResourceURLs", GoValue.StringSlice(urls), "namespaced rules cannot apply to non-resource URLs"));
                else if (JsonRead.Arr(rule, "apiGroups") is { Count: > 0 } || JsonRead.Arr(rule, "resources") is { Count: > 0 } || JsonRead.Arr(rule, "resourceNames") is { Count: > 0 })
                    errors.Add(FieldError.InvalidRaw(at + ".nonResourceURLs", GoValue.StringSlice(urls), "rules cannot apply to both regular resources and non-resource URLs"));
                continue;
            }
            if (JsonRead.Arr(rule, "apiGroups") is not { Count: > 0 })
                errors.Add(FieldError.Required(at + ".apiGroups", "resource rules must supply at least one api group"));
            if (JsonRead.Arr(rule, "resources") is not { Count: > 0 })
                errors.Add(FieldError.Required(at + ".resources", "resource rules must supply at least one resource"));
        }
        if (JsonRead.Obj(obj, "aggregationRule") is { } aggregation && JsonRead.Arr(aggregation, "clusterRoleSelectors") is not { Count: > 0 })
            errors.Add(FieldError.Required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    }
}
