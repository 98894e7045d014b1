using Gantry.Api.Registry;
using Gantry.ApiServer.Admission;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Security.Authentication;
using Gantry.ApiServer.Security.Authorization;
using Gantry.ApiServer.Security.Join;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Security;

/// <summary>
/// Authentication, impersonation, authorization and NodeRestriction's request checks, in kube-apiserver's order,
/// plus the endpoints that answer before authentication (join) or through the authorizer (reviews).
/// </summary>
internal sealed class ApiSecurity(
    RequestAuthenticator authenticator,
    RequestAuthorizer authorizer,
    AccessReviewHandlers reviews,
    NodeCredentialsEndpoint join,
    CacheSet caches,
    ResourceRegistry registry)
{
    /// <summary>Serves the join endpoints (no authentication needed for /cacerts).</summary>
    public Task<bool> TryServeJoinAsync(HttpContext context, string path) =>
        path is NodeCredentialsApi.CaCertsPath or NodeCredentialsApi.Path ? join.TryServeAsync(context, path) : Task.FromResult(false);

    /// <summary>
    /// The identity a request acts as (null = 401). Non-masters' requests are authorized here (403 when denied); a node's
    /// request is checked by NodeRestriction, which then follows the request into the writes. <paramref name="info"/> parses
    /// the resource request (null for a non-resource path).
    /// </summary>
    public UserInfo? AuthenticateAndAuthorize(HttpContext context, string path, Func<HttpContext, string, RequestInfo?> info)
    {
        var user = authenticator.Authenticate(context);
        if (user is null) return null;
        if (context.Request.Headers.ContainsKey("Impersonate-User") || context.Request.Headers.ContainsKey("Impersonate-Group"))
            user = Impersonation.Apply(context, user, authorizer);
        if (user.IsMaster) return user;
        var request = info(context, path);
        authorizer.Require(request is null
            ? new AccessAttributes { User = user, Verb = context.Request.Method.ToLowerInvariant(), IsResourceRequest = false, Path = path }
            : new AccessAttributes
            {
                User = user,
                Verb = request.Verb,
                Group = request.Group,
                Version = request.Version,
                Resource = request.Resource,
                Subresource = request.Subresource ?? "",
                Namespace = request.Namespace ?? "",
                Name = request.Name ?? "",
            });
        if (user.NodeName is { } node && request is not null) NodeRestriction.CheckRequest(node, request, caches, registry);
        RequestScope.Enter(user, authorizer);
        return user;
    }

    /// <summary>Answers the review APIs through the authorizer; false for every other request.</summary>
    public Task<bool> TryServeReviewAsync(HttpContext context, RequestInfo info, UserInfo user) =>
        info.Verb == "create" && info.Group.Length > 0 ? reviews.TryServeAsync(context, info, user) : Task.FromResult(false);
}
