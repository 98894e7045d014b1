namespace Gantry.Controllers.ReplicaSet;

/// <summary>A ReplicaSet or ReplicationController status condition, in one shape for both kinds.</summary>
internal sealed record ReplicaCondition(string Type, string Status, string? Reason, string? Message, DateTime? LastTransitionTime)
{
    /// <summary>The condition type set while pods cannot be created or deleted.</summary>
    public const string ReplicaFailure = "ReplicaFailure";
}
