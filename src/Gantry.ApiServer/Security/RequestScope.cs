using Gantry.ApiServer.Security.Authentication;
using Gantry.ApiServer.Security.Authorization;

namespace Gantry.ApiServer.Security;

/// <summary>
/// Who makes the current request, for the admission checks inside writes (NodeRestriction, RBAC escalation). Set only
/// for users outside system:masters, so the admin's requests and in-process callers carry nothing and are not restricted.
/// </summary>
internal static class RequestScope
{
    private static readonly AsyncLocal<Scope?> Value = new();

    /// <summary>The current non-master requester and the authorizer judging it, or null.</summary>
    public static Scope? Current => Value.Value;

    /// <summary>Marks the rest of the current request (the calling async flow) as made by <paramref name="user"/>.</summary>
    public static void Enter(UserInfo user, RequestAuthorizer authorizer) => Value.Value = new Scope(user, authorizer);

    /// <summary>A requester and its authorizer.</summary>
    public sealed record Scope(UserInfo User, RequestAuthorizer Authorizer);
}
