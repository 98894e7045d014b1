using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Security.Authentication;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// Kubernetes' RBAC authorizer over Roles, ClusterRoles and their bindings. The four resources are read from the watch
/// caches into an index by subject (user or group), rebuilt only when one of those caches changed, so a request costs a
/// few dictionary lookups. A ClusterRole with an aggregationRule gets the rules of the ClusterRoles its selectors
/// match (what Kubernetes' aggregation controller writes into it).
/// </summary>
internal sealed class RbacAuthorizer
{
    private readonly ResourceCache[] _sources;
    private readonly ResourceCache _clusterRoles;
    private readonly ResourceCache _roles;
    private readonly ResourceCache _clusterBindings;
    private readonly ResourceCache _bindings;
    private readonly Lock _rebuild = new();
    private volatile Index? _index;

    /// <summary>Creates the authorizer over the server's caches.</summary>
    public RbacAuthorizer(CacheSet caches, ResourceRegistry registry)
    {
        ResourceCache Cache(string plural) => caches.For(registry.Find("rbac.authorization.k8s.io", "v1", plural)!);
        _clusterRoles = Cache("clusterroles");
        _roles = Cache("roles");
        _clusterBindings = Cache("clusterrolebindings");
        _bindings = Cache("rolebindings");
        _sources = [_clusterRoles, _roles, _clusterBindings, _bindings];
    }

    /// <summary>Whether a rule bound to the user (directly or through a group) allows the request.</summary>
    public bool Allows(AccessAttributes a)
    {
        var index = Current();
        foreach (var rules in index.RulesFor(a.User, a.Namespace))
        {
            foreach (var rule in rules)
            {
                if (rule.Allows(a)) return true;
            }
        }
        return false;
    }

    /// <summary>The rules of a Role (in <paramref name="ns"/>) or ClusterRole (aggregation resolved); empty when it does not exist.</summary>
    public IReadOnlyList<PolicyRule> RoleRules(string kind, string ns, string name) => Current().RoleRules(kind, ns, name);

    /// <summary>Every rule that applies to the user in <paramref name="ns"/> (cluster-wide rules included).</summary>
    public IEnumerable<PolicyRule> RulesFor(UserInfo user, string ns) => Current().RulesFor(user, ns).SelectMany(r => r);

    private Index Current()
    {
        var index = _index;
        if (index is not null && index.IsCurrent(_sources)) return index;
        lock (_rebuild)
        {
            index = _index;
            if (index is not null && index.IsCurrent(_sources)) return index;
            // Read the counters before the contents: a change in between only causes another rebuild.
            var versions = _sources.Select(s => s.Changes).ToArray();
            index = Build(versions);
            _index = index;
            return index;
        }
    }

    private Index Build(long[] versions)
    {
        var clusterRoleObjects = _clusterRoles.Snapshot(null).Items.Select(o => o.Parse()).ToList();
        var clusterRoles = new Dictionary<string, PolicyRule[]>(StringComparer.Ordinal);
        foreach (var role in clusterRoleObjects) clusterRoles[Name(role)] = Rules(role);
        foreach (var role in clusterRoleObjects)
        {
            if (role["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors) continue;
            var matchers = selectors.OfType<JsonObject>().Select(s => LabelSelector.FromLabelSelectorObject(s)).ToList();
            clusterRoles[Name(role)] = clusterRoleObjects
                .Where(other => other != role && matchers.Any(m => m.Matches(other["metadata"]?["labels"] as JsonObject)))
                .SelectMany(Rules).Concat(clusterRoles[Name(role)]).ToArray();
        }
        var roles = new Dictionary<string, PolicyRule[]>(StringComparer.Ordinal);
        foreach (var cached in _roles.Snapshot(null).Items)
        {
            var role = cached.Parse();
            roles[cached.Namespace + "/" + Name(role)] = Rules(role);
        }
        var index = new Index(versions, clusterRoles, roles);
        foreach (var cached in _clusterBindings.Snapshot(null).Items)
        {
            var binding = cached.Parse();
            if (RoleRef(binding) is ("ClusterRole", var name) && clusterRoles.TryGetValue(name, out var rules)) index.Add("", binding, rules);
        }
        foreach (var cached in _bindings.Snapshot(null).Items)
        {
            var binding = cached.Parse();
            var ns = cached.Namespace ?? "";
            var rules = RoleRef(binding) switch
            {
                ("ClusterRole", var name) => clusterRoles.GetValueOrDefault(name),
                ("Role", var name) => roles.GetValueOrDefault(ns + "/" + name),
                _ => null,
            };
            if (rules is not null && ns.Length > 0) index.Add(ns, binding, rules);
        }
        return index;
    }

    private static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    private static PolicyRule[] Rules(JsonObject role) =>
        role["rules"] is JsonArray rules ? rules.OfType<JsonObject>().Select(PolicyRule.FromJson).ToArray() : [];

    private static (string Kind, string Name) RoleRef(JsonObject binding) =>
        ((string?)binding["roleRef"]?["kind"] ?? "", (string?)binding["roleRef"]?["name"] ?? "");

    /// <summary>Rules by subject key ("u:NAME" or "g:NAME"), cluster-wide ("" namespace) and per namespace.</summary>
    private sealed class Index(long[] versions, Dictionary<string, PolicyRule[]> clusterRoles, Dictionary<string, PolicyRule[]> roles)
    {
        public IReadOnlyList<PolicyRule> RoleRules(string kind, string ns, string name) => kind switch
        {
            "ClusterRole" => clusterRoles.GetValueOrDefault(name) ?? [],
            "Role" => roles.GetValueOrDefault(ns + "/" + name) ?? [],
            _ => [],
        };

        private readonly Dictionary<string, Dictionary<string, List<PolicyRule[]>>> _byNamespace = new(StringComparer.Ordinal);

        public bool IsCurrent(ResourceCache[] sources)
        {
            for (var i = 0; i < sources.Length; i++)
            {
                if (sources[i].Changes != versions[i]) return false;
            }
            return true;
        }

        public void Add(string ns, JsonObject binding, PolicyRule[] rules)
        {
            if (binding["subjects"] is not JsonArray subjects) return;
            if (!_byNamespace.TryGetValue(ns, out var bySubject)) _byNamespace[ns] = bySubject = new(StringComparer.Ordinal);
            foreach (var subject in subjects.OfType<JsonObject>())
            {
                var name = (string?)subject["name"] ?? "";
                var key = (string?)subject["kind"] switch
                {
                    "User" => "u:" + name,
                    "Group" => "g:" + name,
                    // A service account subject without a namespace means the binding's own namespace (as Kubernetes).
                    "ServiceAccount" => "u:" + UserInfo.ServiceAccountPrefix + ((string?)subject["namespace"] is { Length: > 0 } sans ? sans : ns) + ":" + name,
                    _ => null,
                };
                if (key is null) continue;
                if (!bySubject.TryGetValue(key, out var list)) bySubject[key] = list = [];
                list.Add(rules);
            }
        }

        public IEnumerable<PolicyRule[]> RulesFor(UserInfo user, string ns)
        {
            foreach (var rules in For("", user)) yield return rules;
            if (ns.Length == 0) yield break;
            foreach (var rules in For(ns, user)) yield return rules;
        }

        private IEnumerable<PolicyRule[]> For(string ns, UserInfo user)
        {
            if (!_byNamespace.TryGetValue(ns, out var bySubject)) yield break;
            if (bySubject.TryGetValue("u:" + user.Name, out var mine))
            {
                foreach (var rules in mine) yield return rules;
            }
            foreach (var group in user.Groups)
            {
                if (!bySubject.TryGetValue("g:" + group, out var theirs)) continue;
                foreach (var rules in theirs) yield return rules;
            }
        }
    }
}
