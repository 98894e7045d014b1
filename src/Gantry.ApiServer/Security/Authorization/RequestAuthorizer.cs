using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// The authorizer chain, as kube-apiserver's <c>--authorization-mode=Node,RBAC</c>: system:masters is allowed without a
/// lookup, then the Node authorizer, then RBAC. A denial is worded exactly as Kubernetes words it.
/// </summary>
internal sealed class RequestAuthorizer(NodeAuthorizer nodes, RbacAuthorizer rbac)
{
    /// <summary>The RBAC authorizer (for rules reviews).</summary>
    public RbacAuthorizer Rbac => rbac;

    /// <summary>Whether the request is allowed, with the reasons of the authorizers that did not allow it.</summary>
    public (bool Allowed, string Reason) Authorize(AccessAttributes a)
    {
        if (a.User.IsMaster) return (true, "");
        var (decision, reason) = nodes.Authorize(a);
        if (decision == AuthorizationDecision.Allow) return (true, reason);
        if (decision == AuthorizationDecision.Deny) return (false, reason);
        return rbac.Allows(a) ? (true, "") : (false, reason);
    }

    /// <summary>Throws Kubernetes' 403 when the request is not allowed.</summary>
    public void Require(AccessAttributes a)
    {
        var (allowed, reason) = Authorize(a);
        if (!allowed) throw Forbidden(a, reason);
    }

    /// <summary>
    /// The 403 Kubernetes answers: <c>pods is forbidden: User "u" cannot list resource "pods" in API group "" in the
    /// namespace "default"</c>, with details {name, group, kind} and the authorizers' reason appended after a colon.
    /// </summary>
    public static ApiException Forbidden(AccessAttributes a, string reason)
    {
        string what;
        if (!a.IsResourceRequest)
        {
            what = $"User \"{a.User.Name}\" cannot {a.Verb} path \"{a.Path}\"";
        }
        else
        {
            var resource = a.Subresource.Length > 0 ? a.Resource + "/" + a.Subresource : a.Resource;
            what = a.Namespace.Length > 0
                ? $"User \"{a.User.Name}\" cannot {a.Verb} resource \"{resource}\" in API group \"{a.Group}\" in the namespace \"{a.Namespace}\""
                : $"User \"{a.User.Name}\" cannot {a.Verb} resource \"{resource}\" in API group \"{a.Group}\" at the cluster scope";
        }
        if (reason.Length > 0) what += ": " + reason;
        var details = new JsonObject();
        if (!a.IsResourceRequest) return ApiException.Forbidden("forbidden: " + what, details);
        var qualified = a.Group.Length > 0 ? a.Resource + "." + a.Group : a.Resource;
        if (a.Name.Length > 0) details["name"] = a.Name;
        if (a.Group.Length > 0) details["group"] = a.Group;
        details["kind"] = a.Resource;
        var message = a.Name.Length > 0 ? $"{qualified} \"{a.Name}\" is forbidden: {what}" : $"{qualified} is forbidden: {what}";
        return ApiException.Forbidden(message, details);
    }
}
