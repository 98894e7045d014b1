using System.Text.Json.Nodes;
using Gantry.Api.Selectors;

namespace Gantry.Api.Printing;

/// <summary>Tables of the pod controllers: ReplicationController, ReplicaSet, Deployment, StatefulSet, DaemonSet, ControllerRevision.</summary>
internal static class WorkloadPrinters
{
    public static IResourcePrinter ReplicationController() => new TablePrinter(
    [
        Col.Name,
        Col.Integer("Desired", ColumnDescriptions.ReplicationControllerSpecReplicas),
        Col.Integer("Current", ColumnDescriptions.ReplicationControllerStatusReplicas),
        Col.Integer("Ready", ColumnDescriptions.ReplicationControllerReadyReplicas),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.ReplicationControllerSelector),
    ], (rc, now) =>
    {
        var (names, images) = Col.ContainerCells(JsonRead.Obj(rc, "spec.template.spec"));
        return
        [
            Col.NameOf(rc), JsonRead.Int(rc, "spec.replicas"), JsonRead.Int(rc, "status.replicas"), JsonRead.Int(rc, "status.readyReplicas"),
            Age.Since(rc, now), names, images, LabelSelector.FormatLabels(JsonRead.At(rc, "spec.selector")),
        ];
    });

    public static IResourcePrinter ReplicaSet() => new TablePrinter(
    [
        Col.Name,
        Col.Integer("Desired", ColumnDescriptions.ReplicaSetSpecReplicas),
        Col.Integer("Current", ColumnDescriptions.ReplicaSetStatusReplicas),
        Col.Integer("Ready", ColumnDescriptions.ReplicaSetReadyReplicas),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.ReplicaSetSelector),
    ], (rs, now) =>
    {
        var (names, images) = Col.ContainerCells(JsonRead.Obj(rs, "spec.template.spec"));
        return
        [
            Col.NameOf(rs), JsonRead.Int(rs, "spec.replicas"), JsonRead.Int(rs, "status.replicas"), JsonRead.Int(rs, "status.readyReplicas"),
            Age.Since(rs, now), names, images, LabelSelector.Format(JsonRead.At(rs, "spec.selector")),
        ];
    });

    public static IResourcePrinter Deployment() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Ready", "Number of the pod with ready state"),
        Col.Text("Up-to-date", ColumnDescriptions.DeploymentUpdatedReplicas),
        Col.Text("Available", ColumnDescriptions.DeploymentAvailableReplicas),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.DeploymentSelector),
    ], (deployment, now) =>
    {
        var (names, images) = Col.ContainerCells(JsonRead.Obj(deployment, "spec.template.spec"));
        // Unlike the other controllers, a deployment prints its selector unformatted: "" rather than <none>.
        string selector;
        try
        {
            selector = LabelSelector.FromLabelSelectorObject(JsonRead.At(deployment, "spec.selector")).ToString();
        }
        catch (Errors.ApiException)
        {
            selector = "<invalid>";
        }
        return
        [
            Col.NameOf(deployment),
            $"{JsonRead.Int(deployment, "status.readyReplicas")}/{JsonRead.Int(deployment, "spec.replicas")}",
            JsonRead.Int(deployment, "status.updatedReplicas"), JsonRead.Int(deployment, "status.availableReplicas"),
            Age.Since(deployment, now), names, images, selector,
        ];
    });

    public static IResourcePrinter StatefulSet() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Ready", "Number of the pod with ready state"),
        Col.Age, Col.Containers, Col.Images,
    ], (set, now) =>
    {
        var (names, images) = Col.ContainerCells(JsonRead.Obj(set, "spec.template.spec"));
        return
        [
            Col.NameOf(set), $"{JsonRead.Int(set, "status.readyReplicas")}/{JsonRead.Int(set, "spec.replicas")}",
            Age.Since(set, now), names, images,
        ];
    });

    public static IResourcePrinter DaemonSet() => new TablePrinter(
    [
        Col.Name,
        Col.Integer("Desired", ColumnDescriptions.DaemonSetDesired),
        Col.Integer("Current", ColumnDescriptions.DaemonSetCurrent),
        Col.Integer("Ready", ColumnDescriptions.DaemonSetReady),
        Col.Integer("Up-to-date", ColumnDescriptions.DaemonSetUpdated),
        Col.Integer("Available", ColumnDescriptions.DaemonSetAvailable),
        Col.Text("Node Selector", ColumnDescriptions.PodNodeSelector),
        Col.Age, Col.Containers, Col.Images,
        Col.Wide("Selector", ColumnDescriptions.DaemonSetSelector),
    ], (set, now) =>
    {
        var (names, images) = Col.ContainerCells(JsonRead.Obj(set, "spec.template.spec"));
        return
        [
            Col.NameOf(set),
            JsonRead.Int(set, "status.desiredNumberScheduled"), JsonRead.Int(set, "status.currentNumberScheduled"),
            JsonRead.Int(set, "status.numberReady"), JsonRead.Int(set, "status.updatedNumberScheduled"),
            JsonRead.Int(set, "status.numberAvailable"),
            LabelSelector.FormatLabels(JsonRead.At(set, "spec.template.spec.nodeSelector")),
            Age.Since(set, now), names, images, LabelSelector.Format(JsonRead.At(set, "spec.selector")),
        ];
    });

    public static IResourcePrinter ControllerRevision() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Controller", "Controller of the object"),
        Col.Text("Revision", ColumnDescriptions.ControllerRevisionRevision),
        Col.Age,
    ], (revision, now) =>
    [
        Col.NameOf(revision), ControllerOf(revision), JsonRead.Int(revision, "revision"), Age.Since(revision, now),
    ]);

    // The controlling owner as kind.group/name in lower case, e.g. daemonset.apps/fluentd.
    private static string ControllerOf(JsonObject obj)
    {
        var owner = JsonRead.Array(obj, "metadata.ownerReferences").FirstOrDefault(r => JsonRead.Bool(r, "controller") == true);
        if (owner is null) return "<none>";
        var apiVersion = JsonRead.Text(owner, "apiVersion");
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var kind = JsonRead.Text(owner, "kind");
        var name = JsonRead.Text(owner, "name");
        if (kind.Length == 0 && group.Length == 0) return name;
        return (group.Length == 0 ? kind : $"{kind}.{group}").ToLowerInvariant() + "/" + name;
    }
}
