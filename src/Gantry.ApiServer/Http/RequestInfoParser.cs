namespace Gantry.ApiServer.Http;

/// <summary>Parses <c>/api/v1/...</c> and <c>/apis/&lt;group&gt;/&lt;version&gt;/...</c> paths into <see cref="RequestInfo"/>.</summary>
public static class RequestInfoParser
{
    /// <summary>Returns null when the path is not a resource path (discovery, health, ...).</summary>
    public static RequestInfo? Parse(string method, string path, bool watchQuery)
    {
        var parts = path.Trim('/').Split('/');
        int i;
        string group;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            group = "";
            i = 1;
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            group = parts[1];
            i = 2;
        }
        else return null;
        var version = parts[i++];
        var watch = watchQuery;
        if (parts[i] == "watch")
        {
            watch = true;
            i++;
        }
        var rest = parts.AsSpan(i);
        if (rest.Length == 0 || rest.IndexOf("") >= 0) return null;
        string? ns = null;
        // /namespaces/{ns}/{resource}/... except /namespaces/{name} and /namespaces/{name}/{status|finalize}.
        if (rest[0] == "namespaces" && rest.Length >= 3 && !(rest.Length == 3 && group.Length == 0 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }
        if (rest.Length > 3) return null;
        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : null;
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
