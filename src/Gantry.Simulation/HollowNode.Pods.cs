using Gantry.Client;
using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Simulation;

/// <summary>The pod half of a hollow node: "starting" bound pods and finishing the deletion of terminating ones.</summary>
public sealed partial class HollowNode
{
    private readonly Lock _ipLock = new();
    private readonly Dictionary<string, int> _podHosts = new(StringComparer.Ordinal);
    private int _nextHost = 1;

    private async Task SyncPodAsync(Informer<HollowPod> informer, string key, CancellationToken cancellationToken)
    {
        if (_silent) return;
        var (ns, name) = ObjectKey.Split(key);
        var pod = informer.Get(ns, name);
        if (pod is null) return;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Containers "stopped" at once; the kubelet then removes the pod for good with a zero grace period.
            try
            {
                await _client.For<V1Pod>().DeleteAsync(ns, name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Uid() }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (ConflictException)
            {
                // The uid precondition failed: a new pod took the name; its own events bring it here.
            }
            return;
        }
        if (pod.Status?.Phase is "Succeeded" or "Failed" || IsRunningAndReady(pod)) return;
        // Like the kubelet's status manager: a strategic merge patch of the status, guarded by the pod's uid instead of
        // its resourceVersion (no conflict when the pod changed meanwhile, nothing but the status sent). From Pending
        // nearly every field changes, so the whole new status is the patch.
        var patch = new V1Pod { Metadata = new V1ObjectMeta { Uid = pod.Uid() }, Status = Started(pod, key) };
        // The answer, the whole pod, is not used: it decodes as the small type.
        await _client.For<HollowPod>().PatchAsync(ns, name, PatchType.StrategicMerge, patch, subresource: "status", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static bool IsRunningAndReady(HollowPod pod) =>
        pod.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Status.PodIP)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    // The status a started pod reports, built from the cached pod without copying it (the informer's object is shared).
    private V1PodStatus Started(HollowPod pod, string key)
    {
        var now = Now;
        var previous = pod.Status;
        var podIp = string.IsNullOrEmpty(previous?.PodIP) ? HollowNodeStatus.PodIp(Options.Index, AllocatePodHost(key)) : previous.PodIP;
        var nodeIp = HollowNodeStatus.NodeIp(Options.Index);
        var status = new V1PodStatus
        {
            Phase = "Running",
            HostIP = nodeIp,
            HostIPs = [new V1HostIP { Ip = nodeIp }],
            PodIP = podIp,
            PodIPs = [new V1PodIP { Ip = podIp }],
            StartTime = previous?.StartTime ?? now,
        };
        status.Conditions =
        [
            Condition(previous?.Conditions, "PodReadyToStartContainers", now),
            Condition(previous?.Conditions, "Initialized", now),
            Condition(previous?.Conditions, "Ready", now),
            Condition(previous?.Conditions, "ContainersReady", now),
            Condition(previous?.Conditions, "PodScheduled", now),
        ];
        status.InitContainerStatuses = pod.Spec?.InitContainers?.Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, ContainerID = ContainerId(pod, c.Name), Ready = true, RestartCount = 0,
            State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed", StartedAt = now, FinishedAt = now } },
        }).ToList();
        status.ContainerStatuses = (pod.Spec?.Containers ?? []).Select(c => new V1ContainerStatus
        {
            Name = c.Name, Image = c.Image, ImageID = c.Image, ContainerID = ContainerId(pod, c.Name), Ready = true, Started = true, RestartCount = 0,
            State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
        }).ToList();
        return status;
    }

    private static string ContainerId(HollowPod pod, string container) => $"hollow://{pod.Uid()}/{container}";

    private static V1PodCondition Condition(IList<V1PodCondition>? previous, string type, DateTime now)
    {
        var old = previous?.FirstOrDefault(c => c.Type == type);
        var transition = old is { Status: "True", LastTransitionTime: { } t } ? t : now;
        return new V1PodCondition { Type = type, Status = "True", LastTransitionTime = transition };
    }

    // Host addresses 1..254 of the node's /24, handed out round-robin and returned when the pod is gone.
    private int AllocatePodHost(string key)
    {
        lock (_ipLock)
        {
            if (_podHosts.TryGetValue(key, out var existing)) return existing;
            var used = _podHosts.Values.ToHashSet();
            if (used.Count >= 254) throw new InvalidOperationException($"hollow node {Name} ran out of pod IPs");
            while (used.Contains(_nextHost)) _nextHost = _nextHost % 254 + 1;
            var host = _nextHost;
            _nextHost = _nextHost % 254 + 1;
            _podHosts[key] = host;
            return host;
        }
    }

    private void ReleasePodIp(string key)
    {
        lock (_ipLock) _podHosts.Remove(key);
    }
}
