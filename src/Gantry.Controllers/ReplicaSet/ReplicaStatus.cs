namespace Gantry.Controllers.ReplicaSet;

/// <summary>The status fields the controller owns, in one shape for ReplicaSets and ReplicationControllers.</summary>
internal sealed record ReplicaStatus(int Replicas, int FullyLabeledReplicas, int ReadyReplicas, int AvailableReplicas, long? ObservedGeneration,
    IReadOnlyList<ReplicaCondition> Conditions)
{
    /// <summary>Same counts, generation and conditions (conditions compared item by item).</summary>
    public bool SameAs(ReplicaStatus other) =>
        Replicas == other.Replicas && FullyLabeledReplicas == other.FullyLabeledReplicas && ReadyReplicas == other.ReadyReplicas &&
        AvailableReplicas == other.AvailableReplicas && ObservedGeneration == other.ObservedGeneration && Conditions.SequenceEqual(other.Conditions);
}
