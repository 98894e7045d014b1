using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>One compiled RBAC rule with Kubernetes' matching (wildcards, resource/subresource, resourceNames, URL prefixes).</summary>
internal sealed class PolicyRule
{
    private const string All = "*";

    /// <summary>Creates a rule.</summary>
    public PolicyRule(string[] verbs, string[]? groups = null, string[]? resources = null, string[]? resourceNames = null, string[]? nonResourceUrls = null)
    {
        Verbs = verbs;
        Groups = groups ?? [];
        Resources = resources ?? [];
        ResourceNames = resourceNames ?? [];
        NonResourceUrls = nonResourceUrls ?? [];
    }

    /// <summary>Verbs.</summary>
    public string[] Verbs { get; }

    /// <summary>API groups.</summary>
    public string[] Groups { get; }

    /// <summary>Resources, "resource/subresource", "*/subresource" or "*".</summary>
    public string[] Resources { get; }

    /// <summary>Object names (empty = all).</summary>
    public string[] ResourceNames { get; }

    /// <summary>Non-resource URLs (exact, or a prefix ending in "*").</summary>
    public string[] NonResourceUrls { get; }

    /// <summary>Reads a rule of a Role or ClusterRole.</summary>
    public static PolicyRule FromJson(JsonObject rule) =>
        new(Strings(rule["verbs"]), Strings(rule["apiGroups"]), Strings(rule["resources"]), Strings(rule["resourceNames"]), Strings(rule["nonResourceURLs"]));

    /// <summary>The rule as JSON (for bootstrap roles and rules reviews).</summary>
    public JsonObject ToJson()
    {
        var rule = new JsonObject { ["verbs"] = Array(Verbs) };
        if (Groups.Length > 0 || Resources.Length > 0) rule["apiGroups"] = Array(Groups);
        if (Resources.Length > 0) rule["resources"] = Array(Resources);
        if (ResourceNames.Length > 0) rule["resourceNames"] = Array(ResourceNames);
        if (NonResourceUrls.Length > 0) rule["nonResourceURLs"] = Array(NonResourceUrls);
        return rule;
    }

    /// <summary>Whether the rule allows the request.</summary>
    public bool Allows(AccessAttributes a)
    {
        if (!Has(Verbs, a.Verb)) return false;
        if (!a.IsResourceRequest) return MatchesUrl(a.Path);
        if (!Has(Groups, a.Group) || !MatchesResource(a.Resource, a.Subresource)) return false;
        return ResourceNames.Length == 0 || (a.Name.Length > 0 && ResourceNames.Contains(a.Name, StringComparer.Ordinal));
    }

    private bool MatchesResource(string resource, string subresource)
    {
        foreach (var r in Resources)
        {
            if (r == All) return true;
            if (subresource.Length == 0)
            {
                if (r == resource) return true;
                continue;
            }
            // "pods/status" or "*/status" covers a subresource; "pods" alone does not.
            var slash = r.IndexOf('/');
            if (slash < 0 || !r.AsSpan(slash + 1).SequenceEqual(subresource)) continue;
            if (r.AsSpan(0, slash) is "*" || r.AsSpan(0, slash).SequenceEqual(resource)) return true;
        }
        return false;
    }

    private bool MatchesUrl(string path)
    {
        foreach (var url in NonResourceUrls)
        {
            if (url == All || url == path) return true;
            if (url.EndsWith('*') && path.StartsWith(url.AsSpan(0, url.Length - 1), StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static bool Has(string[] values, string value)
    {
        foreach (var v in values)
        {
            if (v == All || v == value) return true;
        }
        return false;
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray list ? list.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToArray() : [];

    private static JsonArray Array(string[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
