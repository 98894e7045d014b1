using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Security;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' NodeRestriction admission for requests of a node's credentials: a node may create and modify only its
/// own Node (and may not change its taints after registration, nor set labels under node-restriction.kubernetes.io/
/// or other kubernetes.io / k8s.io labels the kubelet does not own), only its own Lease, may create only mirror pods,
/// and may update the status of and delete only pods bound to it. Checks that need only the request run before
/// dispatch (<see cref="CheckRequest"/>); checks that need the object run inside the write
/// (<see cref="AdmitCreate"/>, <see cref="AdmitUpdate"/>), which learn the requesting node from the request's
/// <see cref="RequestScope"/>.
/// </summary>
internal static class NodeRestriction
{
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>The node whose credentials made the current request, or null (every other caller is unrestricted).</summary>
    private static string? RequestingNode => RequestScope.Current?.User.NodeName;

    /// <summary>Rejects a node's request for another node's object or a pod not bound to it, judged from the cached pod.</summary>
    public static void CheckRequest(string node, RequestInfo info, CacheSet caches, ResourceRegistry registry)
    {
        if (info.Group.Length != 0 || info.Name is null) return;
        switch (info.Resource)
        {
            case "nodes" when info.Verb is "update" or "patch" or "delete" && info.Name != node:
                throw ApiException.Forbidden($"nodes \"{info.Name}\" is forbidden: node \"{node}\" is not allowed to modify node \"{info.Name}\"",
                    Details("nodes", info.Name));
            case "pods" when (info.Verb == "delete" && info.Subresource is null) || (info.Verb is "update" or "patch" && info.Subresource == "status"):
                var pods = registry.Find("", "v1", "pods")!;
                var cached = caches.For(pods).Get(pods.KeyFor(info.Namespace, info.Name));
                if (cached is null) return;
                if (cached.Fields.GetValueOrDefault("spec.nodeName") != node) throw PodNotBound(node, info.Name, info.Verb == "delete");
                return;
        }
    }

    /// <summary>Admits an object a node creates (run by the resource service; a no-op for everyone but nodes).</summary>
    public static void AdmitCreate(ResourceDefinition def, JsonObject obj)
    {
        if (RequestingNode is not { } node || def.Group.Length > 0 && def.Group != "coordination.k8s.io") return;
        var name = (string?)obj["metadata"]?["name"] ?? "";
        switch (def.Plural)
        {
            case "nodes":
                if (name != node)
                    throw ApiException.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" is not allowed to modify node \"{name}\"", Details("nodes", name));
                CheckLabels(node, name, null, obj);
                break;
            case "pods" when def.Group.Length == 0:
                if (obj["metadata"]?["annotations"]?[MirrorAnnotation] is null)
                    throw ApiException.Forbidden($"pods \"{name}\" is forbidden: pod does not have \"{MirrorAnnotation}\" annotation, node \"{node}\" can only create mirror pods",
                        Details("pods", name));
                if ((string?)obj["spec"]?["nodeName"] != node)
                    throw ApiException.Forbidden($"pods \"{name}\" is forbidden: node \"{node}\" can only create pods with spec.nodeName set to itself", Details("pods", name));
                break;
            case "leases" when def.Group == "coordination.k8s.io" && name != node:
                throw ApiException.Forbidden($"leases.coordination.k8s.io \"{name}\" is forbidden: can only access node lease with the same name as the requesting node",
                    Details("leases", name, "coordination.k8s.io"));
        }
    }

    /// <summary>Admits a node's update of an object it may write (run by the resource service with the stored object).</summary>
    public static void AdmitUpdate(ResourceDefinition def, JsonObject updated, JsonObject old, bool status)
    {
        if (RequestingNode is not { } node || def.Group.Length > 0) return;
        var name = (string?)old["metadata"]?["name"] ?? "";
        switch (def.Plural)
        {
            case "nodes" when !status:
                if (!JsonNode.DeepEquals(updated["spec"]?["taints"], old["spec"]?["taints"]))
                    throw ApiException.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" is not allowed to modify taints", Details("nodes", name));
                CheckLabels(node, name, old, updated);
                break;
            case "pods":
                if ((string?)old["spec"]?["nodeName"] != node) throw PodNotBound(node, name, false);
                break;
        }
    }

    /// <summary>
    /// Labels a kubelet may not set or change (Kubernetes' rules): the node-restriction.kubernetes.io/ prefix, and any
    /// other kubernetes.io or k8s.io label except the kubelet's own namespaces and well-known labels.
    /// </summary>
    private static void CheckLabels(string node, string name, JsonObject? old, JsonObject updated)
    {
        var before = old?["metadata"]?["labels"] as JsonObject;
        var after = updated["metadata"]?["labels"] as JsonObject;
        var keys = (before?.Select(p => p.Key) ?? []).Concat(after?.Select(p => p.Key) ?? []).Distinct();
        var forbidden = keys.Where(k => IsRestricted(k) && !JsonNode.DeepEquals(before?[k], after?[k])).Order(StringComparer.Ordinal).ToList();
        if (forbidden.Count == 0) return;
        var what = old is null ? "is not allowed to set the following labels" : "is not allowed to modify labels";
        throw ApiException.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" {what}: {string.Join(", ", forbidden)}", Details("nodes", name));
    }

    private static readonly string[] KubeletLabels =
    [
        "kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os", "beta.kubernetes.io/arch", "beta.kubernetes.io/os",
        "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type", "failure-domain.beta.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
    ];

    private static bool IsRestricted(string key)
    {
        var slash = key.IndexOf('/');
        if (slash < 0) return false;
        var domain = key[..slash];
        if (domain == "node-restriction.kubernetes.io" || domain.EndsWith(".node-restriction.kubernetes.io", StringComparison.Ordinal)) return true;
        var kubernetes = domain is "kubernetes.io" or "k8s.io" || domain.EndsWith(".kubernetes.io", StringComparison.Ordinal) || domain.EndsWith(".k8s.io", StringComparison.Ordinal);
        if (!kubernetes) return false;
        if (domain is "kubelet.kubernetes.io" or "node.kubernetes.io" || domain.EndsWith(".kubelet.kubernetes.io", StringComparison.Ordinal)
            || domain.EndsWith(".node.kubernetes.io", StringComparison.Ordinal)) return false;
        return !KubeletLabels.Contains(key, StringComparer.Ordinal);
    }

    private static ApiException PodNotBound(string node, string pod, bool deleting) => ApiException.Forbidden(deleting
        ? $"pods \"{pod}\" is forbidden: node \"{node}\" can only delete pods with spec.nodeName set to itself"
        : $"pods \"{pod}\" is forbidden: node \"{node}\" can only update pod status for pods with spec.nodeName set to itself", Details("pods", pod));

    private static JsonObject Details(string kind, string name, string group = "")
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0) details["group"] = group;
        details["kind"] = kind;
        return details;
    }
}
