namespace Gantry.Controllers.NodeLifecycle;

/// <summary>
/// What the controller last saw of a node (Kubernetes' nodeHealthData): the Ready condition's heartbeat and transition
/// times and status, the Lease renewTime, and when (on this controller's clock) it last heard from the node. Rebuilt
/// from scratch after a restart, as upstream does: every node gets a full grace period again.
/// </summary>
internal sealed record NodeHealth(
    DateTimeOffset ProbeTimestamp,
    DateTimeOffset ReadyTransitionTimestamp,
    bool HasReady,
    string? ReadyStatus,
    DateTime? ReadyHeartbeat,
    DateTime? ReadyTransition,
    DateTime? LeaseRenewTime);
