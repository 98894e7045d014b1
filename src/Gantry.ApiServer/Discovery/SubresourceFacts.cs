using Gantry.Api.Registry;

namespace Gantry.ApiServer.Discovery;

/// <summary>What each subresource answers with and which verbs it takes, as Kubernetes' discovery reports them.</summary>
internal static class SubresourceFacts
{
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];
    private static readonly string[] Create = ["create"];
    private static readonly string[] CreateGet = ["create", "get"];
    private static readonly string[] Proxy = ["create", "delete", "get", "patch", "update"];

    /// <summary>The (group, version, kind) a subresource answers with and its verbs.</summary>
    public static (string Group, string Version, string Kind, IReadOnlyList<string> Verbs) For(ResourceDefinition parent, string subresource) =>
        subresource switch
        {
            "status" => (parent.Group, parent.Version, parent.Kind, GetPatchUpdate),
            "scale" => ("autoscaling", "v1", "Scale", GetPatchUpdate),
            "log" => ("", "v1", "Pod", ["get"]),
            "exec" => ("", "v1", "PodExecOptions", CreateGet),
            "attach" => ("", "v1", "PodAttachOptions", CreateGet),
            "portforward" => ("", "v1", "PodPortForwardOptions", CreateGet),
            "proxy" => ("", "v1", parent.Kind + "ProxyOptions", Proxy),
            "binding" => ("", "v1", "Binding", Create),
            "eviction" => ("policy", "v1", "Eviction", Create),
            "token" => ("authentication.k8s.io", "v1", "TokenRequest", Create),
            "finalize" => (parent.Group, parent.Version, parent.Kind, ["update"]),
            _ => (parent.Group, parent.Version, parent.Kind, GetPatchUpdate),
        };
}
