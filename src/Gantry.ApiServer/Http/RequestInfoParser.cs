using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Http;

/// <summary>Parses <c>/api/v1/...</c> and <c>/apis/&lt;group&gt;/&lt;version&gt;/...</c> paths into <see cref="RequestInfo"/>.</summary>
public static class RequestInfoParser
{
    // The longest resource path: apis/{group}/{version}/watch/namespaces/{ns}/{resource}/{name}/{subresource}.
    private const int MaxSegments = 9;

    /// <summary>Returns null when the path is not a resource path (discovery, health, ...).</summary>
    public static RequestInfo? Parse(string method, string path, bool watchQuery)
    {
        // Every request is parsed: segments are ranges of the path, and all but the name are shared strings.
        var trimmed = path.AsSpan().Trim('/');
        Span<Range> parts = stackalloc Range[MaxSegments + 1];
        var count = trimmed.Split(parts, '/');
        if (count > MaxSegments) return null;
        int i;
        string group;
        if (count >= 3 && trimmed[parts[0]] is "api")
        {
            group = "";
            i = 1;
        }
        else if (count >= 4 && trimmed[parts[0]] is "apis")
        {
            group = SharedStrings.Get(trimmed[parts[1]]);
            i = 2;
        }
        else return null;
        var version = SharedStrings.Get(trimmed[parts[i++]]);
        var watch = watchQuery;
        if (trimmed[parts[i]] is "watch")
        {
            watch = true;
            i++;
        }
        var rest = parts[i..count];
        if (rest.Length == 0) return null;
        foreach (var part in rest)
        {
            if (trimmed[part].IsEmpty) return null;
        }
        string? ns = null;
        // /namespaces/{ns}/{resource}/... except /namespaces/{name} and /namespaces/{name}/{status|finalize}.
        if (trimmed[rest[0]] is "namespaces" && rest.Length >= 3 && !(rest.Length == 3 && group.Length == 0 && trimmed[rest[2]] is "status" or "finalize"))
        {
            ns = SharedStrings.Get(trimmed[rest[1]]);
            rest = rest[2..];
        }
        if (rest.Length > 3) return null;
        var resource = SharedStrings.Get(trimmed[rest[0]]);
        var name = rest.Length > 1 ? trimmed[rest[1]].ToString() : null;
        var sub = rest.Length > 2 ? SharedStrings.Get(trimmed[rest[2]]) : null;
        var verb = method switch
        {
            "GET" or "HEAD" => name is null ? (watch ? "watch" : "list") : (watch ? "watch" : "get"),
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => "unknown",
        };
        return new RequestInfo { Group = group, Version = version, Namespace = ns, Resource = resource, Name = name, Subresource = sub, Verb = verb };
    }
}
