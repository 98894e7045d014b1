using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// RBAC's escalation prevention, as Kubernetes' RBAC storage: a user may write a Role or ClusterRole only with rules
/// they already hold (or the <c>escalate</c> verb on it), and bind a role only when they hold all its rules (or the
/// <c>bind</c> verb on it). Aggregated ClusterRoles need <c>escalate</c>. Runs inside creates and updates of non-masters.
/// </summary>
internal static class EscalationCheck
{
    private const string Group = "rbac.authorization.k8s.io";

    /// <summary>Rejects a write of an RBAC object that would grant the requester more than it holds.</summary>
    public static void Admit(ResourceDefinition def, JsonObject obj)
    {
        if (def.Group != Group || RequestScope.Current is not { } scope) return;
        var name = (string?)obj["metadata"]?["name"] ?? "";
        var ns = def.Namespaced ? (string?)obj["metadata"]?["namespace"] ?? "" : "";
        var attributes = new AccessAttributes { User = scope.User, Verb = "", Group = Group, Namespace = ns };
        IEnumerable<PolicyRule> granted;
        switch (def.Plural)
        {
            case "roles" or "clusterroles":
                if (scope.Authorizer.Authorize(attributes with { Verb = "escalate", Resource = def.Plural, Name = name }).Allowed) return;
                if (obj["aggregationRule"] is JsonObject)
                    throw ApiException.Forbidden($"{def.Plural}.{Group} \"{name}\" is forbidden: user \"{scope.User.Name}\" must have the escalate verb to write aggregated cluster roles",
                        Details(def, name));
                granted = obj["rules"] is JsonArray rules ? rules.OfType<JsonObject>().Select(PolicyRule.FromJson).ToList() : [];
                break;
            case "rolebindings" or "clusterrolebindings":
                var kind = (string?)obj["roleRef"]?["kind"] ?? "";
                var role = (string?)obj["roleRef"]?["name"] ?? "";
                var roleResource = kind == "Role" ? "roles" : "clusterroles";
                if (scope.Authorizer.Authorize(attributes with { Verb = "bind", Resource = roleResource, Name = role }).Allowed) return;
                granted = scope.Authorizer.Rbac.RoleRules(kind, ns, role);
                break;
            default:
                return;
        }
        var missing = granted.SelectMany(Atomic).Where(a => !scope.Authorizer.Rbac.Allows(a with { User = scope.User, Namespace = ns })).ToList();
        if (missing.Count == 0) return;
        var groups = string.Join(" ", scope.User.Groups.Select(g => $"\"{g}\""));
        throw ApiException.Forbidden($"{def.Plural}.{Group} \"{name}\" is forbidden: user \"{scope.User.Name}\" (groups=[{groups}]) is attempting to grant RBAC "
            + "permissions not currently held:\n" + string.Join("\n", missing.Select(Describe)), Details(def, name));
    }

    /// <summary>A rule broken into single-verb, single-resource (and single-name) requests, wildcards kept literally.</summary>
    private static IEnumerable<AccessAttributes> Atomic(PolicyRule rule)
    {
        var user = Authentication.UserInfo.Admin;
        foreach (var verb in rule.Verbs)
        {
            foreach (var url in rule.NonResourceUrls) yield return new AccessAttributes { User = user, Verb = verb, IsResourceRequest = false, Path = url };
            foreach (var group in rule.Groups)
            {
                foreach (var resource in rule.Resources)
                {
                    var slash = resource.IndexOf('/');
                    var attributes = new AccessAttributes
                    {
                        User = user,
                        Verb = verb,
                        Group = group,
                        Resource = slash < 0 ? resource : resource[..slash],
                        Subresource = slash < 0 ? "" : resource[(slash + 1)..],
                    };
                    if (rule.ResourceNames.Length == 0) yield return attributes;
                    foreach (var name in rule.ResourceNames) yield return attributes with { Name = name };
                }
            }
        }
    }

    private static string Describe(AccessAttributes a)
    {
        if (!a.IsResourceRequest) return $"{{NonResourceURLs:[\"{a.Path}\"], Verbs:[\"{a.Verb}\"]}}";
        var resource = a.Subresource.Length > 0 ? a.Resource + "/" + a.Subresource : a.Resource;
        var names = a.Name.Length > 0 ? $", ResourceNames:[\"{a.Name}\"]" : "";
        return $"{{APIGroups:[\"{a.Group}\"], Resources:[\"{resource}\"]{names}, Verbs:[\"{a.Verb}\"]}}";
    }

    private static JsonObject Details(ResourceDefinition def, string name) => new() { ["name"] = name, ["group"] = Group, ["kind"] = def.Plural };
}
