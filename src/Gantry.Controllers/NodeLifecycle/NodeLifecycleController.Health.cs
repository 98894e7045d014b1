using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.NodeLifecycle;

public sealed partial class NodeLifecycleController
{
    private const string NeverUpdatedReason = "NodeStatusNeverUpdated";
    private const string NeverUpdatedMessage = "Kubelet never posted node status.";
    private const string UnknownReason = "NodeStatusUnknown";
    private const string UnknownMessage = "Kubelet stopped posting node status.";

    /// <summary>The conditions the node agent owns; NetworkUnavailable is left alone (the network plugin owns it).</summary>
    private static readonly string[] AgentConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    /// <summary>
    /// Upstream's tryUpdateNodeHealth: notes new heartbeats (Ready condition or Lease) and, after the grace period without
    /// one, writes the node's agent conditions as Unknown. Returns the Ready status seen before this pass and the Ready
    /// condition now; throws when the status write fails (the caller re-reads the node and tries again).
    /// </summary>
    private async Task<(string ObservedReady, V1NodeCondition? CurrentReady)> TryUpdateNodeHealthAsync(V1Node node, CancellationToken cancellationToken)
    {
        var name = node.Name();
        var now = _context.Time.GetUtcNow();
        _health.TryGetValue(name, out var health);
        var current = Ready(node);
        string observed;
        TimeSpan gracePeriod;
        if (current is null)
        {
            // Never posted: pretend an Unknown heartbeat at creation and allow the (longer) startup grace period.
            observed = "Unknown";
            gracePeriod = _options.NodeStartupGracePeriod;
            var created = new DateTimeOffset(DateTime.SpecifyKind(node.Metadata.CreationTimestamp ?? now.UtcDateTime, DateTimeKind.Utc));
            health = health is null ? Observe(null, created, created, null) : health with { HasReady = false, ReadyStatus = null, ReadyHeartbeat = null, ReadyTransition = null };
        }
        else
        {
            observed = current.Status;
            gracePeriod = _context.Options.NodeMonitorGracePeriod;
            if (health is null || !health.HasReady)
                health = Observe(current, now, now, health?.LeaseRenewTime);
            else if (health.ReadyHeartbeat != current.LastHeartbeatTime)
                health = Observe(current, now, health.ReadyTransition != current.LastTransitionTime ? now : health.ReadyTransitionTimestamp, health.LeaseRenewTime);
        }
        // A renewed Lease is a heartbeat too (the agent only writes node status every few minutes when nothing changes).
        var lease = _leases.Get(LeaseNamespace, name);
        if (lease is not null)
        {
            var renewed = lease.Spec?.RenewTime ?? DateTime.MinValue;
            if (health.LeaseRenewTime is null || health.LeaseRenewTime < renewed) health = health with { LeaseRenewTime = renewed, ProbeTimestamp = now };
        }
        _health[name] = health;
        if (now <= health.ProbeTimestamp + gracePeriod) return (observed, current);

        var changed = false;
        node.Status ??= new V1NodeStatus();
        var conditions = node.Status.Conditions?.ToList() ?? [];
        foreach (var type in AgentConditions)
        {
            var condition = conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                conditions.Add(new V1NodeCondition
                {
                    Type = type,
                    Status = "Unknown",
                    Reason = NeverUpdatedReason,
                    Message = NeverUpdatedMessage,
                    LastHeartbeatTime = node.Metadata.CreationTimestamp,
                    LastTransitionTime = now.UtcDateTime,
                });
                changed = true;
            }
            else if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = UnknownReason;
                condition.Message = UnknownMessage;
                condition.LastTransitionTime = now.UtcDateTime;
                changed = true;
            }
        }
        if (!changed) return (observed, current);
        node.Status.Conditions = conditions;
        LogNodeUnknown(_logger, name, now - health.ProbeTimestamp);
        var written = await _context.Client.For<V1Node>().UpdateStatusAsync(node, cancellationToken);
        node.Metadata.ResourceVersion = written.Metadata.ResourceVersion;
        current = Ready(node);
        _health[name] = Observe(current, health.ProbeTimestamp, now, health.LeaseRenewTime);
        return (observed, current);
    }

    private static V1NodeCondition? Ready(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    private static NodeHealth Observe(V1NodeCondition? ready, DateTimeOffset probe, DateTimeOffset transition, DateTime? leaseRenewTime) =>
        new(probe, transition, ready is not null, ready?.Status, ready?.LastHeartbeatTime, ready?.LastTransitionTime, leaseRenewTime);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "node {Node} has not posted status or renewed its lease for {Silence}: marking its conditions Unknown")]
    private static partial void LogNodeUnknown(Microsoft.Extensions.Logging.ILogger logger, string node, TimeSpan silence);
}
