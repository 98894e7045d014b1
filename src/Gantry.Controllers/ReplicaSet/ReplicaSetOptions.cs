namespace Gantry.Controllers.ReplicaSet;

/// <summary>Settings of the ReplicaSet and ReplicationController controllers; defaults are Kubernetes' own.</summary>
public sealed record ReplicaSetOptions
{
    /// <summary>Most pods created or deleted in one sync (kube-controller-manager's BurstReplicas: 500).</summary>
    public int BurstReplicas { get; init; } = 500;

    /// <summary>How long unobserved creates/deletes block a sync before they are assumed lost (ExpectationsTimeout: 5 min).</summary>
    public TimeSpan ExpectationsTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
