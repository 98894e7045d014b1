using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Gantry.ApiServer.Security.Authentication;

namespace Gantry.ApiServer.Security.Authorization;

/// <summary>
/// The default ClusterRoles and ClusterRoleBindings, reconciled at every start as kube-apiserver's
/// rbac/bootstrap-roles post-start hook: missing ones are created, and ones still annotated
/// <c>rbac.authorization.kubernetes.io/autoupdate: "true"</c> get their rules and subjects back; a user who sets the
/// annotation to "false" keeps their edits.
/// </summary>
internal static class BootstrapPolicy
{
    private const string AutoUpdate = "rbac.authorization.kubernetes.io/autoupdate";
    private const string Group = "rbac.authorization.k8s.io";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    private static readonly PolicyRule[] ViewRules =
    [
        new(Read, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
            "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "bindings", "events", "limitranges", "namespaces/status",
            "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status", "namespaces"]),
        new(Read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
            "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
        new(Read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        new(Read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        new(Read, ["discovery.k8s.io"], ["endpointslices"]),
        new(Read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
        new(Read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        new(Read, ["events.k8s.io"], ["events"]),
    ];

    private static readonly PolicyRule[] EditRules =
    [
        .. ViewRules,
        new(Read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
        new(["impersonate"], [""], ["serviceaccounts"]),
        new(Write, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "configmaps", "endpoints", "persistentvolumeclaims",
            "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
        new(["create"], [""], ["serviceaccounts/token", "pods/eviction"]),
        new(Write, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
            "statefulsets", "statefulsets/scale"]),
        new(Write, ["autoscaling"], ["horizontalpodautoscalers"]),
        new(Write, ["batch"], ["cronjobs", "jobs"]),
        new(Write, ["discovery.k8s.io"], ["endpointslices"]),
        new(Write, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        new(Write, ["policy"], ["poddisruptionbudgets"]),
    ];

    private static readonly PolicyRule[] AdminRules =
    [
        .. EditRules,
        new(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        new([.. Read, .. Write], [Group], ["rolebindings", "roles"]),
    ];

    /// <summary>The ClusterRoles, by name, with their aggregation labels.</summary>
    public static readonly IReadOnlyList<(string Name, PolicyRule[] Rules, string? AggregateTo)> ClusterRoles =
    [
        ("cluster-admin", [new(["*"], ["*"], ["*"]), new(["*"], nonResourceUrls: ["*"])], null),
        ("admin", AdminRules, null),
        ("edit", EditRules, "admin"),
        ("view", ViewRules, "edit"),
        ("system:discovery", [new(["get"], nonResourceUrls: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
            "/readyz", "/version", "/version/"])], null),
        ("system:basic-user", [new(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            new(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])], null),
        ("system:public-info-viewer", [new(["get"], nonResourceUrls: ["/healthz", "/livez", "/readyz", "/version", "/version/"])], null),
        // Kubernetes' kubelet role; as upstream it is not bound (the Node authorizer grants it), it documents the node rules.
        ("system:node", [.. NodeAuthorizer.NodeRules, new(["get"], [""], ["secrets", "configmaps", "persistentvolumeclaims", "persistentvolumes"]),
            new(["create"], [""], ["serviceaccounts/token"]), new(["get", "create", "update", "patch", "delete"], ["coordination.k8s.io"], ["leases"])], null),
        ("system:node-proxier", [new(["list", "watch"], [""], ["endpoints", "services"]), new(Read, [""], ["nodes"]),
            new(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]), new(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])], null),
        // What the agent's cluster DNS server watches (k3s gives CoreDNS the same through system:coredns).
        ("gantry:cluster-dns", [new(["list", "watch"], [""], ["endpoints", "services", "pods", "namespaces"]),
            new(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])], null),
        // The agent runs the local-path provisioner in process; k3s runs it as a Deployment whose service account has
        // these rules (local-path-provisioner-role). Here the nodes get them.
        ("gantry:local-path-provisioner", [new(Read, [""], ["nodes"]), new([.. Read, "update", "patch"], [""], ["persistentvolumeclaims"]),
            new([.. Read, "create", "patch", "update", "delete"], [""], ["persistentvolumes"]), new(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
            new(Read, ["storage.k8s.io"], ["storageclasses"])], null),
    ];

    /// <summary>The ClusterRoleBindings: binding name, role, subjects as (kind, name).</summary>
    public static readonly IReadOnlyList<(string Name, string Role, (string Kind, string Name)[] Subjects)> ClusterRoleBindings =
    [
        ("cluster-admin", "cluster-admin", [("Group", UserInfo.Masters)]),
        ("system:discovery", "system:discovery", [("Group", UserInfo.AllAuthenticated)]),
        ("system:basic-user", "system:basic-user", [("Group", UserInfo.AllAuthenticated)]),
        ("system:public-info-viewer", "system:public-info-viewer", [("Group", UserInfo.AllAuthenticated), ("Group", "system:unauthenticated")]),
        // Upstream binds only the kube-proxy user; here every node runs the service proxy inside its agent.
        ("system:node-proxier", "system:node-proxier", [("User", "system:kube-proxy"), ("Group", UserInfo.Nodes)]),
        ("gantry:cluster-dns", "gantry:cluster-dns", [("Group", UserInfo.Nodes)]),
        ("gantry:local-path-provisioner", "gantry:local-path-provisioner", [("Group", UserInfo.Nodes)]),
    ];

    /// <summary>Creates the missing roles and bindings and restores the auto-updated ones.</summary>
    public static async Task EnsureAsync(ResourceService service, ResourceRegistry registry, CancellationToken cancellationToken)
    {
        var roles = registry.Find(Group, "v1", "clusterroles")!;
        var bindings = registry.Find(Group, "v1", "clusterrolebindings")!;
        foreach (var (name, rules, aggregateTo) in ClusterRoles)
        {
            var role = Object("ClusterRole", name, aggregateTo);
            role["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r.ToJson()).ToArray());
            await EnsureAsync(service, roles, role, "rules", cancellationToken);
        }
        foreach (var (name, role, subjects) in ClusterRoleBindings)
        {
            var binding = Object("ClusterRoleBinding", name, null);
            binding["roleRef"] = new JsonObject { ["apiGroup"] = Group, ["kind"] = "ClusterRole", ["name"] = role };
            binding["subjects"] = new JsonArray(subjects.Select(s => (JsonNode?)new JsonObject { ["apiGroup"] = Group, ["kind"] = s.Kind, ["name"] = s.Name }).ToArray());
            await EnsureAsync(service, bindings, binding, "subjects", cancellationToken);
        }
    }

    private static JsonObject Object(string kind, string name, string? aggregateTo)
    {
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        if (aggregateTo is not null) labels[$"rbac.authorization.k8s.io/aggregate-to-{aggregateTo}"] = "true";
        return new JsonObject
        {
            ["apiVersion"] = Group + "/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels, ["annotations"] = new JsonObject { [AutoUpdate] = "true" } },
        };
    }

    private static async Task EnsureAsync(ResourceService service, ResourceDefinition def, JsonObject wanted, string field, CancellationToken cancellationToken)
    {
        var name = (string)wanted["metadata"]!["name"]!;
        try
        {
            await service.CreateAsync(def, null, wanted.DeepClone().AsObject(), new WriteOptions { FieldManager = "gantry" }, cancellationToken);
            return;
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
        }
        var current = await service.GetAsync(def, null, name, cancellationToken);
        if ((string?)current["metadata"]?["annotations"]?[AutoUpdate] != "true" || JsonNode.DeepEquals(current[field], wanted[field])) return;
        current[field] = wanted[field]!.DeepClone();
        await service.UpdateAsync(def, null, name, current, status: false, new WriteOptions { FieldManager = "gantry" }, cancellationToken);
    }
}
