using Gantry.Api.Errors;
using Gantry.ApiServer.Security.Authorization;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Security.Authentication;

/// <summary>
/// Kubernetes' impersonation headers (<c>kubectl --as / --as-group / --as-uid</c>): the requester must be allowed the
/// <c>impersonate</c> verb on users (or the service account), groups, uids and userextras; the request then runs as the
/// impersonated identity. A service account impersonated without groups gets its service account groups.
/// </summary>
internal static class Impersonation
{
    private const string UserHeader = "Impersonate-User";
    private const string GroupHeader = "Impersonate-Group";
    private const string UidHeader = "Impersonate-Uid";
    private const string ExtraPrefix = "Impersonate-Extra-";

    /// <summary>The identity the request acts as: the impersonated one when the headers ask for it, else <paramref name="user"/>.</summary>
    public static UserInfo Apply(HttpContext context, UserInfo user, RequestAuthorizer authorizer)
    {
        var headers = context.Request.Headers;
        var name = headers[UserHeader].ToString();
        var groups = headers[GroupHeader].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var uid = headers[UidHeader].ToString();
        var extras = headers.Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (name.Length == 0)
        {
            if (groups.Count > 0 || uid.Length > 0 || extras.Count > 0)
                throw ApiException.BadRequest("requested impersonation of groups, uid or extra without impersonating a user");
            return user;
        }
        if (name.StartsWith(UserInfo.ServiceAccountPrefix, StringComparison.Ordinal) && name.Split(':') is [_, _, var ns, var sa])
        {
            Require(authorizer, user, "serviceaccounts", sa, ns);
            if (groups.Count == 0) groups = [UserInfo.ServiceAccounts, UserInfo.ServiceAccounts + ":" + ns];
        }
        else
        {
            Require(authorizer, user, "users", name);
        }
        foreach (var group in groups) Require(authorizer, user, "groups", group);
        if (uid.Length > 0) Require(authorizer, user, "uids", uid);
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (key, values) in extras)
        {
            var field = Uri.UnescapeDataString(key[ExtraPrefix.Length..]).ToLowerInvariant();
            foreach (var value in values) Require(authorizer, user, "userextras", value ?? "", subresource: field);
            extra[field] = values.Select(v => v ?? "").ToList();
        }
        return new UserInfo(name, groups, uid.Length > 0 ? uid : null, extra);
    }

    private static void Require(RequestAuthorizer authorizer, UserInfo user, string resource, string name, string ns = "", string subresource = "") =>
        authorizer.Require(new AccessAttributes
        {
            User = user,
            Verb = "impersonate",
            Group = resource is "users" or "groups" or "serviceaccounts" ? "" : "authentication.k8s.io",
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
        });
}
