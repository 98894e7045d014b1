using k8s.Models;

namespace Gantry.Controllers.ReplicaSet;

/// <summary>core/v1 ReplicationControllers for the shared replica manager.</summary>
internal sealed class ReplicationControllerKind : ReplicaKind<V1ReplicationController>
{
    /// <inheritdoc />
    public override string Kind => "ReplicationController";

    /// <inheritdoc />
    public override string ApiVersion => "v1";

    /// <inheritdoc />
    public override string Component => "replication-controller";

    /// <inheritdoc />
    public override PodSelector? Selector(V1ReplicationController owner) => PodSelector.FromLabels(owner.Spec?.Selector);

    /// <inheritdoc />
    public override V1PodTemplateSpec? Template(V1ReplicationController owner) => owner.Spec?.Template;

    /// <inheritdoc />
    public override int Replicas(V1ReplicationController owner) => owner.Spec?.Replicas ?? 1;

    /// <inheritdoc />
    public override int MinReadySeconds(V1ReplicationController owner) => owner.Spec?.MinReadySeconds ?? 0;

    /// <inheritdoc />
    public override ReplicaStatus ReadStatus(V1ReplicationController owner)
    {
        var s = owner.Status;
        return new ReplicaStatus(s?.Replicas ?? 0, s?.FullyLabeledReplicas ?? 0, s?.ReadyReplicas ?? 0, s?.AvailableReplicas ?? 0, s?.ObservedGeneration,
            s?.Conditions?.Select(c => new ReplicaCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList() ?? []);
    }

    /// <inheritdoc />
    public override void WriteStatus(V1ReplicationController owner, ReplicaStatus status)
    {
        owner.Status ??= new V1ReplicationControllerStatus();
        owner.Status.Replicas = status.Replicas;
        owner.Status.FullyLabeledReplicas = status.FullyLabeledReplicas;
        owner.Status.ReadyReplicas = status.ReadyReplicas;
        owner.Status.AvailableReplicas = status.AvailableReplicas;
        owner.Status.ObservedGeneration = status.ObservedGeneration;
        owner.Status.Conditions = status.Conditions.Count == 0
            ? null
            : status.Conditions.Select(c => new V1ReplicationControllerCondition
            {
                Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastTransitionTime = c.LastTransitionTime,
            }).ToList();
    }
}
