using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// Kubernetes' Node authorizer for credentials of user <c>system:node:NAME</c> in group system:nodes: secrets, config
/// maps and persistent volume claims only when a pod bound to the node references them, persistent volumes only when
/// bound to such a claim, tokens only for its pods' service accounts, only its own Lease; everything else by the static
/// kubelet rules (NodeRestriction admission then limits writes to the node's own Node and pods). Pods bound to a node
/// are found through the pod cache's spec.nodeName field, their references computed once per pod revision.
/// </summary>
internal sealed class NodeAuthorizer
{
    /// <summary>The namespace of node Leases.</summary>
    public const string LeaseNamespace = "kube-node-lease";

    /// <summary>What every kubelet may do besides the graph-checked reads (Kubernetes' NodeRules, less CSI and DRA).</summary>
    public static readonly IReadOnlyList<PolicyRule> NodeRules =
    [
        new(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
        new(["create"], ["authorization.k8s.io"], ["subjectaccessreviews", "localsubjectaccessreviews"]),
        new(["get", "list", "watch"], [""], ["services"]),
        new(["create", "get", "list", "watch"], [""], ["nodes"]),
        new(["update", "patch"], [""], ["nodes/status"]),
        new(["update", "patch"], [""], ["nodes"]),
        new(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]),
        new(["get", "list", "watch"], [""], ["pods"]),
        new(["create", "delete"], [""], ["pods"]),
        new(["update", "patch"], [""], ["pods/status"]),
        new(["create"], [""], ["pods/eviction"]),
        new(["get"], [""], ["endpoints"]),
        new(["update", "patch"], [""], ["persistentvolumeclaims/status"]),
    ];

    private readonly ResourceDefinition _pods;
    private readonly ResourceDefinition _claims;
    private readonly ResourceDefinition _volumes;
    private readonly CacheSet _caches;

    /// <summary>Creates the authorizer over the server's caches.</summary>
    public NodeAuthorizer(CacheSet caches, ResourceRegistry registry)
    {
        _caches = caches;
        _pods = registry.Find("", "v1", "pods")!;
        _claims = registry.Find("", "v1", "persistentvolumeclaims")!;
        _volumes = registry.Find("", "v1", "persistentvolumes")!;
    }

    /// <summary>The decision for a request of a node's credentials (NoOpinion for every other user).</summary>
    public (AuthorizationDecision Decision, string Reason) Authorize(AccessAttributes a)
    {
        if (a.User.NodeName is not { } node) return (AuthorizationDecision.NoOpinion, "");
        if (!a.IsResourceRequest) return (AuthorizationDecision.NoOpinion, "");
        var noRelationship = $"no relationship found between node '{node}' and this object";
        switch (a.Group, a.Resource, a.Subresource)
        {
            case ("", "secrets" or "configmaps" or "persistentvolumeclaims", ""):
                if (a.Verb is not ("get" or "list" or "watch") || (a.Resource == "persistentvolumeclaims" && a.Verb != "get"))
                    return (AuthorizationDecision.NoOpinion, "can only read resources of this type");
                if (a.Name.Length == 0) return (AuthorizationDecision.NoOpinion, "can only get individual resources of this type");
                return Referenced(node, a.Namespace, a.Resource, a.Name) ? (AuthorizationDecision.Allow, "") : (AuthorizationDecision.NoOpinion, noRelationship);
            case ("", "persistentvolumes", ""):
                if (a.Verb != "get") return (AuthorizationDecision.NoOpinion, "can only get individual resources of this type");
                return VolumeReferenced(node, a.Name) ? (AuthorizationDecision.Allow, "") : (AuthorizationDecision.NoOpinion, noRelationship);
            case ("", "serviceaccounts", "token"):
                if (a.Verb != "create") return (AuthorizationDecision.NoOpinion, "can only create tokens for individual service accounts");
                return Referenced(node, a.Namespace, "serviceaccounts", a.Name) ? (AuthorizationDecision.Allow, "") : (AuthorizationDecision.NoOpinion, noRelationship);
            case ("coordination.k8s.io", "leases", ""):
                if (a.Namespace != LeaseNamespace || (a.Verb != "create" && a.Name != node)
                    || a.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
                    return (AuthorizationDecision.NoOpinion, "can only access node lease with the same name as the requesting node");
                return (AuthorizationDecision.Allow, "");
        }
        foreach (var rule in NodeRules)
        {
            if (rule.Allows(a)) return (AuthorizationDecision.Allow, "");
        }
        return (AuthorizationDecision.NoOpinion, "");
    }

    /// <summary>Whether a pod bound to <paramref name="node"/> in <paramref name="ns"/> references the object.</summary>
    private bool Referenced(string node, string ns, string resource, string name)
    {
        foreach (var pod in PodsOn(node, ns))
        {
            var refs = PodReferences.Of(pod);
            var found = resource switch
            {
                "secrets" => refs.Secrets.Contains(name),
                "configmaps" => refs.ConfigMaps.Contains(name),
                "persistentvolumeclaims" => refs.Claims.Contains(name),
                "serviceaccounts" => refs.ServiceAccount == name,
                _ => false,
            };
            if (found) return true;
        }
        return false;
    }

    /// <summary>A persistent volume is the node's when it is bound to a claim a pod of the node uses.</summary>
    private bool VolumeReferenced(string node, string name)
    {
        if (name.Length == 0 || _caches.For(_volumes).Get(_volumes.KeyFor(null, name)) is not { } volume) return false;
        var claimRef = volume.Parse()["spec"]?["claimRef"];
        if ((string?)claimRef?["namespace"] is not { Length: > 0 } ns || (string?)claimRef["name"] is not { Length: > 0 } claim) return false;
        return _caches.For(_claims).Get(_claims.KeyFor(ns, claim)) is not null && Referenced(node, ns, "persistentvolumeclaims", claim);
    }

    private IEnumerable<CachedObject> PodsOn(string node, string ns)
    {
        var (pods, _) = _caches.For(_pods).Snapshot(_pods.PrefixFor(ns));
        return pods.Where(p => p.Fields.GetValueOrDefault("spec.nodeName") == node);
    }
}
