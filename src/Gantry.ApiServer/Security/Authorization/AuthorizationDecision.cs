namespace Gantry.ApiServer.Security.Authorization;

/// <summary>An authorizer's answer, as Kubernetes': allow, deny outright, or leave it to the next authorizer.</summary>
internal enum AuthorizationDecision
{
    /// <summary>No opinion: the next authorizer decides (the request is denied when none allows it).</summary>
    NoOpinion,

    /// <summary>Allowed.</summary>
    Allow,

    /// <summary>Denied, whatever later authorizers would say.</summary>
    Deny,
}
